package slack

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Slack's limits (Block Kit reference). The card stays well below the
// undocumented ~13k total that answers msg_blocks_too_long.
const (
	maxHeader      = 150  // header block text
	maxSection     = 3000 // section text
	maxField       = 2000 // each section field
	maxButton      = 75   // button and option labels
	maxFallback    = 300  // the notification text of a card
	maxThreadText  = 2900 // a timeline post, leaving room for its prefix
	maxBlocks      = 50
	maxInputLength = 3000 // plain_text_input max_length
)

// Escape makes text from customers, shops or workflows safe for mrkdwn and
// message text: Slack reads only &, < and > as control characters, so
// escaping them turns <!channel>, <@U123> and <https://evil|ok> into
// literal text. Control characters (but newlines and tabs) and the Unicode
// line and paragraph separators are dropped.
func Escape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		writeEscaped(&b, r)
	}
	return b.String()
}

func writeEscaped(b *strings.Builder, r rune) {
	switch {
	case r == '&':
		b.WriteString("&amp;")
	case r == '<':
		b.WriteString("&lt;")
	case r == '>':
		b.WriteString("&gt;")
	case r == '\n' || r == '\t':
		b.WriteRune(r)
	case r == '\u2028' || r == '\u2029':
		b.WriteByte('\n')
	case unicode.IsControl(r) || r == utf8.RuneError:
	default:
		b.WriteRune(r)
	}
}

// escapedLen is how long r is once escaped.
func escapedLen(r rune) int {
	switch {
	case r == '&':
		return 5
	case r == '<' || r == '>':
		return 4
	case r == '\n' || r == '\t' || r == '\u2028' || r == '\u2029':
		return 1
	case unicode.IsControl(r) || r == utf8.RuneError:
		return 0
	}
	return utf8.RuneLen(r)
}

// EscapeCut escapes s and cuts it so the result is at most limit bytes
// (Slack counts characters; bytes are never fewer), ending in "…" when cut.
// It never splits an escape such as &amp;.
func EscapeCut(s string, limit int) string {
	total := 0
	for _, r := range s {
		total += escapedLen(r)
	}
	if total <= limit {
		return Escape(s)
	}
	const ell = "…"
	var b strings.Builder
	n := 0
	for _, r := range s {
		l := escapedLen(r)
		if n+l > limit-len(ell) {
			break
		}
		writeEscaped(&b, r)
		n += l
	}
	return strings.TrimRightFunc(b.String(), unicode.IsSpace) + ell
}

// Plain cleans text for a plain_text object (headers, buttons, options,
// modal titles): Slack shows it literally, so only control characters go,
// and it is cut to limit characters.
func Plain(s string, limit int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t' || r == '\u2028' || r == '\u2029':
			return ' '
		case unicode.IsControl(r) || r == utf8.RuneError:
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:limit-1])) + "…"
}

// Link renders a link to a URL given by a shop (an order's admin page, a
// tracking page) with an escaped label. A URL that is not plain http(s) or
// that could break out of Slack's <url|label> syntax is not linked at all.
func Link(rawURL, label string) string {
	label = EscapeCut(label, 200)
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		strings.ContainsAny(rawURL, "<>|& \t\r\n\"") || len(rawURL) > 1000 {
		return label
	}
	return "<" + rawURL + "|" + label + ">"
}

var (
	mentionRE = regexp.MustCompile(`<([@#!])([^>|]*)(?:\|([^>]*))?>`)
	linkRE    = regexp.MustCompile(`<((?:https?|mailto):[^>|]*)(?:\|([^>]*))?>`)
)

// Unescape turns Slack's message text into plain text for storing on a
// ticket: links become "label (url)", mentions keep their label or id
// ("@U123", "#general", "@here"), and &amp; &lt; &gt; are decoded. Stored
// text is escaped again whenever it goes back to Slack.
func Unescape(s string) string {
	s = linkRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := linkRE.FindStringSubmatch(m)
		target := strings.TrimPrefix(sub[1], "mailto:")
		if sub[2] == "" || sub[2] == target || sub[2] == sub[1] {
			return target
		}
		return sub[2] + " (" + target + ")"
	})
	s = mentionRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := mentionRE.FindStringSubmatch(m)
		sigil, id, label := sub[1], sub[2], sub[3]
		if sigil == "!" {
			id, _, _ = strings.Cut(id, "^")
			if label != "" {
				return label
			}
			return "@" + id
		}
		if label != "" {
			return sigil + strings.TrimPrefix(label, sigil)
		}
		return sigil + id
	})
	r := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
	return r.Replace(s)
}
