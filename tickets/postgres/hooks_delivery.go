package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// ClaimHookDelivery claims the delivery of an event to a hook before it is
// POSTed. It is false when the hook already got the event, when another
// worker's claim younger than lease is in flight, or when the hook is gone.
// A claim older than lease (its worker died mid-POST) is taken over: the
// hook may then get the event twice, never zero times.
func (s *Store) ClaimHookDelivery(ctx context.Context, hookID string, eventID int64, lease time.Duration) (bool, error) {
	now := s.now()
	var one int
	err := s.pool.QueryRow(ctx, `
		insert into hook_deliveries as d (hook_id, event_id, claimed_at) values ($1, $2, $3)
		on conflict (hook_id, event_id) do update set claimed_at = excluded.claimed_at
			where d.delivered_at is null and d.claimed_at < $4
		returning 1`, hookID, eventID, now, now.Add(-lease)).Scan(&one)
	switch {
	case err == nil:
		return true, nil
	case isNoRows(err), hasCode(err, "23503"): // claimed, delivered, or the hook or event is gone
		return false, nil
	}
	return false, dbError("claim hook delivery", err)
}

// HookDeliveryHeldUntil tells, after a claim failed, whether another
// attempt holds the delivery (claimed, no outcome recorded) and until when
// its claim protects it; zero when the delivery is done or gone. An
// attempt whose worker died never records an outcome: its claim must run
// out and the delivery be tried again, not be taken as delivered.
func (s *Store) HookDeliveryHeldUntil(ctx context.Context, hookID string, eventID int64, lease time.Duration) (time.Time, error) {
	var claimed time.Time
	err := s.pool.QueryRow(ctx, `
		select claimed_at from hook_deliveries
		where hook_id = $1 and event_id = $2 and delivered_at is null`, hookID, eventID).Scan(&claimed)
	switch {
	case isNoRows(err):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, dbError("look up hook delivery", err)
	}
	return claimed.Add(lease), nil
}

// HookDelivered records that the hook got the event and clears its failures.
func (s *Store) HookDelivered(ctx context.Context, hookID string, eventID int64) error {
	now := s.now()
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `update hook_deliveries set delivered_at = $3 where hook_id = $1 and event_id = $2`,
			hookID, eventID, now); err != nil {
			return dbError("record hook delivery", err)
		}
		_, err := tx.Exec(ctx, `update hooks set failures = 0, failing_since = null, last_error = '', last_success_at = $2 where id = $1`, hookID, now)
		return dbError("record hook delivery", err)
	})
}

// HookFailed releases the claim (a retry may try again) and counts one
// more consecutive failure with its reason. A hook that has failed at least
// pauseAfter times in a row, for longer than pauseWindow, is paused: a short
// outage at Zapier with many events in flight pauses nothing. paused
// reports that this failure paused it.
func (s *Store) HookFailed(ctx context.Context, hookID string, eventID int64, reason string, pauseAfter int, pauseWindow time.Duration) (paused bool, err error) {
	now := s.now()
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `delete from hook_deliveries where hook_id = $1 and event_id = $2 and delivered_at is null`,
			hookID, eventID); err != nil {
			return dbError("release hook delivery", err)
		}
		err := tx.QueryRow(ctx, `
			with old as (select id, paused_at from hooks where id = $1 for update)
			update hooks h set failures = h.failures + 1, last_error = left($2, 500),
				failing_since = coalesce(h.failing_since, $4),
				paused_at = case
					when h.paused_at is null and h.failures + 1 >= $3 and coalesce(h.failing_since, $4) <= $5 then $4
					else h.paused_at end
			from old where h.id = old.id
			returning old.paused_at is null and h.paused_at is not null`,
			hookID, reason, pauseAfter, now, now.Add(-pauseWindow)).Scan(&paused)
		if isNoRows(err) {
			return nil // unsubscribed meanwhile
		}
		return dbError("record hook failure", err)
	})
	return paused, err
}
