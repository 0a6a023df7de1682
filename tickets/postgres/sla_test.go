package postgres_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"hub/tickets"
	"hub/tickets/postgres"
	"hub/tickets/postgres/pgtest"
	"hub/tickets/rules"
)

// queryCounter counts the statements a pool sends.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// countedPool is a fresh database whose pool counts its statements.
func countedPool(tb testing.TB) (*pgxpool.Pool, *queryCounter) {
	tb.Helper()
	cfg, err := pgxpool.ParseConfig(pgtest.URL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	qc := &queryCounter{}
	cfg.ConnConfig.Tracer = qc
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	return pool, qc
}

// seedOpenTickets writes open tickets straight into the table, as a hub
// that has been running for a while has them: breached ones whose due
// times passed days ago, and the rest due weeks ahead.
func seedOpenTickets(tb testing.TB, pool *pgxpool.Pool, now time.Time, total, breached int) {
	tb.Helper()
	_, err := pool.Exec(context.Background(), `
		insert into tickets (subject, status, priority, source, created_at, updated_at, clock_start,
			first_response_due, resolution_due)
		select 'seeded ' || i, 'open', 'low', 'api', $1::timestamptz - interval '10 days', $1::timestamptz - interval '10 days',
			$1::timestamptz - interval '10 days',
			case when i <= $3 then $1::timestamptz - interval '5 days' else $1::timestamptz + interval '20 days' end,
			case when i <= $3 then $1::timestamptz - interval '3 days' else $1::timestamptz + interval '30 days' end
		from generate_series(1, $2) as i`, now, total, breached)
	if err != nil {
		tb.Fatalf("seed: %v", err)
	}
}

// settle runs scans until one finds nothing new: the state of a hub whose
// scheduler has been running.
func settle(tb testing.TB, s *postgres.Store, now time.Time) {
	tb.Helper()
	for range 50 {
		n, err := s.WarnSLA(context.Background(), now)
		if err != nil {
			tb.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	tb.Fatal("the SLA scans never settled")
}

// The case: with 10,000 open tickets of which 1,000 are breached
// (and warned), a fresh ticket crossing 75 % is warned by the next scan,
// and that scan costs a few statements, not one per ticket. The scan that
// read the 500 soonest-due tickets only ever saw the breached ones.
func TestWarnSLAScalesPastBreachedTickets(t *testing.T) {
	t.Parallel()
	pool, qc := countedPool(t)
	clk := &clock{now: start}
	store := postgres.New(pool, postgres.Options{Now: clk.Now})
	ctx := context.Background()
	seedOpenTickets(t, pool, start, 10_000, 1_000)
	settle(t, store, start)

	var warned int
	if err := pool.QueryRow(ctx, `select count(distinct ticket_id) from events where type = 'ticket.sla_warning' and after->>'level' = 'breached'`).Scan(&warned); err != nil {
		t.Fatal(err)
	}
	if warned != 1_000 {
		t.Errorf("%d breached tickets warned, want 1000", warned)
	}

	clk.Advance(time.Minute)
	fresh, _, err := store.CreateTicket(ctx, agent, tickets.NewTicket{Subject: "Fresh", Source: tickets.SourceAPI})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.WarnSLA(ctx, clk.Now()); err != nil { // the scan right after it arrived
		t.Fatal(err)
	}
	cross, ok := rules.NextEscalation(tickets.DefaultPolicy(), fresh, clk.Now())
	if !ok {
		t.Fatal("the fresh ticket has no escalation ahead")
	}
	before := qc.n.Load()
	n, err := store.WarnSLA(ctx, cross.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	queries := qc.n.Load() - before
	if n != 1 {
		t.Errorf("the scan after the fresh ticket crossed 75 %% wrote %d warnings, want 1", n)
	}
	var level string
	err = pool.QueryRow(ctx, `select coalesce(max(after->>'level'), '') from events where ticket_id = $1 and type = 'ticket.sla_warning'`, fresh.ID).Scan(&level)
	if err != nil || level != "at_risk" {
		t.Errorf("fresh ticket's warning: %q, %v; want at_risk", level, err)
	}
	// Select the due tickets, schedule their next looks, record the
	// escalation, write its event: a handful, whatever the backlog.
	if queries > 12 {
		t.Errorf("the scan sent %d statements; want a few (set-based), not one per ticket", queries)
	}
}

// An escalation is acted on once: by one of two workers scanning at the
// same instant, and not again by a restarted hub.
func TestWarnSLAOnceAcrossWorkersAndRestarts(t *testing.T) {
	b := setup(t)
	var ids []string
	first := b.clock.Now()
	for range 40 { // a minute apart
		ids = append(ids, b.create(t, tickets.NewTicket{Subject: "Site down", Priority: tickets.PriorityUrgent}).ID)
	}
	// Urgent: first response due in 1h, resolution in 4h (at risk in its
	// last hour): every first response breached, every resolution at risk.
	at := first.Add(3*time.Hour + 50*time.Minute)
	var wg sync.WaitGroup
	var total atomic.Int64
	for range 2 {
		worker := postgres.New(b.pool, postgres.Options{Now: b.clock.Now})
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := worker.WarnSLA(b.ctx, at)
			if err != nil {
				t.Error(err)
			}
			total.Add(int64(n))
		}()
	}
	wg.Wait()
	// What SKIP LOCKED left to the other worker is due at its next scan.
	for range 3 {
		n, err := b.store.WarnSLA(b.ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		total.Add(int64(n))
	}
	restarted := postgres.New(b.pool, postgres.Options{Now: b.clock.Now})
	if n, err := restarted.WarnSLA(b.ctx, at.Add(time.Minute)); err != nil || n != 0 {
		t.Errorf("after a restart: %d warnings, %v; want none", n, err)
	}
	if total.Load() != 80 {
		t.Errorf("%d warnings, want 80 (two per ticket)", total.Load())
	}
	for _, id := range ids {
		if n := b.count(t, `select count(*) from events where ticket_id = $1 and type = 'ticket.sla_warning'`, id); n != 2 {
			t.Fatalf("ticket %s has %d warnings, want 2", id, n)
		}
	}
}

// At 75 % the warning names the assignee (or the team's members when
// nobody has the ticket); at the breach the lead's channel is told and the
// breach rule raises the priority, once.
func TestSLAEscalationSummonsAndRaises(t *testing.T) {
	b := setup(t, withRules(t, teamRules))
	assigned := b.create(t, tickets.NewTicket{Subject: "Invoice missing", Priority: tickets.PriorityUrgent})
	unassigned := b.create(t, tickets.NewTicket{Subject: "Invoice wrong", Priority: tickets.PriorityUrgent, Team: "billing"})
	if assigned.Assignee != "ana@example.com" || unassigned.Assignee != "" {
		t.Fatalf("assignees %q, %q", assigned.Assignee, unassigned.Assignee)
	}
	due := assigned.SLA.FirstResponseDue
	if _, err := b.store.WarnSLA(b.ctx, due.Add(-10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	warning := func(id, level string) tickets.Event {
		t.Helper()
		var found []tickets.Event
		for _, e := range b.events(t, id) {
			if e.Type == tickets.EventSLAWarning && e.After["level"] == level && e.After["target"] == "first_response" {
				found = append(found, e)
			}
		}
		if len(found) != 1 {
			t.Fatalf("ticket %s has %d first response %s warnings, want 1", id, len(found), level)
		}
		return found[0]
	}
	if e := warning(assigned.ID, "at_risk"); !slices.Equal(anyStrings(e.After["mention"]), []string{"ana@example.com"}) || e.After["lead"] != nil {
		t.Errorf("at risk, assigned: %v", e.After)
	}
	if e := warning(unassigned.ID, "at_risk"); e.After["team"] != "billing" || len(anyStrings(e.After["mention"])) != 3 {
		t.Errorf("at risk, unassigned: %v", e.After)
	}
	// The ticket (and so its card) knows whom the warning summoned.
	if got, err := b.store.GetTicket(b.ctx, assigned.ID); err != nil || got.Escalation.Level != "at_risk" || !slices.Equal(got.Escalation.Summoned, []string{"ana@example.com"}) {
		t.Errorf("ticket after the warning: escalated %q summoned %v (%v)", got.Escalation.Level, got.Escalation.Summoned, err)
	}
	if _, err := b.store.WarnSLA(b.ctx, due.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if e := warning(assigned.ID, "breached"); e.After["lead"] != true || e.After["lead_channel"] != "C0LEADS" {
		t.Errorf("breached: %v", e.After)
	}
	// raise-on-breach: urgent stays urgent (nothing above it); a medium
	// ticket becomes high.
	medium := b.create(t, tickets.NewTicket{Subject: "Hello", Priority: tickets.PriorityMedium})
	at := medium.SLA.FirstResponseDue.Add(time.Minute)
	for range 3 {
		if _, err := b.store.WarnSLA(b.ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	got, err := b.store.GetTicket(b.ctx, medium.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Priority != tickets.PriorityHigh || !slices.Contains(b.ruleEvents(t, medium.ID), "raise-on-breach: priority") {
		t.Errorf("after the breach: priority %s, rule events %v", got.Priority, b.ruleEvents(t, medium.ID))
	}
}

func anyStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// BenchmarkWarnSLA times one scan of a hub with 10,000 open tickets of
// which 1,000 are breached and warned, with a fresh ticket crossing 75 %
// in each scan.
func BenchmarkWarnSLA(b *testing.B) {
	pool, qc := countedPool(b)
	clk := &clock{now: start}
	store := postgres.New(pool, postgres.Options{Now: clk.Now})
	ctx := context.Background()
	seedOpenTickets(b, pool, start, 10_000, 1_000)
	settle(b, store, start)
	b.ResetTimer()
	var queries int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		clk.Advance(time.Minute)
		fresh, _, err := store.CreateTicket(ctx, agent, tickets.NewTicket{Subject: "Fresh", Source: tickets.SourceAPI, Priority: tickets.PriorityUrgent})
		if err != nil {
			b.Fatal(err)
		}
		settle(b, store, clk.Now())
		cross, _ := rules.NextEscalation(tickets.DefaultPolicy(), fresh, clk.Now())
		before := qc.n.Load()
		b.StartTimer()
		n, err := store.WarnSLA(ctx, cross.Add(time.Second))
		b.StopTimer()
		queries += qc.n.Load() - before
		if err != nil || n == 0 {
			b.Fatalf("scan: %d warnings, %v", n, err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(queries)/float64(b.N), "queries/scan")
}

// Warnings come at business-hours times: a medium ticket that arrives on a
// Friday afternoon (8 business hours to answer) is at risk on Monday
// afternoon, with a quarter of its time left, not over the weekend.
func TestWarnSLAAtBusinessHoursTimes(t *testing.T) {
	b := setup(t)
	b.clock.now = time.Date(2025, 3, 7, 14, 59, 0, 0, time.UTC) // Friday
	tk := b.create(t, tickets.NewTicket{Subject: "Hello"})      // 15:00: 2 hours on Friday, 6 on Monday
	if want := time.Date(2025, 3, 10, 15, 0, 0, 0, time.UTC); !tk.SLA.FirstResponseDue.Equal(want) {
		t.Fatalf("first response due %s, want %s", tk.SLA.FirstResponseDue, want)
	}
	steps := []struct {
		at   time.Time
		want string
	}{
		{time.Date(2025, 3, 7, 16, 59, 0, 0, time.UTC), ""},         // Friday evening
		{time.Date(2025, 3, 9, 12, 0, 0, 0, time.UTC), ""},          // Sunday
		{time.Date(2025, 3, 10, 12, 59, 0, 0, time.UTC), ""},        // Monday, 2h01m left
		{time.Date(2025, 3, 10, 13, 1, 0, 0, time.UTC), "at_risk"},  // a quarter left
		{time.Date(2025, 3, 10, 14, 0, 0, 0, time.UTC), ""},         // once
		{time.Date(2025, 3, 10, 15, 1, 0, 0, time.UTC), "breached"}, // due Monday 15:00
		{time.Date(2025, 3, 11, 9, 30, 0, 0, time.UTC), ""},         // once
	}
	for _, st := range steps {
		before := len(b.events(t, tk.ID))
		if _, err := b.store.WarnSLA(b.ctx, st.at); err != nil {
			t.Fatal(err)
		}
		var got string
		for _, e := range b.events(t, tk.ID)[before:] {
			if e.Type == tickets.EventSLAWarning && e.After["target"] == "first_response" {
				got += e.After["level"].(string)
			}
		}
		if got != st.want {
			t.Errorf("scan at %s: first response warnings %q, want %q", st.at.Format("Mon 15:04"), got, st.want)
		}
	}
}
