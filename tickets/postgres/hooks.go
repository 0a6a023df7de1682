package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

// Hook is the domain's hook subscription, stored in the hooks table.
type Hook = tickets.Hook

const hookColumns = `h.id, h.api_key_id, h.target_url, h.event, h.message_kind, h.created_at,
	h.failures, h.last_error, h.last_success_at, h.paused_at`

func scanHook(row pgx.Row) (Hook, error) {
	var h Hook
	err := row.Scan(&h.ID, &h.APIKeyID, &h.TargetURL, &h.Event, &h.MessageKind, &h.CreatedAt,
		&h.Failures, &h.LastError, &h.LastSuccessAt, &h.PausedAt)
	return h, err
}

// SaveHook subscribes h.TargetURL to h.Event for h.APIKeyID. Subscribing
// the same (key, event, target, kind) again returns the existing hook with
// created=false, un-paused and with its failures forgotten: Zapier
// subscribes again when a Zap is turned back on. A key may hold at most
// max hooks; one more is an ECONFLICT error.
func (s *Store) SaveHook(ctx context.Context, h Hook, max int) (saved Hook, created bool, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		// The key's row lock serialises its subscribes, so the cap holds
		// under concurrent requests.
		var id string
		err := tx.QueryRow(ctx, `select id from api_keys where id = $1 and revoked_at is null for update`, h.APIKeyID).Scan(&id)
		if isNoRows(err) {
			return tickets.Errorf(tickets.EUNAUTHORIZED, "API key not found or revoked")
		}
		if err != nil {
			return dbError("lock API key", err)
		}
		saved, err = scanHook(tx.QueryRow(ctx, `
			update hooks h set paused_at = null, failures = 0, failing_since = null, last_error = ''
			where api_key_id = $1 and event = $2 and target_url = $3 and message_kind = $4
			returning `+hookColumns, h.APIKeyID, h.Event, h.TargetURL, h.MessageKind))
		if err == nil || !isNoRows(err) {
			return dbError("save hook", err)
		}
		var n int
		if err := tx.QueryRow(ctx, `select count(*) from hooks where api_key_id = $1`, h.APIKeyID).Scan(&n); err != nil {
			return dbError("count hooks", err)
		}
		if n >= max {
			return tickets.Errorf(tickets.ECONFLICT, "this API key already has %d hook subscriptions, the limit; unsubscribe some first", n)
		}
		saved, err = scanHook(tx.QueryRow(ctx, `
			insert into hooks as h (api_key_id, target_url, event, message_kind, created_at)
			values ($1, $2, $3, $4, $5)
			returning `+hookColumns, h.APIKeyID, h.TargetURL, h.Event, h.MessageKind, s.now()))
		created = err == nil
		return dbError("save hook", err)
	})
	return saved, created, err
}

// DeleteHook unsubscribes a key's hook. A hook that is already gone (or an
// id that names none) is not an error, so Zapier may unsubscribe twice;
// another key's hook is ENOTFOUND.
func (s *Store) DeleteHook(ctx context.Context, apiKeyID, id string) error {
	uid, ok := canonicalUUID(id)
	if !ok {
		return nil
	}
	var deleted, exists bool
	err := s.pool.QueryRow(ctx, `
		with del as (delete from hooks where id = $1 and api_key_id = $2 returning id)
		select exists (select 1 from del), exists (select 1 from hooks where id = $1)`,
		uid, apiKeyID).Scan(&deleted, &exists)
	if err != nil {
		return dbError("delete hook", err)
	}
	if !deleted && exists {
		return tickets.Errorf(tickets.ENOTFOUND, "hook %s not found", id)
	}
	return nil
}

// RemoveHook deletes a hook whatever key owns it: its target answered 410.
func (s *Store) RemoveHook(ctx context.Context, id string) error {
	_, err := s.pool.Exec(ctx, `delete from hooks where id = $1`, id)
	return dbError("remove hook", err)
}

// ListHooks lists a key's hooks, oldest first.
func (s *Store) ListHooks(ctx context.Context, apiKeyID string) ([]Hook, error) {
	rows, err := s.pool.Query(ctx, `select `+hookColumns+` from hooks h where h.api_key_id = $1 order by h.created_at, h.id`, apiKeyID)
	if err != nil {
		return nil, dbError("list hooks", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Hook, error) { return scanHook(row) })
	return list, dbError("list hooks", err)
}

// HooksFor lists the hooks an event of this type goes to: not paused, and
// subscribed by a key that is not revoked.
func (s *Store) HooksFor(ctx context.Context, event string) ([]Hook, error) {
	rows, err := s.pool.Query(ctx, `
		select `+hookColumns+` from hooks h join api_keys k on k.id = h.api_key_id
		where h.event = $1 and h.paused_at is null and k.revoked_at is null
		order by h.created_at, h.id`, event)
	if err != nil {
		return nil, dbError("hooks for event", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Hook, error) { return scanHook(row) })
	return list, dbError("hooks for event", err)
}
