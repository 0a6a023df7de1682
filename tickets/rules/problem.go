package rules

import (
	"fmt"
	"strings"
)

// Problem is one mistake in a rules file, where it is.
type Problem struct {
	File    string
	Line    int // 1-based
	Column  int // 1-based, in characters
	Where   string
	Message string
}

// String renders p the way compilers do, so editors can jump to it:
//
//	rules.yaml:14:7: rule "vip": if: unknown name spnt (did you mean customer.spent?)
func (p Problem) String() string {
	s := fmt.Sprintf("%s:%d:%d: ", p.File, p.Line, p.Column)
	if p.Where != "" {
		s += p.Where + ": "
	}
	return s + p.Message
}

// Problems is every mistake found in a rules file, in file order. It is the
// error Parse returns for a file it refuses.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// suggest returns " (did you mean X?)" for the candidate closest to got, or
// "" when none is close enough to be what was meant.
func suggest(got string, candidates []string) string {
	best, bestD := "", len(got)/3+1
	if bestD > 3 {
		bestD = 3
	}
	for _, c := range candidates {
		d := distance(strings.ToLower(got), c)
		// A nested name also answers to its last part: "spent" for
		// customer.spent.
		if i := strings.LastIndexByte(c, '.'); i >= 0 {
			d = min(d, distance(strings.ToLower(got), c[i+1:]))
		}
		if d <= bestD && (best == "" || d < bestD) {
			best, bestD = c, d
		}
	}
	if best == "" || best == got {
		return ""
	}
	return " (did you mean " + best + "?)"
}

// distance is the Levenshtein distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
