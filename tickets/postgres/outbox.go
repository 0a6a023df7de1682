package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

// enqueue writes a follow-up into the outbox in the caller's transaction. A
// follow-up with a Unique key coalesces with a pending one of the same type
// (the partial unique index on pending rows decides).
func (s *Store) enqueue(ctx context.Context, q querier, f tickets.Followup) error {
	now := s.now()
	payload := f.Payload
	if payload == nil {
		payload = []byte{}
	}
	_, err := q.Exec(ctx, `
		insert into outbox (type, payload, unique_key, run_at, created_at)
		values ($1, $2, $3, $4, $5)
		on conflict (type, unique_key) where done_at is null and unique_key <> '' do nothing`,
		f.Type, payload, f.Unique, now.Add(f.Delay), now)
	return dbError("write outbox", err)
}

// PendingOutbox returns outbox items not done whose run time is before the
// cutoff, oldest first.
func (s *Store) PendingOutbox(ctx context.Context, before time.Time, limit int) ([]tickets.OutboxItem, error) {
	rows, err := s.pool.Query(ctx, `
		select id, type, payload, unique_key, run_at, created_at
		from outbox
		where done_at is null and run_at <= $1
		order by run_at, id
		limit $2`, before, clamp(limit, 100, 1000))
	if err != nil {
		return nil, dbError("pending outbox", err)
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (tickets.OutboxItem, error) {
		var it tickets.OutboxItem
		err := row.Scan(&it.ID, &it.Type, &it.Payload, &it.Unique, &it.RunAt, &it.CreatedAt)
		return it, err
	})
	return items, dbError("pending outbox", err)
}

// CompleteOutbox marks an outbox item done. Completing it again is a no-op.
func (s *Store) CompleteOutbox(ctx context.Context, id int64) error {
	var done bool
	err := s.pool.QueryRow(ctx, `
		with upd as (
			update outbox set done_at = $2 where id = $1 and done_at is null returning id
		)
		select exists (select 1 from upd) or exists (select 1 from outbox where id = $1)`,
		id, s.now()).Scan(&done)
	if err != nil {
		return dbError("complete outbox", err)
	}
	if !done {
		return tickets.Errorf(tickets.ENOTFOUND, "outbox item %d not found", id)
	}
	return nil
}

// clamp returns n limited to 1..max, or def when n is not set.
func clamp(n, def, max int) int {
	switch {
	case n == 0:
		return def
	case n < 1:
		return 1
	case n > max:
		return max
	}
	return n
}
