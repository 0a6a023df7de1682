package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

// writeEvent appends one entry to t's audit trail and writes the follow-up
// work it asks for into the outbox, in the caller's transaction. t is the
// ticket as it is after the change.
func (s *Store) writeEvent(ctx context.Context, tx pgx.Tx, t tickets.Ticket, typ string, actor tickets.Actor, before, after map[string]any) (tickets.Event, error) {
	e := tickets.Event{TicketID: t.ID, Type: typ, Actor: actor, Before: before, After: after, At: s.now()}
	err := tx.QueryRow(ctx, `
		insert into events (ticket_id, type, actor_kind, actor_id, actor_name, before, after, at)
		values ($1, $2, $3, $4, $5, $6, $7, $8)
		returning id`,
		e.TicketID, e.Type, string(actor.Kind), actor.ID, actor.Name, jsonMap(before), jsonMap(after), e.At,
	).Scan(&e.ID)
	if err != nil {
		return e, dbError("write event", err)
	}
	if s.opt.Followups == nil {
		return e, nil
	}
	for _, f := range s.opt.Followups(t, e) {
		if err := s.enqueue(ctx, tx, f); err != nil {
			return e, err
		}
	}
	return e, nil
}

// jsonMap stores an empty map as SQL NULL.
func jsonMap(m map[string]any) map[string]any {
	if len(m) == 0 {
		return nil
	}
	return m
}

// ListEvents lists a ticket's audit trail, oldest first.
func (s *Store) ListEvents(ctx context.Context, ref string) ([]tickets.Event, error) {
	id, err := s.ticketID(ctx, s.pool, ref)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `
		select id, ticket_id, type, actor_kind, actor_id, actor_name, before, after, at
		from events where ticket_id = $1 order by id`, id)
	if err != nil {
		return nil, dbError("list events", err)
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (tickets.Event, error) {
		var e tickets.Event
		err := row.Scan(&e.ID, &e.TicketID, &e.Type, &e.Actor.Kind, &e.Actor.ID, &e.Actor.Name, &e.Before, &e.After, &e.At)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list events: %w", err)
	}
	return events, nil
}
