package tickets

import (
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits on a new ticket. They keep a ticket readable in a Slack card and a
// listing, and keep one webhook from storing megabytes of text.
const (
	MaxSubjectRunes     = 250
	MaxDescriptionBytes = 64 << 10
	MaxTags             = 20
	MaxTagRunes         = 40
	// derivedSubjectRunes caps a subject taken from the description.
	derivedSubjectRunes = 120
)

// ValidateNewTicket checks and normalises in, in place: text is trimmed, a
// missing subject is taken from the description's first line, the priority
// defaults to medium, tags and the customer's email and phone are normalised.
// Errors are EINVALID and name the offending field.
func ValidateNewTicket(in *NewTicket) error {
	in.Subject = strings.Join(strings.Fields(in.Subject), " ")
	in.Description = strings.TrimSpace(in.Description)
	for _, s := range []*string{&in.Assignee, &in.Team, &in.ExternalRef, &in.OrderNumber, &in.Store, &in.FollowUpOf} {
		*s = strings.TrimSpace(*s)
	}
	in.Source = Source(strings.ToLower(strings.TrimSpace(string(in.Source))))

	if len(in.Description) > MaxDescriptionBytes {
		return Invalid("description", "description is %d bytes; the limit is 64 KiB", len(in.Description))
	}
	if in.Subject == "" {
		in.Subject = cutRunes(firstLine(in.Description), derivedSubjectRunes)
	}
	if in.Subject == "" {
		return Invalid("subject", "subject is required (or a description to take it from)")
	}
	// A long subject is cut rather than refused: webhooks cannot be asked
	// to send a shorter one, and the full text stays in the description.
	if utf8.RuneCountInString(in.Subject) > MaxSubjectRunes {
		in.Subject = cutRunes(in.Subject, MaxSubjectRunes-1) + "…"
	}
	pr, err := ParsePriority(string(in.Priority))
	if err != nil {
		return err
	}
	in.Priority = pr
	if in.Tags, err = NormaliseTags(in.Tags); err != nil {
		return err
	}
	rawEmail := strings.TrimSpace(in.Customer.Email)
	in.Customer = in.Customer.Normalised()
	if rawEmail != "" {
		addr, err := mail.ParseAddress(rawEmail)
		if err != nil || !strings.Contains(addr.Address, "@") {
			return Invalid("customer.email", "customer email %q is not an email address", rawEmail)
		}
		// "Jane Doe <jane@example.com>" gives both an address and a name.
		in.Customer.Email = NormaliseEmail(addr.Address)
		if in.Customer.Name == "" {
			in.Customer.Name = strings.TrimSpace(addr.Name)
		}
	}
	if in.Source == "" {
		return Invalid("source", "source is required")
	}
	return nil
}

// NormaliseTags lower-cases, trims, dedupes and sorts tags, dropping empty
// ones. A tag is 1–40 characters of a-z, 0-9, '-' and '_'; at most 20 tags.
// The result is never nil, so it encodes as [] rather than null.
func NormaliseTags(tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	for _, tag := range tags {
		tag = strings.ToLower(strings.TrimSpace(tag))
		if tag == "" {
			continue
		}
		if len(tag) > MaxTagRunes {
			return nil, Invalid("tags", "tag %q is longer than %d characters", tag, MaxTagRunes)
		}
		if strings.Trim(tag, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return nil, Invalid("tags", "tag %q may contain only a-z, 0-9, '-' and '_'", tag)
		}
		out = append(out, tag)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > MaxTags {
		return nil, Invalid("tags", "%d tags; the limit is %d", len(out), MaxTags)
	}
	return out, nil
}

// firstLine returns the first non-blank line of s, trimmed.
func firstLine(s string) string {
	for line := range strings.Lines(s) {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}

// cutRunes cuts s to at most n runes.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n]))
}
