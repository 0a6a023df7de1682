package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
)

// key of one original delivery in the bench's numbering.
type benchKey struct {
	source string
	id     int64
}

// recorded reads which of the bench's deliveries Postgres holds.
func (s *stage) recorded(ctx context.Context) (map[string]map[int64]bool, error) {
	conn, err := pgx.Connect(ctx, s.dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `select source, key from deliveries`)
	if err != nil {
		return nil, err
	}
	out := map[string]map[int64]bool{}
	for rows.Next() {
		var src, key string
		if err := rows.Scan(&src, &key); err != nil {
			return nil, err
		}
		if id, ok := benchID(keyID, src, key); ok {
			if out[src] == nil {
				out[src] = map[int64]bool{}
			}
			out[src][id] = true
		}
	}
	return out, rows.Err()
}

// drain waits until the pipeline has nothing left to do: no delivery
// waiting, no follow-up pending, no task queued, running or retrying.
func (s *stage) drain(ctx context.Context, limit time.Duration) (time.Duration, error) {
	conn, err := pgx.Connect(ctx, s.dbURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	insp := asynq.NewInspector(s.env.redis)
	defer insp.Close()
	start := time.Now()
	for {
		var received, pending int
		err := conn.QueryRow(ctx, `select (select count(*) from deliveries where status = 'received'),
			(select count(*) from outbox where done_at is null)`).Scan(&received, &pending)
		if err != nil {
			return 0, err
		}
		busy := 0
		if q, err := insp.GetQueueInfo(s.queue); err == nil {
			busy = q.Pending + q.Active + q.Retry
		}
		if received == 0 && pending == 0 && busy == 0 {
			return time.Since(start), nil
		}
		if time.Since(start) > limit || ctx.Err() != nil {
			s.env.logf("%s: not drained after %v: %d deliveries received, %d follow-ups pending, %d tasks busy",
				s.name, limit, received, pending, busy)
			return time.Since(start), nil
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// check counts, through the database and the fakes, what the hub made of
// the load l sent between start and end.
func (s *stage) check(ctx context.Context, l load, start, end time.Time, cards0 int, res *FlowResult) error {
	conn, err := pgx.Connect(ctx, s.dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)

	// When each original delivery was first sent, and whether it was acked.
	first := map[benchKey]time.Time{}
	acked := map[benchKey]bool{}
	for _, o := range l.outcomes {
		k := benchKey{o.source, o.id}
		if t, ok := first[k]; !ok || o.sent.Before(t) {
			first[k] = o.sent
		}
		if is2xx(o.status) {
			acked[k] = true
		}
	}
	wantTicket := map[benchKey]bool{}
	for _, o := range l.outcomes {
		if o.ticket && acked[benchKey{o.source, o.id}] {
			wantTicket[benchKey{o.source, o.id}] = true
		}
	}
	res.Expected = len(wantTicket)

	// Deliveries: lost (acked, not recorded), stranded, failed.
	rows, err := conn.Query(ctx, `select source, key, status from deliveries`)
	if err != nil {
		return err
	}
	rec := map[benchKey]bool{}
	for rows.Next() {
		var src, key, status string
		if err := rows.Scan(&src, &key, &status); err != nil {
			return err
		}
		if id, ok := benchID(keyID, src, key); ok {
			rec[benchKey{src, id}] = true
		}
		switch status {
		case "received":
			res.Stranded++
		case "failed":
			res.Failed++
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for k := range acked {
		if !rec[k] {
			res.Lost++
		}
	}

	// Tickets: one per expected delivery, when, with an order, and cards.
	rows, err = conn.Query(ctx, `
		select t.source, t.external_ref, t.created_at, t.slack_ts, t.slack_digest = 'listed',
			exists (select 1 from ticket_orders o where o.ticket_id = t.id)
		from tickets t`)
	if err != nil {
		return err
	}
	seen := map[benchKey]int{}
	byTS := map[string]benchKey{}
	digests := map[string]int{} // a digest's ts → tickets it lists
	var toTicket []time.Duration
	inWindow := 0
	for rows.Next() {
		var src, ref, ts string
		var created time.Time
		var withOrder, listed bool
		if err := rows.Scan(&src, &ref, &created, &ts, &listed, &withOrder); err != nil {
			return err
		}
		res.Tickets++
		if withOrder {
			res.Enriched++
		}
		if !created.Before(start) && !created.After(end) {
			inWindow++
		}
		id, ok := benchID(refID, src, ref)
		if !ok {
			continue
		}
		k := benchKey{src, id}
		seen[k]++
		if seen[k] == 1 {
			if t, ok := first[k]; ok {
				toTicket = append(toTicket, created.Sub(t))
			}
		}
		switch {
		case listed:
			digests[ts]++
			res.InDigest++
		case ts != "":
			byTS[ts] = k
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for k := range wantTicket {
		if seen[k] == 0 {
			res.Missing++
		}
	}
	for _, n := range seen {
		if n > 1 {
			res.Duplicate += n - 1
		}
	}
	res.TicketRate = float64(inWindow) / end.Sub(start).Seconds()
	res.ToTicket = percentiles(toTicket)

	// Cards: every top-level post in the channel since the load began is a
	// ticket's card; one no ticket points at is a duplicate post.
	var toCard []time.Duration
	posts := s.env.fakes.slack.Messages(benchChannel)
	if cards0 > len(posts) {
		cards0 = len(posts)
	}
	for _, m := range posts[cards0:] {
		if m.ThreadTS != "" || m.User != "" {
			continue
		}
		if digests[m.TS] > 0 {
			res.Digests++
			continue
		}
		k, ok := byTS[m.TS]
		if !ok {
			res.CardDups++
			continue
		}
		res.Cards++
		if t, ok := first[k]; ok {
			toCard = append(toCard, m.At.Sub(t))
		}
	}
	res.ToCard = percentiles(toCard)
	return nil
}

func (k benchKey) String() string { return fmt.Sprintf("%s#%d", k.source, k.id) }
