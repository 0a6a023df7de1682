package email

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	conn "hub/connectors/email"
	"hub/tickets"
	"hub/webhooks"
)

// Threads is what the decoder reads to thread a message (*postgres.Store).
type Threads interface {
	TicketByEmailID(ctx context.Context, ids []string) (ticketID string, ok bool, err error)
	GetTicket(ctx context.Context, ref string) (tickets.Ticket, error)
}

// Decoder turns a recorded email into ticket commands.
type Decoder struct {
	Threads Threads
	// Addresses reads the per-ticket reply addresses and says which
	// address is the support mailbox itself.
	Addresses *conn.ReplyAddresses
	// MaxAttachmentBytes is how many attachment bytes of one message are
	// kept in Postgres; larger files are listed without their bytes.
	MaxAttachmentBytes int64
}

// Why a message joined the ticket it did, for the audit trail and tests.
const (
	ThreadHeaders      = "headers"
	ThreadReplyAddress = "reply address"
	ThreadSubject      = "subject reference"
	ThreadNew          = "new ticket"
)

// Decode implements webhooks.Decoder.
func (dec *Decoder) Decode(ctx context.Context, d tickets.Delivery) (webhooks.Decoded, error) {
	m, err := conn.Parse(d.Body, conn.ParseOptions{MaxAttachmentBytes: dec.MaxAttachmentBytes})
	if err != nil {
		return webhooks.Decoded{}, webhooks.Permanent(err)
	}
	if m.Class == conn.ClassBounce {
		if out, ok, err := dec.bounced(ctx, d, m); err != nil || ok {
			return out, err
		}
	}
	if m.Class != conn.ClassHuman {
		// Recorded (the delivery keeps the raw message and this reason)
		// and never answered: answering robots is how mail loops start.
		return webhooks.Decoded{Ignore: fmt.Sprintf("%s (%s): recorded, no ticket", m.Class, m.ClassReason)}, nil
	}
	from := tickets.NormaliseEmail(m.From.Address)
	if from == "" {
		return webhooks.Decoded{Ignore: "no sender address: recorded, no ticket"}, nil
	}
	if dec.Addresses != nil && dec.Addresses.Serves(from) {
		return webhooks.Decoded{Ignore: "sent from the support address itself: recorded, no ticket (mail loop)"}, nil
	}
	ref, _, err := dec.Thread(ctx, d, m)
	if err != nil {
		return webhooks.Decoded{}, err
	}
	actor := tickets.Actor{Kind: tickets.ActorCustomer, ID: from, Name: m.From.Name}
	cust := tickets.CustomerInput{Email: from, Name: m.From.Name}
	body := messageBody(m)
	extRef := m.MessageID
	if extRef == "" {
		extRef = d.Key
	}
	atts := attachments(m)
	if ref == "" {
		return webhooks.Decoded{Actor: actor, Commands: []tickets.Command{tickets.NewTicket{
			Subject: subject(m.Subject), Description: body, Customer: cust,
			Source: tickets.SourceEmail, ExternalRef: extRef, Attachments: atts,
		}}}, nil
	}
	return webhooks.Decoded{Actor: actor, Commands: []tickets.Command{tickets.AddMessage{Ref: ref, Message: tickets.NewMessage{
		Kind: tickets.MessageCustomer, Body: body, Source: tickets.SourceEmail,
		ExternalRef: extRef, Customer: &cust, Attachments: atts,
	}}}}, nil
}

// Thread finds the ticket a message joins and how: by the Message-IDs it
// answers, by the ticket's reply address among its recipients, or by a
// [T-1042] subject reference when the sender is that ticket's customer
// (anyone can type a reference; only the customer's own address may use
// one). ref is "" for a new ticket.
func (dec *Decoder) Thread(ctx context.Context, d tickets.Delivery, m *conn.Message) (ref, how string, err error) {
	ids := append(append([]string(nil), m.InReplyTo...), m.References...)
	if id, ok, err := dec.Threads.TicketByEmailID(ctx, ids); err != nil || ok {
		return id, ThreadHeaders, err
	}
	if dec.Addresses != nil {
		var rcpts []string
		if v := d.Headers["rcpt"]; v != "" {
			rcpts = strings.Split(v, ",")
		}
		for _, a := range append(append([]mail.Address(nil), m.To...), m.Cc...) {
			rcpts = append(rcpts, a.Address)
		}
		if n, ok := dec.Addresses.Ticket(rcpts...); ok {
			t, err := dec.Threads.GetTicket(ctx, tickets.FormatNumber(n))
			switch {
			case err == nil:
				return t.ID, ThreadReplyAddress, nil
			case tickets.ErrorCode(err) != tickets.ENOTFOUND:
				return "", "", err
			}
		}
	}
	if n, ok := conn.SubjectTicket(m.Subject); ok {
		t, err := dec.Threads.GetTicket(ctx, tickets.FormatNumber(n))
		switch {
		case err == nil:
			if t.Customer.Email != "" && strings.EqualFold(t.Customer.Email, tickets.NormaliseEmail(m.From.Address)) {
				return t.ID, ThreadSubject, nil
			}
		case tickets.ErrorCode(err) != tickets.ENOTFOUND:
			return "", "", err
		}
	}
	return "", ThreadNew, nil
}

// maxBody keeps a message within what the store takes.
const maxBody = 60 << 10

// messageBody is the customer's new text (quoted history trimmed), cut to
// fit; a message with files only says so.
func messageBody(m *conn.Message) string {
	body := strings.TrimSpace(m.Reply)
	if body == "" {
		body = strings.TrimSpace(m.Text)
	}
	if body == "" {
		if len(m.Attachments) > 0 {
			body = fmt.Sprintf("(no text; %d attachment(s))", len(m.Attachments))
		} else {
			body = "(empty message)"
		}
	}
	if len(body) > maxBody {
		cut := maxBody
		for cut > 0 && !utf8.RuneStart(body[cut]) {
			cut--
		}
		body = body[:cut] + "\n\n[… cut; the whole message is kept with the delivery]"
	}
	return body
}

func subject(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return "(no subject)"
	}
	return s
}

func attachments(m *conn.Message) []tickets.Attachment {
	var out []tickets.Attachment
	for _, a := range m.Attachments {
		name := a.Filename
		if name == "" && a.ContentID != "" {
			name = a.ContentID
		}
		out = append(out, tickets.Attachment{
			Filename: name, ContentType: a.ContentType, Size: a.Size,
			Omitted: a.Omitted, Data: a.Data,
		})
	}
	return out
}

var bounceActor = tickets.Actor{Kind: tickets.ActorSystem, ID: "email", Name: "Email"}

// bounced writes a bounce of a reply the hub sent on that reply's ticket,
// so the agent learns the customer never got it; ok is false for any
// other bounce (recorded and ignored like all robot mail).
func (dec *Decoder) bounced(ctx context.Context, d tickets.Delivery, m *conn.Message) (webhooks.Decoded, bool, error) {
	if m.Bounce == nil || m.Bounce.OriginalMessageID == "" {
		return webhooks.Decoded{}, false, nil
	}
	id, ok, err := dec.Threads.TicketByEmailID(ctx, []string{m.Bounce.OriginalMessageID})
	if err != nil || !ok {
		return webhooks.Decoded{}, false, err
	}
	var lines []string
	for _, r := range m.Bounce.Recipients {
		if r.Action != "" && r.Action != "failed" && r.Action != "delayed" {
			continue
		}
		l := r.Address + ": " + r.Action
		if r.Status != "" {
			l += " (" + r.Status + ")"
		}
		if r.Diagnostic != "" {
			l += " " + strings.Join(strings.Fields(r.Diagnostic), " ")
		}
		lines = append(lines, l)
	}
	body := "A reply emailed from this ticket bounced: the customer did not get it."
	if len(lines) > 0 {
		body += "\n" + strings.Join(lines, "\n")
	}
	return webhooks.Decoded{Actor: bounceActor, Commands: []tickets.Command{tickets.AddMessage{Ref: id, Message: tickets.NewMessage{
		Kind: tickets.MessageSystem, Body: body, Source: tickets.SourceEmail, ExternalRef: "bounce:" + d.Key,
	}}}}, true, nil
}
