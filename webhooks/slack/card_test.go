package slack

import (
	"slices"
	"testing"
	"time"

	"hub/tickets"
)

// The card names whom the SLA escalation summoned while the ticket is at
// risk or breached, and nobody once the target is met.
func TestCardShowsWhoWasSummoned(t *testing.T) {
	p := tickets.DefaultPolicy()
	start := time.Date(2025, 3, 3, 9, 30, 0, 0, time.UTC)
	tk := tickets.Ticket{ID: "t1", Number: 1001, Status: tickets.StatusOpen, Priority: tickets.PriorityUrgent,
		SLA: p.Start(tickets.PriorityUrgent, start)}
	tk.Escalation.Level, tk.Escalation.Summoned = "at_risk", []string{"ana@example.com"}
	tests := []struct {
		name string
		at   time.Time
		met  bool
		want []string
	}{
		{"at risk", start.Add(50 * time.Minute), false, []string{"ana@example.com"}},
		{"answered", start.Add(50 * time.Minute), true, nil},
	}
	for _, tt := range tests {
		x := tk
		if tt.met {
			x.FirstResponseAt = &start
		}
		d := cardData(x, p, tt.at)
		got := d.SLA.Summoned
		if !d.SLA.AtRisk && !d.SLA.Breached {
			got = nil // the card shows it only on the at-risk or breached line
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: summoned %v, want %v", tt.name, got, tt.want)
		}
	}
}
