package enrich

import (
	"regexp"
	"strings"
)

// orderNumberRE finds order numbers as customers write them: "#1001",
// "order 1001", "order #1001", "order no. 1001", "Order number: 1001",
// "Bestellung 1001" is not attempted. Ticket numbers ("T-1042") never match
// because they are not preceded by '#' or the word order.
var orderNumberRE = regexp.MustCompile(`(?i)(?:^|[^\w#])#(\d{3,12})\b|\border\s*(?:no\.?|nr\.?|number|num\.?|id)?\s*[:#]?\s*#?(\d{3,12})\b`)

// OrderNumbers returns the order numbers mentioned in texts, in order of
// first appearance, without duplicates and without '#'.
func OrderNumbers(texts ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, text := range texts {
		for _, m := range orderNumberRE.FindAllStringSubmatch(text, -1) {
			n := m[1]
			if n == "" {
				n = m[2]
			}
			n = strings.TrimLeft(n, "#")
			if n != "" && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}
