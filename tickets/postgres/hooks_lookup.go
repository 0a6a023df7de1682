package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

// The reads below serve Zapier: its event deliveries and sample lists are
// rendered from the audit trail, and its intake answers with the ticket a
// delivery made.

const eventColumns = `e.id, e.ticket_id, e.type, e.actor_kind, e.actor_id, e.actor_name, e.before, e.after, e.at`

func scanEvent(row pgx.Row) (tickets.Event, error) {
	var e tickets.Event
	err := row.Scan(&e.ID, &e.TicketID, &e.Type, &e.Actor.Kind, &e.Actor.ID, &e.Actor.Name, &e.Before, &e.After, &e.At)
	return e, err
}

// GetEvent loads one audit event.
func (s *Store) GetEvent(ctx context.Context, id int64) (tickets.Event, error) {
	e, err := scanEvent(s.pool.QueryRow(ctx, `select `+eventColumns+` from events e where e.id = $1`, id))
	if isNoRows(err) {
		return e, tickets.Errorf(tickets.ENOTFOUND, "event %d not found", id)
	}
	return e, dbError("get event", err)
}

// RecentEvents lists the newest events of one type (at most limit, 1–100,
// default 10). For ticket.message_created, messageKind keeps one kind of
// message ("" keeps all).
func (s *Store) RecentEvents(ctx context.Context, typ, messageKind string, limit int) ([]tickets.Event, error) {
	rows, err := s.pool.Query(ctx, `
		select `+eventColumns+` from events e
		where e.type = $1 and ($2 = '' or e.after->>'kind' = $2)
		order by e.id desc limit $3`, typ, messageKind, clamp(limit, 10, 100))
	if err != nil {
		return nil, dbError("recent events", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (tickets.Event, error) { return scanEvent(row) })
	return list, dbError("recent events", err)
}

// GetMessage loads one message.
func (s *Store) GetMessage(ctx context.Context, id int64) (tickets.Message, error) {
	m, err := scanMessage(s.pool.QueryRow(ctx, `select `+messageColumns+` from messages m where m.id = $1`, id))
	if isNoRows(err) {
		return m, tickets.Errorf(tickets.ENOTFOUND, "message %d not found", id)
	}
	return m, dbError("get message", err)
}

// TicketByExternalRef finds the ticket a source opened under its own id
// (what an intake delivery with that idempotency key created).
func (s *Store) TicketByExternalRef(ctx context.Context, source tickets.Source, ref string) (tickets.Ticket, bool, error) {
	if ref == "" {
		return tickets.Ticket{}, false, nil
	}
	return s.existingTicket(ctx, s.pool, source, ref, "")
}
