package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"hub/tickets"
	"hub/tickets/api"
	"hub/tickets/postgres"
	"hub/tickets/postgres/pgtest"
	"hub/tickets/report"
)

// settable is a clock the fixture moves.
type settable struct {
	mu  sync.Mutex
	now time.Time
}

func (c *settable) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *settable) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// reportFixture builds tickets whose report is known (worked out in the
// comments), and serves the API over them at Wednesday 12:00.
func reportFixture(t *testing.T) *testBundle {
	t.Helper()
	ctx := context.Background()
	clk := &settable{}
	pool := pgtest.New(t)
	store := postgres.New(pool, postgres.Options{Now: clk.Now})
	at := func(day, hour, min int) time.Time { return time.Date(2025, 3, day, hour, min, 0, 0, time.UTC) }
	who := tickets.Actor{Kind: tickets.ActorAgent, ID: "ann@example.com", Name: "Ann"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	create := func(when time.Time, in tickets.NewTicket) tickets.Ticket {
		t.Helper()
		clk.Set(when)
		if in.Source == "" {
			in.Source = tickets.SourceAPI
		}
		tk, _, err := store.CreateTicket(ctx, who, in)
		must(err)
		return tk
	}
	reply := func(when time.Time, tk tickets.Ticket, m tickets.NewMessage) {
		t.Helper()
		clk.Set(when)
		m.Kind = tickets.MessageReply
		if m.Body == "" {
			m.Body = "On it"
		}
		_, _, err := store.AddMessage(ctx, who, tk.ID, m)
		must(err)
	}
	ada := tickets.CustomerInput{Email: "ada@example.com", Name: "Ada Lovelace"}
	const acme = "shopify:acme.myshopify.com"

	// Before the period: waiting for 9 days at report time.
	create(time.Date(2025, 2, 24, 9, 0, 0, 0, time.UTC), tickets.NewTicket{Subject: "G old", Priority: tickets.PriorityMedium})
	// Monday 3 March.
	a := create(at(3, 9, 30), tickets.NewTicket{Subject: "A", Priority: tickets.PriorityUrgent, Tags: []string{"billing"},
		Store: acme, Team: "payments", Customer: ada, Assignee: "ann@example.com"})
	b := create(at(3, 9, 40), tickets.NewTicket{Subject: "B", Priority: tickets.PriorityUrgent, Tags: []string{"billing", "shipping"},
		Store: acme, Customer: ada, Assignee: "ann@example.com", Source: tickets.SourceShopify})
	c := create(at(3, 10, 0), tickets.NewTicket{Subject: "C", Priority: tickets.PriorityHigh, Tags: []string{"shipping"},
		Customer: tickets.CustomerInput{Email: "bob@example.com", Name: "Bob"}, Assignee: "bo@example.com"})
	for _, tk := range []tickets.Ticket{a, b} {
		_, err := store.LinkOrder(ctx, who, tk.ID, tickets.OrderRef{Store: acme, OrderID: "5001", OrderNumber: "#1001"})
		must(err)
	}
	// A: answered after 30m (urgent due 1h: met), resolved after 2h (due
	// 4h: met) with a survey, rated 5.
	reply(at(3, 10, 0), a, tickets.NewMessage{})
	tokenA, survA := tickets.NewSurvey(at(3, 11, 30))
	reply(at(3, 11, 30), a, tickets.NewMessage{Body: "Done", Survey: &survA, Resolve: true})
	// B: answered after 1h30 (breached), closed straight from open after
	// 3h (resolution due 4h: met).
	reply(at(3, 11, 10), b, tickets.NewMessage{})
	clk.Set(at(3, 12, 40))
	_, err := store.UpdateTicket(ctx, who, b.ID, tickets.Patch{Status: ptr(tickets.StatusClosed)})
	must(err)
	// C: high, answered after 6h (due end of day: met), resolved after
	// 26h (8 business hours: due Tuesday 10:00, breached), survey unanswered.
	reply(at(3, 16, 0), c, tickets.NewMessage{})
	_, survC := tickets.NewSurvey(at(4, 12, 0))
	reply(at(4, 12, 0), c, tickets.NewMessage{Body: "Done", Survey: &survC, Resolve: true})
	// Tuesday 4 March. D: low, open, due Thursday: nothing decided.
	create(at(4, 9, 0), tickets.NewTicket{Subject: "D", Priority: tickets.PriorityLow, Customer: ada, Source: tickets.SourceZapier})
	// E: medium, pending since 10:30: its first response fell due on
	// Wednesday 10:00, but a paused clock decides nothing.
	e := create(at(4, 10, 0), tickets.NewTicket{Subject: "E", Priority: tickets.PriorityMedium,
		Customer: tickets.CustomerInput{Email: "carl@example.com", Name: "Carl"}})
	clk.Set(at(4, 10, 30))
	_, err = store.UpdateTicket(ctx, who, e.ID, tickets.Patch{Status: ptr(tickets.StatusPending)})
	must(err)
	clk.Set(at(4, 13, 0))
	_, err = store.RateSurvey(ctx, tokenA, tickets.Rating{Score: 5, Comment: "Great"})
	must(err)
	// Wednesday, after the period: waiting 2 hours at report time.
	create(at(5, 10, 0), tickets.NewTicket{Subject: "F new", Priority: tickets.PriorityMedium})
	clk.Set(at(5, 12, 0))

	key, k, err := store.CreateAPIKey(ctx, "report")
	must(err)
	s := api.New(api.Config{Store: store, Keys: keysOf(store), Now: clk.Now, IsUnavailable: postgres.IsUnavailable})
	tb := &testBundle{pool: pool, store: store, key: key, identity: k}
	tb.srv = httptest.NewServer(mount(s))
	t.Cleanup(tb.srv.Close)
	return tb
}

func TestReportFixture(t *testing.T) {
	tb := reportFixture(t)
	res := tb.do(t, "GET", "/reports/summary?from=2025-03-03&to=2025-03-04", nil)
	r := want[api.Report](t, res, http.StatusOK)

	check := func(what string, got, want any) {
		t.Helper()
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if !bytes.Equal(g, w) {
			t.Errorf("%s = %s, want %s", what, g, w)
		}
	}
	f := func(v float64) *float64 { return &v }
	check("created", r.Created, 5)
	check("by_status", r.ByStatus, map[string]int{"open": 1, "pending": 1, "resolved": 2, "closed": 1})
	check("by_day", r.ByDay, []api.DayCount{{"2025-03-03", 3}, {"2025-03-04", 2}})
	check("by_tag", r.ByTag, []api.KeyCount{{"billing", 2}, {"shipping", 2}})
	check("by_store", r.ByStore, []api.KeyCount{{"", 3}, {"shopify:acme.myshopify.com", 2}})
	check("by_team", r.ByTeam, []api.KeyCount{{"", 4}, {"payments", 1}})
	check("by_source", r.BySource, map[string]int{"api": 3, "shopify": 1, "zapier": 1})
	// First responses 30m, 1h30, 6h; resolutions 2h, 3h (closed from
	// open), 26h. p90 interpolates: 1h30 + 0.8 × 4h30 = 5h06.
	check("first_response", r.FirstResponse, api.ReportDurations{Count: 3, AverageSeconds: 9600, MedianSeconds: 5400, P90Seconds: 18360})
	check("resolution", r.Resolution, api.ReportDurations{Count: 3, AverageSeconds: 37200, MedianSeconds: 10800, P90Seconds: 77040})
	check("sla", r.SLA, map[string]api.Attainment{
		"first_response": {Met: 2, Breached: 1, Attainment: f(2.0 / 3)},
		"resolution":     {Met: 2, Breached: 1, Attainment: f(2.0 / 3)}})
	if len(r.Priorities) != 4 {
		t.Fatalf("priorities %+v", r.Priorities)
	}
	urgent, high, medium := r.Priorities[0], r.Priorities[1], r.Priorities[2]
	check("urgent", []any{urgent.Priority, urgent.Tickets, urgent.FirstResponse.MedianSeconds, urgent.Resolution.P90Seconds, urgent.SLA},
		[]any{"urgent", 2, 3600, 10440, map[string]api.Attainment{
			"first_response": {Met: 1, Breached: 1, Attainment: f(0.5)}, "resolution": {Met: 2, Attainment: f(1)}}})
	check("high sla", high.SLA, map[string]api.Attainment{
		"first_response": {Met: 1, Attainment: f(1)}, "resolution": {Breached: 1, Attainment: f(0)}})
	check("medium", []any{medium.Tickets, medium.FirstResponse.Count, medium.SLA["first_response"].Attainment}, []any{1, 0, nil})
	var agents []any
	for _, g := range r.Agents {
		agents = append(agents, g.Agent, g.Tickets)
	}
	check("agents", agents, []any{nil, 2, "ann@example.com", 2, "bo@example.com", 1})
	check("backlog", r.Backlog, api.ReportBacklog{At: time.Date(2025, 3, 5, 12, 0, 0, 0, time.UTC), Open: 3, Pending: 1,
		ByAge: []api.AgeCount{{"under 1 day", 1}, {"1-3 days", 2}, {"3-7 days", 0}, {"1-4 weeks", 1}, {"over 4 weeks", 0}}})
	check("csat", r.CSAT, api.ReportCSAT{Sent: 2, Answered: 1, ResponseRate: f(0.5), Average: f(5),
		ByRating: map[string]int{"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}})
	check("top customers", r.TopCustomers, []api.CustomerCount{{"ada@example.com", "Ada Lovelace", 3}, {"bob@example.com", "Bob", 1}, {"carl@example.com", "Carl", 1}})
	check("top orders", r.TopOrders, []api.OrderCount{{"shopify:acme.myshopify.com", "5001", "#1001", 2}})

	// The JSON and the terminal table, as goldens.
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, res.body, "", "  "); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.golden.json", pretty.Bytes())
	var text bytes.Buffer
	if err := report.WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.golden.txt", text.Bytes())

	// The same date twice is that day.
	day := want[api.Report](t, tb.do(t, "GET", "/reports/summary?from=2025-03-04&to=2025-03-04", nil), http.StatusOK)
	check("one day", []any{day.Created, day.ByDay}, []any{2, []api.DayCount{{"2025-03-04", 2}}})
}

func ptr[T any](v T) *T { return &v }
