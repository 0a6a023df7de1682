package postgres_test

import (
	"slices"
	"testing"
	"time"

	"hub/tickets"
)

func TestListViewsAndDueOrder(t *testing.T) {
	b := setup(t)
	urgent := b.create(t, tickets.NewTicket{Subject: "Card declined", Priority: tickets.PriorityUrgent})
	b.clock.Advance(time.Minute)
	mine := b.create(t, tickets.NewTicket{Subject: "Size swap", Assignee: "ann@example.com"})
	b.clock.Advance(time.Minute)
	waiting := b.create(t, tickets.NewTicket{Subject: "Need photo", Priority: tickets.PriorityHigh})
	if _, err := b.store.UpdateTicket(b.ctx, agent, waiting.ID, tickets.Patch{Status: ptr(tickets.StatusPending)}); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(time.Minute)
	done := b.create(t, tickets.NewTicket{Subject: "Thanks!", Priority: tickets.PriorityLow})
	if _, err := b.store.UpdateTicket(b.ctx, agent, done.ID, tickets.Patch{Status: ptr(tickets.StatusResolved)}); err != nil {
		t.Fatal(err)
	}

	// The urgent ticket's first response (1h, wall clock) is due at
	// start+1h: at risk in its last 15 minutes, breached after.
	atRisk := start.Add(50 * time.Minute)
	late := start.Add(2 * time.Hour)
	tests := []struct {
		name string
		f    tickets.Filter
		want []tickets.Ticket
	}{
		{"mine", tickets.Filter{View: tickets.ViewMine, Me: "Ann@Example.com"}, []tickets.Ticket{mine}},
		{"unassigned leaves out resolved", tickets.Filter{View: tickets.ViewUnassigned}, []tickets.Ticket{waiting, urgent}},
		{"waiting on customer", tickets.Filter{View: tickets.ViewWaiting}, []tickets.Ticket{waiting}},
		{"at risk", tickets.Filter{View: tickets.ViewAtRisk, Now: atRisk}, []tickets.Ticket{urgent}},
		{"not yet at risk", tickets.Filter{View: tickets.ViewAtRisk, Now: start.Add(30 * time.Minute)}, nil},
		{"breached", tickets.Filter{View: tickets.ViewBreached, Now: late}, []tickets.Ticket{urgent}},
		{"breached is not at risk", tickets.Filter{View: tickets.ViewAtRisk, Now: late}, nil},
		{"pending is never breached", tickets.Filter{View: tickets.ViewBreached, Now: start.Add(30 * 24 * time.Hour)}, []tickets.Ticket{mine, urgent}},
		{"view and filter", tickets.Filter{View: tickets.ViewUnassigned, Priority: tickets.PriorityUrgent}, []tickets.Ticket{urgent}},
		{"due first", tickets.Filter{Sort: tickets.SortDue}, byNextDue(urgent, mine, waiting, done)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, _, err := b.store.ListTickets(b.ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := ids(list), ids(tt.want); !slices.Equal(got, want) {
				t.Errorf("got %v; want %v", numbers(list), numbers(tt.want))
			}
		})
	}

	// Cursor pages in due order visit every ticket once, in order.
	var paged []tickets.Ticket
	f := tickets.Filter{Sort: tickets.SortDue, Limit: 1}
	for range 10 {
		page, next, err := b.store.ListTickets(b.ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, page...)
		if next == "" {
			break
		}
		f.Cursor = next
	}
	if got, want := ids(paged), ids(byNextDue(urgent, mine, waiting, done)); !slices.Equal(got, want) {
		t.Errorf("due pages %v; want %v", numbers(paged), numbers(byNextDue(urgent, mine, waiting, done)))
	}

	counts, err := b.store.CountViews(b.ctx, "ann@example.com", atRisk)
	if err != nil {
		t.Fatal(err)
	}
	want := tickets.ViewCounts{tickets.ViewAll: 4, tickets.ViewMine: 1, tickets.ViewUnassigned: 2,
		tickets.ViewAtRisk: 1, tickets.ViewBreached: 0, tickets.ViewWaiting: 1}
	for v, n := range want {
		if counts[v] != n {
			t.Errorf("count %q = %d, want %d (all: %v)", v, counts[v], n, counts)
		}
	}
}

// byNextDue orders tickets as SortDue does.
func byNextDue(list ...tickets.Ticket) []tickets.Ticket {
	out := slices.Clone(list)
	slices.SortStableFunc(out, func(a, b tickets.Ticket) int { return a.NextDue().Compare(b.NextDue()) })
	return out
}

// TestAtRiskViewCountsBusinessTime: the at-risk view and its count agree
// with the badge (tickets.Policy.State), which counts business time. A
// medium ticket from Friday 16:20 has its first response due Monday 16:20
// and is at risk from Monday 14:20, not over the weekend, although by the
// wall clock less than a quarter of the time to its due time is left by
// Sunday night.
func TestAtRiskViewCountsBusinessTime(t *testing.T) {
	b := setup(t)
	b.clock.Advance(time.Date(2025, 3, 7, 16, 19, 0, 0, time.UTC).Sub(start)) // Friday
	tk := b.create(t, tickets.NewTicket{Subject: "Where is my parcel?", Priority: tickets.PriorityMedium})
	if want := time.Date(2025, 3, 10, 16, 20, 0, 0, time.UTC); !tk.SLA.FirstResponseDue.Equal(want) {
		t.Fatalf("first response due %s, want %s", tk.SLA.FirstResponseDue, want)
	}
	policy := tickets.DefaultPolicy()
	for _, tc := range []struct {
		name string
		now  time.Time
		want bool
	}{
		{"Sunday night", time.Date(2025, 3, 9, 23, 0, 0, 0, time.UTC), false},
		{"Monday 14:00, 2h20 of business left", time.Date(2025, 3, 10, 14, 0, 0, 0, time.UTC), false},
		{"Monday 14:30, 1h50 left", time.Date(2025, 3, 10, 14, 30, 0, 0, time.UTC), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if badge := policy.State(tk, tc.now).AtRisk; badge != tc.want {
				t.Fatalf("badge says at risk %v, want %v", badge, tc.want)
			}
			list, _, err := b.store.ListTickets(b.ctx, tickets.Filter{View: tickets.ViewAtRisk, Now: tc.now})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(list) == 1; got != tc.want {
				t.Errorf("in the at-risk view: %v, want %v", got, tc.want)
			}
			counts, err := b.store.CountViews(b.ctx, "", tc.now)
			if err != nil {
				t.Fatal(err)
			}
			if got := counts[tickets.ViewAtRisk] == 1; got != tc.want {
				t.Errorf("at-risk count %d, want it to say %v", counts[tickets.ViewAtRisk], tc.want)
			}
		})
	}

	// A ticket stored before the risk instants were (no columns) is judged
	// by the wall clock until its next change.
	if _, err := b.pool.Exec(b.ctx, `update tickets set first_response_risk_at = null, resolution_risk_at = null`); err != nil {
		t.Fatal(err)
	}
	list, _, err := b.store.ListTickets(b.ctx, tickets.Filter{View: tickets.ViewAtRisk, Now: time.Date(2025, 3, 9, 23, 0, 0, 0, time.UTC)})
	if err != nil || len(list) != 1 {
		t.Fatalf("without risk instants, Sunday night: %d tickets, %v; want the wall-clock rule's 1", len(list), err)
	}
	if _, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Tags: &[]string{"shipping"}}); err != nil {
		t.Fatal(err)
	}
	var stored *time.Time
	if err := b.pool.QueryRow(b.ctx, `select first_response_risk_at from tickets where id = $1`, tk.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 3, 10, 14, 20, 0, 0, time.UTC); stored == nil || !stored.Equal(want) {
		t.Errorf("after a change the risk instant is %v, want %s", stored, want)
	}
}

// TestBreachedViewCountsALateFirstResponse: a first response made after its
// due time leaves the ticket breached (the badge says so), so the breached
// view lists it and the at-risk view does not.
func TestBreachedViewCountsALateFirstResponse(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "Card declined", Priority: tickets.PriorityUrgent})
	b.clock.Advance(90 * time.Minute) // first response was due after an hour
	if _, _, err := b.store.AddMessage(b.ctx, agent, tk.ID, tickets.NewMessage{Kind: tickets.MessageReply, Body: "Sorry for the wait."}); err != nil {
		t.Fatal(err)
	}
	now := b.clock.Now().Add(time.Minute)
	got, err := b.store.GetTicket(b.ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st := tickets.DefaultPolicy().State(got, now); !st.Breached || st.AtRisk {
		t.Fatalf("badge: %+v, want breached", st)
	}
	for view, want := range map[tickets.View]int{tickets.ViewBreached: 1, tickets.ViewAtRisk: 0} {
		list, _, err := b.store.ListTickets(b.ctx, tickets.Filter{View: view, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != want {
			t.Errorf("%s view: %d tickets, want %d", view, len(list), want)
		}
	}
	counts, err := b.store.CountViews(b.ctx, "", now)
	if err != nil {
		t.Fatal(err)
	}
	if counts[tickets.ViewBreached] != 1 || counts[tickets.ViewAtRisk] != 0 {
		t.Errorf("counts %v, want 1 breached and none at risk", counts)
	}
}
