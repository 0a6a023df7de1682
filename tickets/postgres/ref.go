package postgres

import (
	"strings"

	"hub/tickets"
)

// ticketRef is a parsed reference to a ticket: its UUID or its number.
type ticketRef struct {
	id     string
	number int64
}

// parseRef reads a UUID, "1042" or "T-1042". Anything else names no ticket:
// it is ENOTFOUND, never a database error.
func parseRef(ref string) (ticketRef, error) {
	if n, ok := tickets.ParseNumber(ref); ok {
		return ticketRef{number: n}, nil
	}
	if id, ok := canonicalUUID(ref); ok {
		return ticketRef{id: id}, nil
	}
	return ticketRef{}, notFound(ref)
}

// where is the condition selecting the ticket from table alias a, with its
// one argument.
func (r ticketRef) where(a string) (string, any) {
	if r.id != "" {
		return a + ".id = $1", r.id
	}
	return a + ".number = $1", r.number
}

func notFound(ref string) error {
	return tickets.Errorf(tickets.ENOTFOUND, "ticket %s not found", ref)
}

// canonicalUUID accepts a UUID with or without hyphens and returns it in
// lower-case canonical form.
func canonicalUUID(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) == 36 {
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return "", false
		}
		s = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	}
	if len(s) != 32 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", false
		}
	}
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:], true
}
