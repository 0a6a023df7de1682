package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
	"hub/tickets/rules"
)

// MaxMessageBytes caps a message body.
const MaxMessageBytes = 64 << 10

const messageColumns = `m.id, m.ticket_id, m.kind, m.body, m.author_kind, m.author_id, m.author_name,
	m.source, m.external_ref, m.created_at, m.edited_at, m.deleted_at`

func scanMessage(row pgx.Row) (tickets.Message, error) {
	var m tickets.Message
	err := row.Scan(&m.ID, &m.TicketID, &m.Kind, &m.Body, &m.Author.Kind, &m.Author.ID, &m.Author.Name,
		&m.Source, &m.ExternalRef, &m.CreatedAt, &m.EditedAt, &m.DeletedAt)
	return m, err
}

// AddMessage adds a message to a ticket (a customer message may reopen it or
// open a follow-up; a first public reply stops the first-response clock).
// It returns the message and the ticket it landed on.
func (s *Store) AddMessage(ctx context.Context, actor tickets.Actor, ref string, m tickets.NewMessage) (tickets.Message, tickets.Ticket, error) {
	var msg tickets.Message
	var t tickets.Ticket
	err := s.inTx(ctx, func(tx pgx.Tx) (err error) {
		msg, t, err = s.addMessage(ctx, tx, actor, ref, m)
		return err
	})
	return msg, t, err
}

func validateMessage(m tickets.NewMessage) error {
	switch m.Kind {
	case tickets.MessageCustomer, tickets.MessageReply, tickets.MessageNote, tickets.MessageSystem:
	default:
		return tickets.Invalid("kind", "message kind must be one of customer, reply, note, system (got %q)", m.Kind)
	}
	if strings.TrimSpace(m.Body) == "" {
		return tickets.Invalid("body", "message body is required")
	}
	if len(m.Body) > MaxMessageBytes {
		return tickets.Invalid("body", "message body is %d bytes; the limit is 64 KiB", len(m.Body))
	}
	if (m.Survey != nil || m.Resolve) && m.Kind != tickets.MessageReply {
		return tickets.Invalid("visibility", "only a public reply can resolve a ticket or carry a survey")
	}
	return nil
}

func (s *Store) addMessage(ctx context.Context, tx pgx.Tx, actor tickets.Actor, ref string, m tickets.NewMessage) (tickets.Message, tickets.Ticket, error) {
	if err := validateMessage(m); err != nil {
		return tickets.Message{}, tickets.Ticket{}, err
	}
	m.ExternalRef = strings.TrimSpace(m.ExternalRef)
	t, err := s.loadTicket(ctx, tx, ref, true)
	if err != nil {
		return tickets.Message{}, t, err
	}
	if m.ExternalRef != "" {
		// The row lock serialises adds to this ticket, so a repeat sees the
		// first one here (on the ticket or on the follow-up it opened).
		if msg, found, err := s.existingMessage(ctx, tx, t.ID, m); err != nil || found {
			if err != nil {
				return msg, t, err
			}
			t, err := s.loadTicket(ctx, tx, msg.TicketID, false)
			return msg, t, err
		}
	}

	before := snapshot(t)
	now := s.now()
	outcome := tickets.Appended
	switch m.Kind {
	case tickets.MessageCustomer:
		if outcome = t.CustomerWrote(now, s.opt.Policy); outcome == tickets.NeedsFollowUp {
			return s.followUp(ctx, tx, actor, t, m)
		}
	case tickets.MessageReply:
		if s.opt.FirstResponseOnDelivery != nil && s.opt.FirstResponseOnDelivery(t) {
			t.UpdatedAt = now // the clock stops when the reply is delivered (EmailReplySent)
		} else {
			t.AgentReplied(now)
		}
	default:
		t.UpdatedAt = now
	}
	if t, err = s.saveChanges(ctx, tx, actor, before, t); err != nil {
		return tickets.Message{}, t, err
	}
	msg, err := s.insertMessage(ctx, tx, actor, t, m)
	if err != nil {
		return msg, t, err
	}
	switch m.Kind {
	case tickets.MessageReply:
		if m.Survey != nil {
			if err := s.insertSurvey(ctx, tx, t, *m.Survey); err != nil {
				return msg, t, err
			}
		}
		if m.Resolve {
			// The resolution reply: the reply, then the status, in one
			// transaction, so a survey link never goes out on a ticket that
			// stayed open.
			before := snapshot(t)
			if _, err := t.SetStatus(tickets.StatusResolved, now, s.opt.Policy); err != nil {
				return msg, before, err
			}
			t, err = s.saveChanges(ctx, tx, actor, before, t)
		}
	case tickets.MessageCustomer:
		if outcome == tickets.Reopened {
			if t, err = s.reassignReopened(ctx, tx, t); err != nil {
				return msg, t, err
			}
		}
		t, err = s.runRules(ctx, tx, t, rules.CustomerMessage, func(c *rules.Context) { c.Message = m.Body })
	}
	return msg, t, err
}

// followUp opens a ticket continuing the closed one, for the same customer,
// and adds the customer's message to it.
// A follow-up still in progress takes further messages, so a customer writing
// three times to a closed ticket opens one ticket, not three.
func (s *Store) followUp(ctx context.Context, tx pgx.Tx, actor tickets.Actor, closed tickets.Ticket, m tickets.NewMessage) (tickets.Message, tickets.Ticket, error) {
	var open string
	err := tx.QueryRow(ctx, `
		select id from tickets where follow_up_of = $1 and status <> 'closed'
		order by created_at desc, id desc limit 1`, closed.ID).Scan(&open)
	if err == nil {
		return s.addMessage(ctx, tx, actor, open, m)
	}
	if !isNoRows(err) {
		return tickets.Message{}, closed, dbError("find follow-up", err)
	}
	in := tickets.NewFollowUp(closed, "")
	in.Description = m.Body
	if m.Source != "" {
		in.Source = m.Source
	}
	t, _, err := s.createTicket(ctx, tx, actor, in, closed.Customer.ID)
	if err != nil {
		return tickets.Message{}, t, err
	}
	msg, err := s.insertMessage(ctx, tx, actor, t, m)
	return msg, t, err
}

// insertMessage stores the message on t and writes its event.
func (s *Store) insertMessage(ctx context.Context, tx pgx.Tx, actor tickets.Actor, t tickets.Ticket, m tickets.NewMessage) (tickets.Message, error) {
	msg, err := scanMessage(tx.QueryRow(ctx, `
		insert into messages as m (ticket_id, kind, body, author_kind, author_id, author_name, source, external_ref, created_at)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		returning `+messageColumns,
		t.ID, m.Kind, m.Body, actor.Kind, actor.ID, actor.Name, m.Source, m.ExternalRef, s.now()))
	if err != nil {
		return msg, dbError("add message", err)
	}
	if err := insertAttachments(ctx, tx, t.ID, msg.ID, m.Attachments, msg.CreatedAt); err != nil {
		return msg, err
	}
	_, err = s.writeEvent(ctx, tx, t, tickets.EventMessageCreated, actor, nil, map[string]any{
		"message_id": msg.ID,
		"kind":       string(msg.Kind),
	})
	return msg, err
}

// existingMessage finds a message with m's source and external ref on the
// ticket or on a follow-up of it.
func (s *Store) existingMessage(ctx context.Context, q querier, ticketID string, m tickets.NewMessage) (tickets.Message, bool, error) {
	msg, err := scanMessage(q.QueryRow(ctx, `
		select `+messageColumns+` from messages m join tickets t on t.id = m.ticket_id
		where (t.id = $1 or t.follow_up_of = $1) and m.source = $2 and m.external_ref = $3
		order by m.id limit 1`, ticketID, m.Source, m.ExternalRef))
	if isNoRows(err) {
		return msg, false, nil
	}
	return msg, err == nil, dbError("find message", err)
}

// ListMessages lists a ticket's messages, oldest first.
func (s *Store) ListMessages(ctx context.Context, ref string) ([]tickets.Message, error) {
	id, err := s.ticketID(ctx, s.pool, ref)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `select `+messageColumns+` from messages m where m.ticket_id = $1 order by m.id`, id)
	if err != nil {
		return nil, dbError("list messages", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (tickets.Message, error) { return scanMessage(row) })
	return list, dbError("list messages", err)
}
