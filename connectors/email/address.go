package email

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
)

// ReplyAddresses makes and reads per-ticket reply addresses by plus
// addressing: support+t1042.<token>@shop.example reaches support@ at most
// providers, and the token (an HMAC of the ticket reference under the
// caller's key) proves the hub minted it, since anyone can write to any
// plus address.
type ReplyAddresses struct {
	local, domain string // lower-cased support mailbox
	key           []byte
}

// MinKeyBytes is the shortest HMAC key NewReplyAddresses accepts.
const MinKeyBytes = 16

// tokenBytes of HMAC-SHA256 are kept: 80 bits, 16 base32 characters.
const tokenBytes = 10

// Lower-case base32 survives systems that lower-case local parts.
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewReplyAddresses takes the support address (bare or with a display name)
// and the HMAC key (at least MinKeyBytes).
func NewReplyAddresses(support string, key []byte) (*ReplyAddresses, error) {
	a, err := mail.ParseAddress(support)
	if err != nil {
		return nil, fmt.Errorf("email: support address: %w", err)
	}
	local, domain, ok := splitAddr(a.Address)
	if !ok || strings.Contains(local, "+") {
		return nil, errors.New("email: support address must be local@domain without a +tag")
	}
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("email: reply-address key must be at least %d bytes", MinKeyBytes)
	}
	return &ReplyAddresses{local: local, domain: domain, key: append([]byte(nil), key...)}, nil
}

// For returns the reply address for ticket number n (T-n).
func (r *ReplyAddresses) For(n int64) string {
	tag := "t" + strconv.FormatInt(n, 10)
	return r.local + "+" + tag + "." + r.token(tag) + "@" + r.domain
}

// Ticket finds the first address among addrs that is a genuine reply
// address of this support mailbox and returns its ticket number. Addresses
// may carry display names. A forged or mangled token is ignored.
func (r *ReplyAddresses) Ticket(addrs ...string) (int64, bool) {
	for _, raw := range addrs {
		local, domain, ok := splitAddr(bareAddress(raw))
		if !ok || domain != r.domain {
			continue
		}
		base, tag, ok := strings.Cut(local, "+")
		if !ok || base != r.local {
			continue
		}
		ref, tok, ok := strings.Cut(tag, ".")
		if !ok || len(ref) < 2 || ref[0] != 't' {
			continue
		}
		n, err := strconv.ParseInt(ref[1:], 10, 64)
		if err != nil || n <= 0 || "t"+strconv.FormatInt(n, 10) != ref {
			continue
		}
		if hmac.Equal([]byte(tok), []byte(r.token(ref))) {
			return n, true
		}
	}
	return 0, false
}

// Serves reports whether addr is the support mailbox or any plus address
// of it: what the SMTP listener accepts. A plus address with a bad token is
// still served; it just threads nowhere.
func (r *ReplyAddresses) Serves(addr string) bool {
	local, domain, ok := splitAddr(bareAddress(addr))
	if !ok || domain != r.domain {
		return false
	}
	base, _, _ := strings.Cut(local, "+")
	return base == r.local
}

// Address is the support address itself (lower-cased).
func (r *ReplyAddresses) Address() string { return r.local + "@" + r.domain }

func (r *ReplyAddresses) token(ref string) string {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte("hub email reply address\x00" + ref))
	return tokenEncoding.EncodeToString(m.Sum(nil)[:tokenBytes])
}

// splitAddr lower-cases and splits local@domain. Local parts are case
// sensitive on paper and case blind in practice; the hub treats them so.
func splitAddr(addr string) (local, domain string, ok bool) {
	i := strings.LastIndexByte(addr, '@')
	if i <= 0 || i == len(addr)-1 {
		return "", "", false
	}
	return strings.ToLower(addr[:i]), strings.ToLower(addr[i+1:]), true
}

// bareAddress accepts "Name <a@b>", "<a@b>" and "a@b".
func bareAddress(s string) string {
	s = strings.TrimSpace(s)
	if a, err := mail.ParseAddress(s); err == nil {
		return a.Address
	}
	return strings.Trim(s, "<>")
}

var subjectRef = regexp.MustCompile(`(?i)\[\s*T-(\d{1,18})\s*\]`)

// SubjectTicket finds a ticket reference such as [T-1042] in a subject and
// returns its number. Only the bracketed form counts: a bare T-1042 could
// be the customer's own text.
func SubjectTicket(subject string) (int64, bool) {
	m := subjectRef.FindStringSubmatch(subject)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}
