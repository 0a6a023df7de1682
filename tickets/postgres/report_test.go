package postgres_test

import (
	"testing"
	"time"

	"hub/tickets"
)

func TestSummary(t *testing.T) {
	b := setup(t)
	// Monday 09:31 urgent, 09:32 high, 09:33 low.
	urgent := b.create(t, tickets.NewTicket{Subject: "Site down", Priority: tickets.PriorityUrgent})
	high := b.create(t, tickets.NewTicket{Subject: "Refund", Priority: tickets.PriorityHigh, Source: tickets.SourceShopify})
	low := b.create(t, tickets.NewTicket{Subject: "Question", Priority: tickets.PriorityLow})
	reply := tickets.NewMessage{Kind: tickets.MessageReply, Body: "On it"}

	b.clock.Advance(28 * time.Minute) // 10:01: the urgent one answered after 30 minutes
	if _, _, err := b.store.AddMessage(b.ctx, agent, urgent.ID, reply); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(89 * time.Minute) // 11:30: and resolved after 1h59m
	if _, err := b.store.UpdateTicket(b.ctx, agent, urgent.ID, tickets.Patch{Status: ptr(tickets.StatusResolved)}); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(24 * time.Hour) // Tuesday 11:30: the low one answered
	if _, _, err := b.store.AddMessage(b.ctx, agent, low.ID, reply); err != nil {
		t.Fatal(err)
	}
	// The high one is still unanswered: its first response was due Monday
	// 17:00 and its resolution Tuesday 09:32, both past.

	sum, err := b.store.Summary(b.ctx, start, start.Add(7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 3 || sum.ByStatus[tickets.StatusResolved] != 1 || sum.ByStatus[tickets.StatusOpen] != 2 ||
		sum.ByPriority[tickets.PriorityHigh] != 1 || sum.BySource[tickets.SourceShopify] != 1 || sum.BySource[tickets.SourceAPI] != 2 {
		t.Errorf("counts %+v", sum)
	}
	if sum.FirstResponse.Count != 2 || sum.Resolution.Count != 1 || sum.Resolution.Median != 119*time.Minute {
		t.Errorf("durations: first response %+v, resolution %+v", sum.FirstResponse, sum.Resolution)
	}
	if got := sum.FirstResponseSLA; got.Met != 2 || got.Breached != 1 {
		t.Errorf("first-response SLA %+v, want 2 met (urgent, low) and 1 breached (high)", got)
	}
	if got := sum.ResolutionSLA; got.Met != 1 || got.Breached != 1 {
		t.Errorf("resolution SLA %+v, want 1 met (urgent) and 1 breached (high); low is not due yet", got)
	}
	if r, _ := sum.FirstResponseSLA.Rate(); r < 0.66 || r > 0.67 {
		t.Errorf("attainment %v", r)
	}

	// A period with nothing in it reports zeros.
	empty, err := b.store.Summary(b.ctx, start.Add(-48*time.Hour), start.Add(-24*time.Hour))
	if err != nil || empty.Created != 0 || empty.FirstResponse.Count != 0 {
		t.Errorf("empty period: %+v %v", empty, err)
	}
	_ = high
}
