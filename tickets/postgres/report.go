package postgres

import (
	"context"
	"time"

	"hub/tickets"
)

// Summary reports on the tickets created in [from, to), as of now.
func (s *Store) Summary(ctx context.Context, from, to time.Time) (tickets.Summary, error) {
	sum := tickets.Summary{From: from, To: to, ByStatus: map[tickets.Status]int{},
		ByPriority: map[tickets.Priority]int{}, BySource: map[tickets.Source]int{}}
	rows, err := s.pool.Query(ctx, `
		select 'status', status, count(*) from tickets where created_at >= $1 and created_at < $2 group by status
		union all
		select 'priority', priority, count(*) from tickets where created_at >= $1 and created_at < $2 group by priority
		union all
		select 'source', source, count(*) from tickets where created_at >= $1 and created_at < $2 group by source`, from, to)
	if err != nil {
		return sum, dbError("report counts", err)
	}
	for rows.Next() {
		var dim, key string
		var n int
		if err := rows.Scan(&dim, &key, &n); err != nil {
			rows.Close()
			return sum, dbError("report counts", err)
		}
		switch dim {
		case "status":
			sum.ByStatus[tickets.Status(key)] = n
			sum.Created += n
		case "priority":
			sum.ByPriority[tickets.Priority(key)] = n
		case "source":
			sum.BySource[tickets.Source(key)] = n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sum, dbError("report counts", err)
	}

	// Durations in seconds, and SLA targets decided by now: met, or
	// breached (late, or unmet and past due while not paused). A ticket
	// closed without being resolved first was resolved when it was closed.
	var fr, res struct {
		n                int
		avg, median, p90 *float64
	}
	err = s.pool.QueryRow(ctx, `
		with t as (
			select extract(epoch from first_response_at - created_at) as fr,
				extract(epoch from coalesce(resolved_at, closed_at) - created_at) as res,
				first_response_at, first_response_due, coalesce(resolved_at, closed_at) as resolved_at,
				resolution_due, paused_at, status
			from tickets where created_at >= $1 and created_at < $2
		)
		select
			count(fr), avg(fr), percentile_cont(0.5) within group (order by fr), percentile_cont(0.9) within group (order by fr),
			count(res), avg(res), percentile_cont(0.5) within group (order by res), percentile_cont(0.9) within group (order by res),
			count(*) filter (where first_response_at <= first_response_due),
			count(*) filter (where first_response_at > first_response_due
				or (first_response_at is null and first_response_due < $3 and paused_at is null and status = 'open')),
			count(*) filter (where resolved_at <= resolution_due),
			count(*) filter (where resolved_at > resolution_due
				or (resolved_at is null and resolution_due < $3 and paused_at is null and status = 'open'))
		from t`, from, to, s.opt.Now()).Scan(
		&fr.n, &fr.avg, &fr.median, &fr.p90,
		&res.n, &res.avg, &res.median, &res.p90,
		&sum.FirstResponseSLA.Met, &sum.FirstResponseSLA.Breached,
		&sum.ResolutionSLA.Met, &sum.ResolutionSLA.Breached)
	if err != nil {
		return sum, dbError("report durations", err)
	}
	sum.FirstResponse = tickets.Durations{Count: fr.n, Average: seconds(fr.avg), Median: seconds(fr.median), P90: seconds(fr.p90)}
	sum.Resolution = tickets.Durations{Count: res.n, Average: seconds(res.avg), Median: seconds(res.median), P90: seconds(res.p90)}
	return sum, nil
}

func seconds(f *float64) time.Duration {
	if f == nil {
		return 0
	}
	return time.Duration(*f * float64(time.Second)).Round(time.Second)
}
