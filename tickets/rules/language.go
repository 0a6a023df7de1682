package rules

import (
	"strings"
	"unicode"
)

// DetectLanguage guesses the language of a customer's text: "en", "de",
// "fr", "es", or "" when it cannot tell. It counts short function words
// that are frequent in one of the four languages and rare in the others,
// plus letters only one of them uses (ß, ñ, ç, ...). Good enough to route
// a ticket to the team that speaks it; a source that knows the language
// should say so in Context.Language instead.
func DetectLanguage(text string) string {
	langs := []string{"en", "de", "fr", "es"}
	var score [4]int
	for w := range strings.FieldsFuncSeq(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if i := stopword(w); i >= 0 {
			score[i] += 2
		}
		for _, r := range w {
			if i := letterHint(r); i >= 0 {
				score[i]++
			}
		}
	}
	best, tie := 0, false
	for i := 1; i < len(score); i++ {
		switch {
		case score[i] > score[best]:
			best, tie = i, false
		case score[i] == score[best]:
			tie = true
		}
	}
	// Two telling words at least: one "die" or "mit" in an English text
	// (a product name, a quote) must not make it German.
	if tie || score[best] < 4 {
		return ""
	}
	return langs[best]
}

// stopword returns the index of the language w is a telling function word
// of, or -1. Words shared by two of the languages (la, un, no, de, que, es,
// en) are left out: they would only blur the count.
func stopword(w string) int {
	switch w {
	case "the", "and", "is", "are", "my", "i", "you", "your", "to", "of", "it", "not", "have", "has",
		"was", "for", "with", "this", "that", "please", "can", "what", "where", "when", "hi", "thanks", "thank", "did", "yet":
		return 0
	case "der", "die", "das", "und", "ist", "ich", "nicht", "mein", "meine", "meiner", "ein", "eine", "mit", "bitte",
		"wo", "wann", "habe", "hat", "wurde", "danke", "hallo", "noch", "auf", "für", "zu", "den", "dem", "sie", "keine":
		return 1
	case "le", "les", "et", "est", "je", "ne", "pas", "mon", "ma", "mes", "vous", "une", "avec", "pour", "merci",
		"bonjour", "où", "quand", "ai", "toujours", "mais", "reçu", "été", "votre", "nous":
		return 2
	case "el", "los", "las", "y", "mi", "mis", "por", "para", "con", "una", "gracias", "hola", "dónde", "donde",
		"cuándo", "está", "tengo", "favor", "todavía", "pero", "recibido", "su", "lo":
		return 3
	}
	return -1
}

// letterHint returns the language that alone of the four uses r, or -1.
func letterHint(r rune) int {
	switch r {
	case 'ß', 'ä', 'ö':
		return 1
	case 'ç', 'è', 'ê', 'à', 'â', 'î', 'ô', 'û', 'œ', 'ë':
		return 2
	case 'ñ', 'á', 'í', 'ó', 'ú':
		return 3
	}
	return -1
}
