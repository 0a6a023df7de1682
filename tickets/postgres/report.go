package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

// The report's queries each read the period's tickets once, grouped in the
// database (grouping sets, ordered-set aggregates), and go to the server
// in one batch: the cost grows with the period's tickets, not with the
// number of figures, and no ticket is shipped to Go. BenchmarkSummary100k
// measures a year of 100,000 tickets.

// periodTickets is the period's tickets ($1 <= created_at < $2) with what
// the times and SLA are computed from. A ticket closed without being
// resolved first was resolved when it was closed. An SLA target is decided
// (met 1, breached 0) when it was met, missed, or is past due while the
// ticket is open and its clock running ($3 is now); else it is null.
const periodTickets = `
	with t as (
		select priority, assignee,
			extract(epoch from first_response_at - created_at) as fr,
			extract(epoch from coalesce(resolved_at, closed_at) - created_at) as res,
			case when first_response_at <= first_response_due then 1
				when first_response_at > first_response_due
					or (first_response_at is null and first_response_due < $3 and paused_at is null and status = 'open') then 0
			end as fr_met,
			case when coalesce(resolved_at, closed_at) <= resolution_due then 1
				when coalesce(resolved_at, closed_at) > resolution_due
					or (coalesce(resolved_at, closed_at) is null and resolution_due < $3 and paused_at is null and status = 'open') then 0
			end as res_met
		from tickets where created_at >= $1 and created_at < $2
	)`

// timesSQL gives the times and SLA overall (kind 'all'), per priority and
// per assignee.
const timesSQL = periodTickets + `
	select case when grouping(priority) = 0 then 'priority' when grouping(assignee) = 0 then 'agent' else 'all' end,
		coalesce(priority, assignee, ''), count(*),
		count(fr), avg(fr), percentile_cont(0.5) within group (order by fr), percentile_cont(0.9) within group (order by fr),
		count(res), avg(res), percentile_cont(0.5) within group (order by res), percentile_cont(0.9) within group (order by res),
		count(*) filter (where fr_met = 1), count(*) filter (where fr_met = 0),
		count(*) filter (where res_met = 1), count(*) filter (where res_met = 0)
	from t group by grouping sets ((), (priority), (assignee))`

// volumeSQL counts the period's tickets by status, priority, source,
// store, team, UTC day and tag.
const volumeSQL = `
	with t as (
		select status, priority, source, store, team, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day
		from tickets where created_at >= $1 and created_at < $2
	)
	select case when grouping(status) = 0 then 'status' when grouping(priority) = 0 then 'priority'
			when grouping(source) = 0 then 'source' when grouping(store) = 0 then 'store'
			when grouping(team) = 0 then 'team' else 'day' end,
		coalesce(status, priority, source, store, team, day), count(*)
	from t group by grouping sets ((status), (priority), (source), (store), (team), (day))
	union all
	select 'tag', tag, count(*) from tickets, unnest(tags) as tag
	where created_at >= $1 and created_at < $2 group by tag`

// backlogSQL counts the tickets waiting at $1 by age ($2: the brackets'
// upper bounds in seconds, youngest first; older than all is the last).
const backlogSQL = `
	select status, coalesce(width_bucket(extract(epoch from $1 - created_at), $2::float8[]), 0), count(*)
	from tickets where status in ('open', 'pending') group by 1, 2`

const csatSQL = `
	select count(*), count(answered_at), coalesce(sum(score), 0),
		count(*) filter (where score = 1), count(*) filter (where score = 2), count(*) filter (where score = 3),
		count(*) filter (where score = 4), count(*) filter (where score = 5)
	from surveys where created_at >= $1 and created_at < $2`

const topCustomersSQL = `
	select c.email, c.name, x.n from (
		select customer_id, count(*) as n from tickets
		where created_at >= $1 and created_at < $2 and customer_id is not null
		group by customer_id order by n desc limit $3
	) x join customers c on c.id = x.customer_id
	order by x.n desc, c.email, c.name`

const topOrdersSQL = `
	select o.store, o.order_id, o.order_number, count(*) as n
	from tickets t join ticket_orders x on x.ticket_id = t.id
		join orders o on o.store = x.store and o.order_id = x.order_id
	where t.created_at >= $1 and t.created_at < $2
	group by o.store, o.order_id, o.order_number order by n desc, o.store, o.order_id limit $3`

// topN is how many customers and orders the report names.
const topN = 10

// Summary reports on the tickets created in [from, to), as of now.
func (s *Store) Summary(ctx context.Context, from, to time.Time) (tickets.Summary, error) {
	now := s.now()
	sum := tickets.Summary{From: from, To: to, ByStatus: map[tickets.Status]int{},
		ByPriority: map[tickets.Priority]int{}, BySource: map[tickets.Source]int{},
		Backlog: tickets.Backlog{At: now, ByAge: make([]int, len(tickets.BacklogAges))}}
	var bounds []float64
	for _, a := range tickets.BacklogAges {
		if a.Under > 0 {
			bounds = append(bounds, a.Under.Seconds())
		}
	}
	// width_bucket wants the lower bounds: 0 then each upper bound.
	bounds = append([]float64{0}, bounds...)

	b := &pgx.Batch{}
	b.Queue(volumeSQL, from, to).Query(func(rows pgx.Rows) error { return s.scanVolume(rows, &sum) })
	b.Queue(timesSQL, from, to, now).Query(func(rows pgx.Rows) error { return scanTimes(rows, &sum) })
	b.Queue(backlogSQL, now, bounds).Query(func(rows pgx.Rows) error { return scanBacklog(rows, &sum.Backlog) })
	b.Queue(csatSQL, from, to).QueryRow(func(row pgx.Row) error {
		c := &sum.CSAT
		return row.Scan(&c.Sent, &c.Answered, &c.Sum, &c.ByScore[0], &c.ByScore[1], &c.ByScore[2], &c.ByScore[3], &c.ByScore[4])
	})
	b.Queue(topCustomersSQL, from, to, topN).Query(func(rows pgx.Rows) error {
		var err error
		sum.TopCustomers, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (tickets.CustomerCount, error) {
			var c tickets.CustomerCount
			return c, r.Scan(&c.Email, &c.Name, &c.N)
		})
		return err
	})
	b.Queue(topOrdersSQL, from, to, topN).Query(func(rows pgx.Rows) error {
		var err error
		sum.TopOrders, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (tickets.OrderCount, error) {
			var o tickets.OrderCount
			return o, r.Scan(&o.Store, &o.OrderID, &o.OrderNumber, &o.N)
		})
		return err
	})
	// One read-only transaction: the figures agree with each other, and
	// the sorts behind the medians get the memory to stay off disk (a
	// year of 100,000 tickets sorts ~10 MB per grouping).
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `set local work_mem = '32MB'`); err != nil {
			return err
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return sum, dbError("report", err)
	}
	sum.ByDay = fillDays(sum.ByDay, from, to)
	return sum, nil
}

func (s *Store) scanVolume(rows pgx.Rows, sum *tickets.Summary) error {
	for rows.Next() {
		var dim, key string
		var n int
		if err := rows.Scan(&dim, &key, &n); err != nil {
			return err
		}
		switch dim {
		case "status":
			sum.ByStatus[tickets.Status(key)] = n
			sum.Created += n
		case "priority":
			sum.ByPriority[tickets.Priority(key)] = n
		case "source":
			sum.BySource[tickets.Source(key)] = n
		case "store":
			sum.ByStore = append(sum.ByStore, tickets.Count{Key: key, N: n})
		case "team":
			sum.ByTeam = append(sum.ByTeam, tickets.Count{Key: key, N: n})
		case "tag":
			sum.ByTag = append(sum.ByTag, tickets.Count{Key: key, N: n})
		case "day":
			sum.ByDay = append(sum.ByDay, tickets.Count{Key: key, N: n})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, l := range [][]tickets.Count{sum.ByStore, sum.ByTeam, sum.ByTag} {
		sortCounts(l)
	}
	return nil
}

func scanTimes(rows pgx.Rows, sum *tickets.Summary) error {
	byPriority := map[string]tickets.Group{}
	for rows.Next() {
		var kind string
		var g tickets.Group
		var fr, res struct {
			n                int
			avg, median, p90 *float64
		}
		if err := rows.Scan(&kind, &g.Key, &g.Tickets,
			&fr.n, &fr.avg, &fr.median, &fr.p90, &res.n, &res.avg, &res.median, &res.p90,
			&g.FirstResponseSLA.Met, &g.FirstResponseSLA.Breached, &g.ResolutionSLA.Met, &g.ResolutionSLA.Breached); err != nil {
			return err
		}
		g.FirstResponse = tickets.Durations{Count: fr.n, Average: seconds(fr.avg), Median: seconds(fr.median), P90: seconds(fr.p90)}
		g.Resolution = tickets.Durations{Count: res.n, Average: seconds(res.avg), Median: seconds(res.median), P90: seconds(res.p90)}
		switch kind {
		case "all":
			sum.FirstResponse, sum.Resolution = g.FirstResponse, g.Resolution
			sum.FirstResponseSLA, sum.ResolutionSLA = g.FirstResponseSLA, g.ResolutionSLA
		case "priority":
			byPriority[g.Key] = g
		case "agent":
			sum.Agents = append(sum.Agents, g)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range []tickets.Priority{tickets.PriorityUrgent, tickets.PriorityHigh, tickets.PriorityMedium, tickets.PriorityLow} {
		g, ok := byPriority[string(p)]
		if !ok {
			g = tickets.Group{Key: string(p)}
		}
		sum.Priorities = append(sum.Priorities, g)
	}
	sortGroups(sum.Agents)
	return nil
}

func scanBacklog(rows pgx.Rows, b *tickets.Backlog) error {
	for rows.Next() {
		var status string
		var bucket, n int
		if err := rows.Scan(&status, &bucket, &n); err != nil {
			return err
		}
		// Bucket i (1-based) is [bound i-1, bound i); past the last bound is
		// the last bracket; 0 (created after now, a clock skew) the first.
		i := min(max(bucket-1, 0), len(b.ByAge)-1)
		b.ByAge[i] += n
		if status == string(tickets.StatusPending) {
			b.Pending += n
		} else {
			b.Open += n
		}
	}
	return rows.Err()
}

// fillDays lists every UTC day of [from, to), with the counts found.
func fillDays(found []tickets.Count, from, to time.Time) []tickets.Count {
	n := map[string]int{}
	for _, c := range found {
		n[c.Key] = c.N
	}
	var out []tickets.Count
	for d := from.UTC().Truncate(24 * time.Hour); d.Before(to); d = d.AddDate(0, 0, 1) {
		k := d.Format("2006-01-02")
		out = append(out, tickets.Count{Key: k, N: n[k]})
	}
	return out
}

func seconds(f *float64) time.Duration {
	if f == nil {
		return 0
	}
	return time.Duration(*f * float64(time.Second)).Round(time.Second)
}
