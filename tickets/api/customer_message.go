package api

import (
	"context"
	"net/http"
	"strings"

	"hub/tickets"
)

// customerMessageBody is a customer's message fed in from elsewhere (a
// Gmail or Outlook Zap where the hub's own email is not set up).
type customerMessageBody struct {
	Ticket     idString      `json:"ticket"` // T-1042, 1042 or the ticket's id
	Customer   *customerBody `json:"customer"`
	Email      string        `json:"email"`
	Name       string        `json:"name"`
	Subject    string        `json:"subject"`
	Body       string        `json:"body"`
	ExternalID string        `json:"external_id"` // e.g. the mail's id: a replay adds nothing
}

type customerMessageAdded struct {
	Message *Message `json:"message"` // null when the message opened a ticket
	Ticket  Ticket   `json:"ticket"`
	Created bool     `json:"created"`
}

// addCustomerMessage adds a customer's message to the ticket named, or
// else to the customer's latest ticket (reopening it, or opening a
// follow-up when it is closed), or else opens a ticket with it.
func (s *Server) addCustomerMessage(w http.ResponseWriter, r *http.Request) error {
	var b customerMessageBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if b.Customer != nil {
		b.Email, b.Name = firstNonEmpty(b.Email, b.Customer.Email), firstNonEmpty(b.Name, b.Customer.Name)
	}
	b.Body, b.ExternalID = strings.TrimSpace(b.Body), strings.TrimSpace(b.ExternalID)
	ref := strings.TrimSpace(string(b.Ticket))
	email := tickets.NormaliseEmail(b.Email)
	if b.Body == "" {
		return tickets.Invalid("body", "body is required: the customer's message")
	}
	if ref == "" && email == "" {
		return tickets.Invalid("ticket", "give the ticket (T-1042) or the customer's email")
	}
	if len(b.ExternalID) > maxRef {
		return tickets.Invalid("external_id", "external_id must be at most %d characters", maxRef)
	}
	if ref == "" && b.ExternalID != "" {
		// A replay of a call that opened a ticket: answer with it.
		if f, ok := s.store.(externalRefs); ok {
			t, found, err := f.TicketByExternalRef(r.Context(), tickets.SourceAPI, b.ExternalID)
			if err != nil {
				return err
			}
			if found {
				return s.reply(w, r, http.StatusOK, customerMessageAdded{Ticket: s.ticketJSON(t, s.now())})
			}
		}
	}
	if ref == "" {
		list, _, err := s.store.ListTickets(r.Context(), tickets.Filter{Email: email, Limit: 1, Rows: true})
		if err != nil {
			return err
		}
		if len(list) == 0 {
			t, created, err := s.store.CreateTicket(r.Context(), actor(r), tickets.NewTicket{
				Subject: strings.TrimSpace(b.Subject), Description: b.Body, Source: tickets.SourceAPI,
				ExternalRef: b.ExternalID, Customer: tickets.CustomerInput{Email: email, Name: strings.TrimSpace(b.Name)},
			})
			if err != nil {
				return err
			}
			status := http.StatusOK
			if created {
				status = http.StatusCreated
			}
			return s.reply(w, r, status, customerMessageAdded{Ticket: s.ticketJSON(t, s.now()), Created: created})
		}
		ref = list[0].ID
	}
	in := tickets.CustomerInput{Email: email, Name: strings.TrimSpace(b.Name)}
	msg, t, err := s.store.AddMessage(r.Context(), actor(r), ref, tickets.NewMessage{
		Kind: tickets.MessageCustomer, Body: b.Body, Source: tickets.SourceAPI, ExternalRef: b.ExternalID, Customer: &in,
	})
	if err != nil {
		return err
	}
	m := MessageJSON(msg)
	return s.reply(w, r, http.StatusCreated, customerMessageAdded{Message: &m, Ticket: s.ticketJSON(t, s.now())})
}

// externalRefs finds a ticket by the reference its source gave it
// (*postgres.Store).
type externalRefs interface {
	TicketByExternalRef(ctx context.Context, source tickets.Source, ref string) (tickets.Ticket, bool, error)
}

func firstNonEmpty(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
