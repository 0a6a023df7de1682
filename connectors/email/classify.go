package email

import (
	"bufio"
	"regexp"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// Class says who, or what, wrote a message. The hub opens tickets for
// human mail and must never answer the others automatically (mail loops).
type Class string

const (
	ClassHuman     Class = "human"
	ClassAutoReply Class = "auto-reply" // out-of-office, autoresponders, read receipts
	ClassBounce    Class = "bounce"     // delivery status notifications
	ClassList      Class = "list"       // mailing lists and bulk mail
)

// Bounce is what a delivery status notification says.
type Bounce struct {
	// OriginalMessageID is the Message-ID of the message that bounced,
	// from the returned original or its headers; "" if not included.
	OriginalMessageID string
	Recipients        []BounceRecipient
}

// BounceRecipient is one recipient's fate (RFC 3464).
type BounceRecipient struct {
	Address    string // Final-Recipient (or Original-Recipient)
	Action     string // failed, delayed, delivered, relayed, expanded
	Status     string // e.g. 5.1.1
	Diagnostic string // the remote server's words, e.g. "smtp; 550 5.1.1 no such user"
}

var (
	autoSubject   = regexp.MustCompile(`(?i)^\s*(automatic reply|auto(matic)?[- ]?(reply|response)|autoreply|out of (the )?office|abwesenheitsnotiz|automatische antwort|réponse automatique|respuesta automática|autosvar|automatisch antwoord)\b`)
	bounceSubject = regexp.MustCompile(`(?i)(undeliver|delivery (status notification|failure|has failed)|mail delivery (failed|subsystem)|returned mail|failure notice|non[- ]?delivery|unzustellbar)`)
)

// classify decides the Class from the headers and the MIME structure; the
// reason names the sign that decided it, for the audit trail.
func classify(h textproto.Header, m *Message, w *walker) (Class, string) {
	get := func(k string) string { return strings.ToLower(strings.TrimSpace(h.Get(k))) }
	fromLocal, _, _ := splitAddr(m.From.Address)
	daemon := fromLocal == "mailer-daemon" || fromLocal == "postmaster" && bounceSubject.MatchString(m.Subject)

	switch {
	case w.reportType == "delivery-status":
		return ClassBounce, "multipart/report; report-type=delivery-status"
	case len(w.dsn) > 0:
		return ClassBounce, "message/delivery-status part"
	case daemon:
		return ClassBounce, "From: " + m.From.Address
	case w.reportType == "disposition-notification":
		return ClassAutoReply, "multipart/report; report-type=disposition-notification (read receipt)"
	}
	if v := get("Auto-Submitted"); v != "" && v != "no" {
		return ClassAutoReply, "Auto-Submitted: " + v
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder"} {
		if v := get(k); v != "" && v != "no" {
			return ClassAutoReply, k + ": " + v
		}
	}
	// Outlook asks others not to answer its own automatic mail this way;
	// ordinary messages do not carry these values.
	if v := get("X-Auto-Response-Suppress"); v != "" {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			if f == "all" || f == "oof" || f == "autoreply" {
				return ClassAutoReply, "X-Auto-Response-Suppress: " + v
			}
		}
	}
	switch v := get("Precedence"); v {
	case "auto_reply":
		return ClassAutoReply, "Precedence: " + v
	case "bulk", "junk", "list":
		return ClassList, "Precedence: " + v
	}
	if v := h.Get("List-Id"); v != "" {
		return ClassList, "List-Id: " + strings.TrimSpace(v)
	}
	if h.Has("List-Unsubscribe") {
		return ClassList, "List-Unsubscribe"
	}
	if autoSubject.MatchString(m.Subject) {
		return ClassAutoReply, "Subject: " + m.Subject
	}
	// The null reverse path is reserved for notifications (RFC 5321 §4.5.5);
	// auto-replies that use it were caught above by their headers.
	if rp := h.Get("Return-Path"); rp != "" && strings.Trim(strings.TrimSpace(rp), "<>") == "" {
		return ClassBounce, "Return-Path: <>"
	}
	return ClassHuman, ""
}

// dsnBlock is one block of "Field: value" lines in a delivery-status part.
type dsnBlock = textproto.Header

// parseDSN splits a message/delivery-status body into its blocks: the
// per-message one first, then one per recipient.
func parseDSN(b []byte) []dsnBlock {
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	var out []dsnBlock
	for _, block := range strings.Split(text, "\n\n") {
		if strings.TrimSpace(block) == "" {
			continue
		}
		h, err := textproto.ReadHeader(bufio.NewReader(strings.NewReader(strings.TrimLeft(block, "\n") + "\n\n")))
		if err == nil && h.Len() > 0 {
			out = append(out, h)
		}
	}
	return out
}

// bounce gathers the DSN facts found while walking.
func (w *walker) bounce() *Bounce {
	b := &Bounce{OriginalMessageID: w.origID}
	for _, blk := range w.dsn {
		addr := dsnAddress(firstNonEmpty(blk.Get("Final-Recipient"), blk.Get("Original-Recipient")))
		if addr == "" {
			continue // the per-message block
		}
		b.Recipients = append(b.Recipients, BounceRecipient{
			Address:    addr,
			Action:     strings.ToLower(strings.TrimSpace(blk.Get("Action"))),
			Status:     strings.TrimSpace(blk.Get("Status")),
			Diagnostic: strings.TrimSpace(blk.Get("Diagnostic-Code")),
		})
	}
	return b
}

// dsnAddress reads "rfc822; user@example.com".
func dsnAddress(v string) string {
	if _, a, ok := strings.Cut(v, ";"); ok {
		v = a
	}
	return strings.Trim(strings.TrimSpace(v), "<>")
}
