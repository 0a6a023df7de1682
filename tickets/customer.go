package tickets

import (
	"strings"
	"unicode"
)

// NormaliseEmail trims and lower-cases an email address so that one customer
// writing from Shopify as Jane@Example.com and from Slack as jane@example.com
// is one customer.
func NormaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NormalisePhone reduces a phone number to its digits, keeping a leading +
// (an international "00" prefix becomes +), so the same number written
// differently by two stores matches. Text before the number ("tel:",
// "Mobile:") is ignored and text after it (an extension) is cut. It returns
// "" for anything with fewer than 7 digits or one digit repeated (a
// placeholder typed to get past a form), which cannot identify anyone: such
// a phone is neither kept on a customer nor matched.
func NormalisePhone(s string) string {
	var digits []byte
	plus := false
scan:
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == '+' && len(digits) == 0:
			plus = true
		case unicode.IsLetter(r) && len(digits) > 0:
			break scan // "ext. 12", "x12": not part of the number
		}
	}
	if placeholder(digits) {
		return ""
	}
	if !plus && len(digits) > 2 && digits[0] == '0' && digits[1] == '0' {
		plus, digits = true, digits[2:]
	}
	if len(digits) < 7 {
		return ""
	}
	if plus {
		return "+" + string(digits)
	}
	return string(digits)
}

// placeholder reports digits a form was filled with to get past it
// ("0000000", "1111111111"): one digit repeated identifies no one.
func placeholder(digits []byte) bool {
	for _, d := range digits {
		if d != digits[0] {
			return false
		}
	}
	return true
}

// Normalised returns in with its email and phone normalised and its text
// trimmed (runs of spaces in the name collapsed).
func (in CustomerInput) Normalised() CustomerInput {
	in.Email = NormaliseEmail(in.Email)
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Phone = NormalisePhone(in.Phone)
	in.Store = strings.TrimSpace(in.Store)
	in.StoreCustomerID = strings.TrimSpace(in.StoreCustomerID)
	return in
}
