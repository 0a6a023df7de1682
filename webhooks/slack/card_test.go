package slack

import (
	"strings"
	"testing"
	"time"

	slackapi "hub/connectors/slack"
	"hub/connectors/slack/slacktest"
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
		want bool // ana is named on the card
	}{
		{"at risk", start.Add(50 * time.Minute), false, true},
		{"answered", start.Add(50 * time.Minute), true, false},
	}
	for _, tt := range tests {
		x := tk
		if tt.met {
			x.FirstResponseAt = &start
		}
		blocks, err := slackapi.RenderCard(cardData(x, p, tt.at)).BlocksJSON()
		if err != nil {
			t.Fatal(err)
		}
		text := slacktest.Text(blocks)
		if got := strings.Contains(text, "ana@example.com"); got != tt.want {
			t.Errorf("%s: card names ana %v, want %v:\n%s", tt.name, got, tt.want, text)
		}
	}
}
