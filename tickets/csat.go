package tickets

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
	"unicode/utf8"
)

// EventRated is the event of a customer answering a satisfaction survey;
// Zapier hooks subscribe to it as to the other ticket events.
const EventRated = "ticket.rated"

// SurveyTTL is how long a survey link stays valid.
const SurveyTTL = 14 * 24 * time.Hour

// MaxRatingCommentRunes bounds a survey comment.
const MaxRatingCommentRunes = 2000

// Rating is a customer's answer to a satisfaction survey.
type Rating struct {
	Score   int // 1 (very unhappy) to 5 (very happy)
	Comment string
	At      time.Time
}

// ParseRating validates a survey answer.
func ParseRating(score int, comment string) (Rating, error) {
	if score < 1 || score > 5 {
		return Rating{}, Invalid("rating", "rating must be 1 to 5 (got %d)", score)
	}
	comment = strings.TrimSpace(comment)
	if n := utf8.RuneCountInString(comment); n > MaxRatingCommentRunes {
		return Rating{}, Invalid("comment", "comment is %d characters; the limit is %d", n, MaxRatingCommentRunes)
	}
	return Rating{Score: score, Comment: comment}, nil
}

// SurveyInvite is a survey to create with a reply. Only the token's hash is
// kept: whoever has the link may answer, and the database alone cannot.
type SurveyInvite struct {
	TokenHash []byte
	ExpiresAt time.Time
}

// NewSurvey makes a survey token, valid until now+SurveyTTL, and the
// invite to store with the reply that carries its link.
func NewSurvey(now time.Time) (token string, inv SurveyInvite) {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, SurveyInvite{TokenHash: SurveyTokenHash(token), ExpiresAt: now.Add(SurveyTTL)}
}

// SurveyTokenHash is what is stored of a token.
func SurveyTokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// SurveyPrompt introduces the survey link appended to a reply that does not
// place it itself with {{survey_link}}.
const SurveyPrompt = "How did we do? Rate our help (one click, no sign-in):"

// WithSurveyLink puts link into body: where body says {{survey_link}}, else
// on a line of its own at the end.
func WithSurveyLink(body, link string) string {
	if placeholderRE.MatchString(body) {
		replaced := false
		out := placeholderRE.ReplaceAllStringFunc(body, func(m string) string {
			if placeholderRE.FindStringSubmatch(m)[1] == "survey_link" {
				replaced = true
				return link
			}
			return m
		})
		if replaced {
			return out
		}
	}
	return strings.TrimRight(body, "\n ") + "\n\n" + SurveyPrompt + " " + link
}

// SurveyState is where a survey link stands.
type SurveyState string

// Survey states: a link can be answered once, before it expires.
const (
	SurveyOpen     SurveyState = "open"
	SurveyAnswered SurveyState = "answered"
	SurveyExpired  SurveyState = "expired"
)

// Survey is a satisfaction survey as its page shows it.
type Survey struct {
	TicketID  string
	TicketRef string
	Subject   string
	State     SurveyState
	ExpiresAt time.Time
	Rating    *Rating // when answered
}
