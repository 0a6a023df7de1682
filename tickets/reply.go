package tickets

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// SavedReply is a named reply template. Its body may name placeholders,
// such as {{customer_first_name}} or {{tracking_link}}, filled in from the
// ticket when the reply is used.
type SavedReply struct {
	Name      string // a short key: lower-case letters, digits, '-' and '_'
	Body      string
	UpdatedBy string // who last saved it
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ReplyEdit changes a saved reply; nil fields stay as they are.
type ReplyEdit struct {
	Name *string // a new name
	Body *string
}

// Limits of a saved reply. The body fits a Slack modal's text input, so a
// template can be sent from everywhere it can be chosen.
const (
	MaxReplyNameRunes = 64
	MaxReplyBodyRunes = 3000
)

// Placeholders lists what a saved reply may ask for, and what each is.
var Placeholders = map[string]string{
	"customer_name":       "the customer's full name",
	"customer_first_name": "the customer's first name",
	"customer_email":      "the customer's email address",
	"order_number":        "the number of the ticket's most recently linked order",
	"tracking_link":       "the tracking URL of that order's latest shipment",
	"ticket":              "the ticket's number, e.g. T-1042",
	"agent_name":          "the name of the agent sending the reply",
	"survey_link":         "a one-time link to the satisfaction survey (creates a survey)",
}

var (
	replyNameRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	placeholderRE = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)
)

// ParseReplyName normalises and validates a saved reply's name.
func ParseReplyName(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		return "", Invalid("name", "name is required")
	case utf8.RuneCountInString(s) > MaxReplyNameRunes:
		return "", Invalid("name", "name is longer than %d characters", MaxReplyNameRunes)
	case !replyNameRE.MatchString(s):
		return "", Invalid("name", "name may hold only letters, digits, '-' and '_', and starts with a letter or digit (got %q)", s)
	}
	return s, nil
}

// CheckReplyBody validates a saved reply's body: not empty, within the
// limit, and every placeholder one the hub knows, so a typo is caught when
// the template is saved rather than in front of a customer.
func CheckReplyBody(body string) (string, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return "", Invalid("body", "body is required")
	}
	if n := utf8.RuneCountInString(body); n > MaxReplyBodyRunes {
		return "", Invalid("body", "body is %d characters; the limit is %d", n, MaxReplyBodyRunes)
	}
	for _, name := range ReplyPlaceholders(body) {
		if _, ok := Placeholders[name]; !ok {
			return "", Invalid("body", "unknown placeholder {{%s}}; known: %s", name, strings.Join(placeholderNames(), ", "))
		}
	}
	return body, nil
}

// ReplyPlaceholders lists the placeholders body names, each once, in order.
func ReplyPlaceholders(body string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(body, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

func placeholderNames() []string {
	names := make([]string, 0, len(Placeholders))
	for n := range Placeholders {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ReplyValues are the placeholders' values for ticket t sent by agentName.
// A value the ticket does not have is left out; survey_link is the
// caller's to add, since it creates a survey.
func ReplyValues(t Ticket, agentName string) map[string]string {
	v := map[string]string{"ticket": t.Ref()}
	put := func(k, s string) {
		if s = strings.TrimSpace(s); s != "" {
			v[k] = s
		}
	}
	put("customer_name", t.Customer.Name)
	if f := strings.Fields(t.Customer.Name); len(f) > 0 {
		put("customer_first_name", f[0])
	}
	put("customer_email", t.Customer.Email)
	put("agent_name", agentName)
	if n := len(t.Orders); n > 0 {
		o := t.Orders[n-1] // the most recently linked
		num := strings.TrimSpace(o.OrderNumber)
		if num != "" && !strings.HasPrefix(num, "#") {
			num = "#" + num
		}
		put("order_number", num)
		var d OrderDetails
		if len(o.Details) > 0 && json.Unmarshal(o.Details, &d) == nil {
			for i := len(d.Tracking) - 1; i >= 0; i-- {
				if u := d.Tracking[i].URL; u != "" {
					put("tracking_link", u)
					break
				}
			}
		}
	}
	return v
}

// RenderReply fills body's placeholders from values. A placeholder without
// a value is an error naming it (for the field "reply"): a reply saying
// "your parcel is at ." would do more harm than none.
func RenderReply(name, body string, values map[string]string) (string, error) {
	var missing []string
	out := placeholderRE.ReplaceAllStringFunc(body, func(m string) string {
		k := placeholderRE.FindStringSubmatch(m)[1]
		if v, ok := values[k]; ok {
			return v
		}
		if !slices.Contains(missing, k) {
			missing = append(missing, k)
		}
		return m
	})
	if len(missing) > 0 {
		desc := make([]string, len(missing))
		for i, k := range missing {
			if d, ok := Placeholders[k]; ok {
				desc[i] = "{{" + k + "}} (" + d + ")"
			} else {
				desc[i] = "{{" + k + "}} (unknown)"
			}
		}
		return "", Invalid("reply", "saved reply %q needs %s, which this ticket does not have", name, strings.Join(desc, ", "))
	}
	return out, nil
}

// ReplyDraft is a reply an agent asks to send: their own text, a saved
// reply, or both (their text first), and whether it resolves the ticket
// and asks the customer to rate the help.
type ReplyDraft struct {
	Text    string
	Saved   *SavedReply
	Resolve bool
	Survey  bool
}

// ComposeReply makes the message for draft d on ticket t, sent by
// agentName at now. A survey is wanted when d.Survey is set or the saved
// reply places {{survey_link}}; it goes only with a resolution reply, and
// surveyURL turns its token into the link the customer opens.
func ComposeReply(t Ticket, agentName string, d ReplyDraft, now time.Time, surveyURL func(token string) string) (NewMessage, error) {
	m := NewMessage{Kind: MessageReply, Resolve: d.Resolve}
	values := ReplyValues(t, agentName)
	wantSurvey := d.Survey || (d.Saved != nil && slices.Contains(ReplyPlaceholders(d.Saved.Body), "survey_link"))
	var link string
	if wantSurvey {
		switch {
		case !d.Resolve:
			return m, Invalid("survey", "a survey link goes with the resolution reply: resolve the ticket with it")
		case surveyURL == nil:
			return m, Invalid("survey", "surveys are not available: the hub's public URL is not configured")
		}
		token, inv := NewSurvey(now)
		link = surveyURL(token)
		values["survey_link"] = link
		m.Survey = &inv
	}
	var parts []string
	if s := strings.TrimSpace(d.Text); s != "" {
		parts = append(parts, s)
	}
	if d.Saved != nil {
		s, err := RenderReply(d.Saved.Name, d.Saved.Body, values)
		if err != nil {
			return m, err
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return m, Invalid("body", "write a reply or choose a saved reply")
	}
	m.Body = strings.Join(parts, "\n\n")
	if wantSurvey && !strings.Contains(m.Body, link) {
		m.Body = WithSurveyLink(m.Body, link)
	}
	return m, nil
}
