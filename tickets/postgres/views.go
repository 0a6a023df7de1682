package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"hub/tickets"
)

// nextDueSQL is tickets.Ticket.NextDue in SQL (least ignores nulls), with
// tickets that have no due time last. The index tickets_next_due_idx is on
// this very expression, so sorting by it reads the index in order.
const nextDueSQL = `coalesce(case when t.first_response_at is null
		then least(t.first_response_due, t.resolution_due) else t.resolution_due end, '9999-01-01 00:00:00+00'::timestamptz)`

// farFuture is the key of tickets without a due time (in nextDueSQL too).
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// dueKey is a ticket's sort key under SortDue, as the cursor keeps it.
func dueKey(t tickets.Ticket) time.Time {
	if d := t.NextDue(); !d.IsZero() {
		return d
	}
	return farFuture
}

// breachedSQL is tickets.Policy.State's breach: a target met late, or not
// met and past its due time.
const breachedSQL = `((t.first_response_due is not null and case when t.first_response_at is null
		then t.first_response_due < $NOW else t.first_response_at > t.first_response_due end)
	or (t.resolution_due is not null and case when t.resolved_at is null
		then t.resolution_due < $NOW else t.resolved_at > t.resolution_due end))`

// atRiskSQL is tickets.Policy.State's at-risk rule for a running ticket:
// no target breached, and a target not yet met is past its risk instant,
// which the hub stored with the due times (worked out with the business
// calendar). Tickets from before the risk instants were stored fall back
// to the wall-clock rule: a quarter of the time from clock start to due
// left, and at least the last 15 minutes.
const atRiskSQL = `not ` + breachedSQL + `
	and ((t.first_response_at is null and $NOW > coalesce(t.first_response_risk_at,
			t.first_response_due - greatest((t.first_response_due - t.clock_start) / 4, interval '15 minutes')))
		or (t.resolved_at is null and $NOW > coalesce(t.resolution_risk_at,
			t.resolution_due - greatest((t.resolution_due - t.clock_start) / 4, interval '15 minutes'))))`

// viewWhere is the condition for view v at now ("" for every ticket).
func viewWhere(v tickets.View, me string, now time.Time, arg func(any) string) (string, error) {
	active := "t.status in ('open', 'pending')"
	running := "t.status = 'open' and t.paused_at is null"
	switch v {
	case tickets.ViewAll:
		return "", nil
	case tickets.ViewMine:
		return active + " and t.assignee = " + arg(tickets.NormaliseEmail(me)), nil
	case tickets.ViewUnassigned:
		return active + " and t.assignee = ''", nil
	case tickets.ViewWaiting:
		return "t.status = 'pending'", nil
	case tickets.ViewBreached:
		return running + " and " + strings.ReplaceAll(breachedSQL, "$NOW", arg(now)), nil
	case tickets.ViewAtRisk:
		return running + " and " + strings.ReplaceAll(atRiskSQL, "$NOW", arg(now)), nil
	}
	return "", tickets.Invalid("view", "unknown view %q", v)
}

// CountViews counts the tickets in every view for agent me at now, in one
// pass over the active tickets.
func (s *Store) CountViews(ctx context.Context, me string, now time.Time) (tickets.ViewCounts, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	var cols string
	views := []tickets.View{tickets.ViewMine, tickets.ViewUnassigned, tickets.ViewAtRisk, tickets.ViewBreached, tickets.ViewWaiting}
	for _, v := range views {
		cond, err := viewWhere(v, me, now, arg)
		if err != nil {
			return nil, err
		}
		cols += ", count(*) filter (where " + cond + ")"
	}
	counts := make([]int, len(views)+1)
	dest := make([]any, len(counts))
	for i := range counts {
		dest[i] = &counts[i]
	}
	err := s.pool.QueryRow(ctx, `select (select count(*) from tickets)`+cols+`
		from tickets t where t.status in ('open', 'pending')`, args...).Scan(dest...)
	if err != nil {
		return nil, dbError("count views", err)
	}
	out := tickets.ViewCounts{tickets.ViewAll: counts[0]}
	for i, v := range views {
		out[v] = counts[i+1]
	}
	return out, nil
}
