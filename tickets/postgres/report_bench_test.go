package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hub/tickets/postgres"
	"hub/tickets/postgres/pgtest"
)

// BenchmarkSummary100k reports the summary over a year of 100,000 tickets
// (5,000 customers, 30,000 order links, 20,000 surveys): the report's cost
// at the size the issue asks it to stay fast at. Run with
// go test -run '^$' -bench Summary100k ./tickets/postgres.
func BenchmarkSummary100k(b *testing.B) {
	ctx := context.Background()
	pool := pgtest.New(b)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, sql := range []string{
		`insert into customers (email, name, created_at)
			select 'c' || i || '@example.com', 'Customer ' || i, $1::timestamptz from generate_series(1, 5000) i`,
		`insert into tickets (subject, status, priority, tags, assignee, team, customer_id, source, store,
				first_response_due, resolution_due, created_at, updated_at, first_response_at, resolved_at, closed_at, paused_at)
			select 'Ticket ' || i,
				(array['open','pending','resolved','closed'])[1 + i % 4],
				(array['urgent','high','medium','low'])[1 + i % 7 % 4],
				(array[array['billing','x'], array['shipping','x'], array['returns','x']])[1 + i % 3:1 + i % 3][1:1 + i % 2],
				(array['', 'ann@example.com', 'bo@example.com', 'cy@example.com'])[1 + i % 4],
				(array['', 'payments', 'logistics'])[1 + i % 3],
				cs[1 + i % 5000],
				(array['api','shopify','woocommerce','zapier','slack'])[1 + i % 5],
				(array['', 'shopify:acme.myshopify.com', 'woocommerce:shop.example'])[1 + i % 3],
				at + interval '4 hours', at + interval '2 days', at, at,
				case when i % 5 <> 0 then at + (i % 600) * interval '1 minute' end,
				case when i % 4 = 2 then at + (i % 3000) * interval '1 minute' end,
				case when i % 4 = 3 then at + (i % 5000) * interval '1 minute' end,
				case when i % 4 = 1 then at + interval '1 hour' end
			from (select i, $1::timestamptz - (i % 365) * interval '1 day' - (i % 1440) * interval '1 minute' as at
				from generate_series(1, 100000) i) g,
				(select array_agg(id order by email) as cs from customers) c`,
		`insert into orders (store, order_id, order_number, created_at, updated_at)
			select 'shopify:acme.myshopify.com', i::text, '#' || i, $1::timestamptz, $1::timestamptz from generate_series(1, 2000) i`,
		`insert into ticket_orders (ticket_id, store, order_id, linked_at)
			select id, 'shopify:acme.myshopify.com', (1 + number % 2000)::text, created_at
			from tickets where number % 10 < 3`,
		`insert into surveys (token_hash, ticket_id, created_at, expires_at, answered_at, score)
			select sha256(id::text::bytea), id, created_at, created_at + interval '14 days',
				case when number % 3 = 0 then created_at + interval '1 day' end,
				case when number % 3 = 0 then 1 + number % 5 end
			from tickets where number % 5 = 0`,
		`analyze`,
	} {
		var args []any
		if strings.Contains(sql, "$1") {
			args = append(args, now)
		}
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			b.Fatalf("%.60s: %v", sql, err)
		}
	}
	store := postgres.New(pool, postgres.Options{Now: func() time.Time { return now }})
	from, to := now.AddDate(0, 0, -366), now
	b.ResetTimer()
	for b.Loop() {
		sum, err := store.Summary(ctx, from, to)
		if err != nil {
			b.Fatal(err)
		}
		if sum.Created != 100000 {
			b.Fatalf("created %d, want 100000", sum.Created)
		}
	}
}
