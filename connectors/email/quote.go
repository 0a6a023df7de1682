package email

import (
	"regexp"
	"strings"
)

// Lines that open the quoted history of a reply, in the languages the
// shops' customers write in most.
var (
	attribution = regexp.MustCompile(`(?i)^\s*(` +
		`on\s.+\swrote:|` + // Gmail, Apple Mail, Thunderbird
		`am\s.+\sschrieb\s.*:|` + // German
		`le\s.+\sa\s+écrit\s?:|` + // French
		`el\s.+\sescribió:|` + // Spanish
		`op\s.+\sschreef\s.*:|` + // Dutch
		`il\s.+\sha\s+scritto:|` + // Italian
		`em\s.+\sescreveu:` + // Portuguese
		`)\s*$`)
	originalMessage = regexp.MustCompile(`(?i)^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|oorspronkelijk bericht)\s*-{2,}\s*$`)
	underscoreRule  = regexp.MustCompile(`^\s*_{10,}\s*$`)
	headerFrom      = regexp.MustCompile(`(?i)^\s*\*?(from|von|de|van|da)\s*:\*?\s`)
	headerSent      = regexp.MustCompile(`(?i)^\s*\*?(sent|date|gesendet|datum|envoyé|enviado|verzonden|inviato)\s*:\*?\s`)
	headerSubject   = regexp.MustCompile(`(?i)^\s*\*?(subject|betreff|objet|asunto|onderwerp|oggetto)\s*:\*?\s`)
)

// trimQuoted returns the new part of a reply: the text above the quoted
// history. Interleaved replies keep their own lines; a message that is all
// quote comes back whole.
func trimQuoted(text string) string {
	lines := strings.Split(text, "\n")
	cut := len(lines)
	for i := range lines {
		if quoteStartsAt(lines, i) {
			cut = i
			break
		}
	}
	// A trailing block of "> " lines is history too.
	tail := cut
	for j := cut - 1; j >= 0; j-- {
		l := strings.TrimSpace(lines[j])
		if l == "" {
			continue
		}
		if !strings.HasPrefix(l, ">") {
			break
		}
		tail = j
	}
	reply := strings.TrimSpace(strings.Join(lines[:tail], "\n"))
	if reply != "" {
		return reply
	}
	// Bottom-posted or interleaved: keep every line that is not quoted.
	var own []string
	for _, l := range lines[:cut] {
		if !strings.HasPrefix(strings.TrimSpace(l), ">") {
			own = append(own, l)
		}
	}
	if r := strings.TrimSpace(strings.Join(own, "\n")); r != "" {
		return r
	}
	return strings.TrimSpace(text)
}

// quoteStartsAt reports whether line i opens quoted history.
func quoteStartsAt(lines []string, i int) bool {
	l := lines[i]
	if attribution.MatchString(l) || originalMessage.MatchString(l) {
		return true
	}
	// "On Tue, 3 Mar 2026 at 10:02, Ann Lee <ann@example.com>" / "wrote:"
	// when the client wrapped the attribution.
	if i+1 < len(lines) && strings.HasPrefix(strings.TrimSpace(strings.ToLower(l)), "on ") &&
		attribution.MatchString(l+" "+strings.TrimSpace(lines[i+1])) {
		return true
	}
	// Outlook: an optional rule of underscores, then From:/Sent:/Subject:.
	start := i
	if underscoreRule.MatchString(l) {
		start = i + 1
		for start < len(lines) && strings.TrimSpace(lines[start]) == "" {
			start++
		}
	}
	if start >= len(lines) || !headerFrom.MatchString(lines[start]) {
		return false
	}
	sent, subject := false, false
	for j := start + 1; j < len(lines) && j <= start+6; j++ {
		sent = sent || headerSent.MatchString(lines[j])
		subject = subject || headerSubject.MatchString(lines[j])
	}
	return sent && subject
}
