package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

// slaLookahead bounds the tickets WarnSLA reads: no target's at-risk window
// starts further ahead than this (25% of five business days).
const slaLookahead = 4 * 24 * time.Hour

var systemActor = tickets.Actor{Kind: tickets.ActorSystem, ID: "sla", Name: "SLA clock"}

// WarnSLA writes a ticket.sla_warning event (once per ticket, target and
// level) for every open ticket whose first response or resolution is at risk
// or breached at now, and returns how many it wrote. Safe to run from many
// workers at once: each warning is claimed with a conditional update.
func (s *Store) WarnSLA(ctx context.Context, now time.Time) (int, error) {
	rows, err := s.pool.Query(ctx, `
		select id from tickets
		where status = 'open' and paused_at is null
			and ((first_response_at is null and first_response_due < $1) or resolution_due < $1)
		order by resolution_due limit 500`, now.Add(slaLookahead))
	if err != nil {
		return 0, dbError("find tickets near their SLA", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, dbError("find tickets near their SLA", err)
	}
	n := 0
	for _, id := range ids {
		err := s.inTx(ctx, func(tx pgx.Tx) error {
			t, err := s.loadTicket(ctx, tx, id, true)
			if err != nil {
				return err
			}
			st := s.opt.Policy.State(t, now)
			for _, w := range []struct {
				target, column string
				due            time.Time
				atRisk, breach bool
				done           bool
			}{
				{"first_response", "first_response_warned", st.FirstResponseDue, st.FirstResponseAtRisk, st.FirstResponseBreached, t.FirstResponseAt != nil},
				{"resolution", "resolution_warned", st.ResolutionDue, st.ResolutionAtRisk, st.ResolutionBreached, false},
			} {
				if w.done || w.due.IsZero() || (!w.breach && !w.atRisk) {
					continue
				}
				level := "at_risk"
				if w.breach {
					level = "breached"
				}
				mark := level + "@" + w.due.UTC().Format(time.RFC3339)
				tag, err := tx.Exec(ctx, fmt.Sprintf(`update tickets set %s = $2 where id = $1 and %s <> $2`, w.column, w.column), t.ID, mark)
				if err != nil {
					return dbError("record SLA warning", err)
				}
				if tag.RowsAffected() == 0 {
					continue
				}
				if _, err := s.writeEvent(ctx, tx, t, tickets.EventSLAWarning, systemActor, nil, map[string]any{
					"target": w.target, "level": level, "due": w.due.UTC(),
				}); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("SLA warning for ticket %s: %w", id, err)
		}
	}
	return n, nil
}
