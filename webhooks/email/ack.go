package email

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"

	"github.com/hibiken/asynq"

	conn "hub/connectors/email"
	"hub/tickets"
)

// TypeAck emails the acknowledgement of a ticket opened by email.
const TypeAck = "email:ack"

type ackPayload struct {
	TicketID string `json:"ticket_id"`
}

// Acks tells a customer whose email opened a ticket that it arrived, with
// the ticket's reference. It is marked as an automatic reply
// (Auto-Submitted), so other robots do not answer it, and it goes only to
// mail the decoder judged human: out-of-office replies and bounces never
// open tickets, so they are never acknowledged.
type Acks struct {
	Store interface {
		GetTicket(context.Context, string) (tickets.Ticket, error)
	}
	Mail      Mailer
	Addresses *conn.ReplyAddresses
}

// Register adds the task handler to mux.
func (a *Acks) Register(mux *asynq.ServeMux) { mux.HandleFunc(TypeAck, a.handle) }

// Followups asks for an acknowledgement when email opens a ticket. The
// outbox runs it once (until the mail server accepts it).
func (a *Acks) Followups(t tickets.Ticket, e tickets.Event) []tickets.Followup {
	if e.Type != tickets.EventCreated || t.Source != tickets.SourceEmail || t.Customer.Email == "" {
		return nil
	}
	b, _ := json.Marshal(ackPayload{TicketID: t.ID})
	return []tickets.Followup{{Type: TypeAck, Payload: b, Unique: t.ID}}
}

func (a *Acks) handle(ctx context.Context, task *asynq.Task) error {
	var p ackPayload
	if err := json.Unmarshal(task.Payload(), &p); err != nil || p.TicketID == "" {
		return fmt.Errorf("email: ack: bad payload: %w", asynq.SkipRetry)
	}
	t, err := a.Store.GetTicket(ctx, p.TicketID)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	_, err = a.Mail.Send(ctx, AckMessage(t, a.Addresses))
	if err != nil && !conn.IsTemporary(err) {
		return fmt.Errorf("email: ack for %s: %w: %w", t.Ref(), err, asynq.SkipRetry)
	}
	if err != nil {
		// A temporary refusal is an ordinary failure: the pipeline's backoff
		// and retry limit apply, so a mailbox that stays full is not asked
		// again every minute for ever (webhooks.Wait would not count).
		return fmt.Errorf("email: ack for %s: %w", t.Ref(), err)
	}
	return nil
}

// AckMessage is the acknowledgement of ticket t.
func AckMessage(t tickets.Ticket, addrs *conn.ReplyAddresses) conn.Outgoing {
	text := fmt.Sprintf("Hello,\n\nThanks for your message: it reached our support team as ticket %s, and we will answer as soon as we can.\n\n"+
		"To add anything, reply to this email.\n", t.Ref())
	out := conn.Outgoing{
		To:        []mail.Address{{Name: t.Customer.Name, Address: t.Customer.Email}},
		Subject:   ReplySubject(t),
		Text:      text,
		HTML:      ReplyHTML(text),
		AutoReply: true,
	}
	if strings.Contains(t.ExternalRef, "@") { // the Message-ID of the mail that opened it
		out.InReplyTo = t.ExternalRef
	}
	if addrs != nil {
		out.ReplyTo = addrs.For(t.Number)
	}
	return out
}
