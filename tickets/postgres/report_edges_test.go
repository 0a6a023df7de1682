package postgres_test

import (
	"testing"
	"time"

	"hub/tickets"
)

// Issue 10 item 9: a report must not claim 100 % when nothing was decided,
// and a ticket closed straight from open was resolved when it was closed.
func TestSummaryEdges(t *testing.T) {
	b := setup(t)

	// Nothing in the period: attainment is unknown, not 100 %.
	empty, err := b.store.Summary(b.ctx, start.Add(-48*time.Hour), start.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := empty.FirstResponseSLA.Rate(); ok {
		t.Errorf("first-response attainment of an empty period is known: %+v", empty.FirstResponseSLA)
	}
	if _, ok := empty.ResolutionSLA.Rate(); ok {
		t.Errorf("resolution attainment of an empty period is known: %+v", empty.ResolutionSLA)
	}

	// An urgent ticket closed from open after 45 minutes, never resolved.
	tk := b.create(t, tickets.NewTicket{Subject: "Duplicate of T-1", Priority: tickets.PriorityUrgent})
	b.clock.Advance(45 * time.Minute)
	if _, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Status: ptr(tickets.StatusClosed)}); err != nil {
		t.Fatal(err)
	}
	sum, err := b.store.Summary(b.ctx, start, start.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Resolution.Count != 1 || sum.Resolution.Median != 45*time.Minute {
		t.Errorf("resolution of a ticket closed from open: %+v, want 1 at 45m", sum.Resolution)
	}
	if got := sum.ResolutionSLA; got.Met != 1 || got.Breached != 0 {
		t.Errorf("resolution SLA %+v, want met (closed within the urgent target)", got)
	}
	if r, ok := sum.ResolutionSLA.Rate(); !ok || r != 1 {
		t.Errorf("resolution attainment %v %v, want 1", r, ok)
	}
}
