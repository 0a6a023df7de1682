package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// mentions reports whether text contains any of the keywords, ignoring case.
// A keyword matches whole words only, so "sale" does not match "wholesale"
// nor "app" match "apply"; a keyword may be a phrase ("credit card"). A
// trailing '*' lets the last word run on ("refund*" matches "refunded"), a
// leading '*' lets the first word start anywhere ("*erstattung" matches
// "Rückerstattung", which German writes as one word).
func mentions(text string, keywords ...string) bool {
	text = strings.ToLower(text)
	for _, k := range keywords {
		if matchKeyword(text, k) {
			return true
		}
	}
	return false
}

func matchKeyword(text, k string) bool {
	k = strings.ToLower(strings.TrimSpace(k))
	openStart, openEnd := strings.HasPrefix(k, "*"), strings.HasSuffix(k, "*")
	k = strings.Trim(k, "*")
	if k == "" {
		return false
	}
	for from := 0; from <= len(text)-len(k); {
		i := strings.Index(text[from:], k)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(k)
		if (openStart || !wordBefore(text, i)) && (openEnd || !wordAfter(text, end)) {
			return true
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		from = i + size
	}
	return false
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// wordBefore reports whether a letter or digit ends just before text[i].
func wordBefore(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return i > 0 && isWord(r)
}

// wordAfter reports whether a letter or digit starts at text[i].
func wordAfter(text string, i int) bool {
	r, _ := utf8.DecodeRuneInString(text[i:])
	return i < len(text) && isWord(r)
}
