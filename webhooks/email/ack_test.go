package email

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/hibiken/asynq"

	conn "hub/connectors/email"
	"hub/tickets"
	"hub/webhooks"
)

type ackStore struct{ t tickets.Ticket }

func (s ackStore) GetTicket(context.Context, string) (tickets.Ticket, error) { return s.t, nil }

type refusingMailer struct{ err error }

func (refusingMailer) NewMessageID() string { return "<id@example.com>" }
func (m refusingMailer) Send(context.Context, conn.Outgoing) (string, error) {
	return "", m.err
}

// TestAckFailuresCountAsRetries: a mail server that keeps refusing for
// now makes the acknowledgement an ordinary failure, which the pipeline's
// retry limit ends, not a wait that never uses up a retry; a permanent
// refusal is not retried at all.
func TestAckFailuresCountAsRetries(t *testing.T) {
	tk := tickets.Ticket{ID: "t1", Number: 1042, Source: tickets.SourceEmail, Customer: tickets.Customer{Email: "cy@example.com"}}
	payload, _ := json.Marshal(ackPayload{TicketID: tk.ID})
	task := asynq.NewTask(TypeAck, payload)
	for _, tc := range []struct {
		name      string
		err       error
		skipRetry bool
	}{
		{"mailbox full for now", &conn.SendError{Temporary: true, Code: 452, Err: errors.New("mailbox full")}, false},
		{"no such user", &conn.SendError{Code: 550, Err: errors.New("no such user")}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &Acks{Store: ackStore{tk}, Mail: refusingMailer{tc.err}}
			err := a.handle(context.Background(), task)
			if err == nil {
				t.Fatal("a refused acknowledgement succeeded")
			}
			if got := errors.Is(err, asynq.SkipRetry); got != tc.skipRetry {
				t.Errorf("skip retry = %v, want %v (%v)", got, tc.skipRetry, err)
			}
			if !webhooks.IsFailure(err) {
				t.Errorf("%v does not count as a failure: it would be retried without end", err)
			}
		})
	}
}
