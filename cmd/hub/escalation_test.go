package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"hub/connectors/slack/slacktest"
	"hub/tickets"
	"hub/tickets/postgres"
)

const supportRules = `version: 1
teams:
  support:
    channel: C0SUPPORT
    lead_channel: C0LEADS
    members: [kim@shop.example, sam@shop.example]
rules:
  - name: route-support
    if: team == ""
    team: support
    assign: team
  - name: raise-on-breach
    on: [sla.breached]
    if: sla.target == "first_response"
    priority: raise
`

// The whole path: an agent away from Slack is passed over by the rules'
// rotation, the ticket's card goes to its team's channel, the 75 % warning
// mentions the assignee in the card's thread, and the breach is announced
// in the lead's channel, once.
func TestSlackAwayRotationAndEscalation(t *testing.T) {
	h := bootSlackHub(t, map[string]string{"HUB_RULES_FILE": writeFile(t, "rules.yaml", supportRules)})
	ctx := context.Background()
	responses := func() string {
		var all []string
		for _, r := range h.fake.Responses() {
			all = append(all, string(r))
		}
		return strings.Join(all, "\n")
	}
	h.command(t, agentKim, "away", "away-1")
	waitFor(t, "Kim told she is away", func() bool { return strings.Contains(responses(), "You are away") })
	// Sam is known to the hub from Slack (a first command does it too).
	if _, err := h.app.store.SaveAgent(ctx, postgres.Agent{Email: "sam@shop.example", SlackUserID: agentSam}); err != nil {
		t.Fatal(err)
	}

	tk := h.intake(t, "esc-1", `{"subject":"Lid cracked","email":"ada@example.com","priority":"urgent"}`)
	if tk.Assignee != "sam@shop.example" || tk.Team != "support" {
		t.Fatalf("with Kim away: assignee %q team %q; want sam in support", tk.Assignee, tk.Team)
	}
	if tk.Slack.Channel != "C0SUPPORT" {
		t.Errorf("card in %s; want the team's channel C0SUPPORT", tk.Slack.Channel)
	}
	h.command(t, agentKim, "back", "back-1")
	waitFor(t, "Kim welcomed back", func() bool { return strings.Contains(responses(), "Welcome back") })
	if next := h.intake(t, "esc-2", `{"subject":"Hinge loose","email":"bo@example.com"}`); next.Assignee != "kim@shop.example" {
		t.Errorf("after Kim is back: assignee %q; want kim, next in rotation", next.Assignee)
	}

	// Urgent: the first response is due in an hour and at risk 15 minutes
	// before. The scheduler's scan runs on the wall clock; the test runs it
	// at the instants that matter.
	due := tk.SLA.FirstResponseDue
	for _, at := range []time.Time{due.Add(-10 * time.Minute), due.Add(-5 * time.Minute)} {
		if _, err := h.app.store.WarnSLA(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	mentions := func() int {
		n := 0
		for _, m := range h.fake.Thread("C0SUPPORT", tk.Slack.TS) {
			if strings.Contains(m.Text, "first response at risk") && strings.Contains(slacktest.Text(m.Blocks), "<@"+agentSam+">") {
				n++
			}
		}
		return n
	}
	waitFor(t, "the at-risk mention of Sam in the thread", func() bool { return mentions() == 1 })

	if _, err := h.app.store.WarnSLA(ctx, due.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	leads := func() []string {
		var out []string
		for _, m := range h.fake.Messages("C0LEADS") {
			out = append(out, slacktest.Text(m.Blocks))
		}
		return out
	}
	waitFor(t, "the breach in the lead's channel", func() bool { return len(leads()) > 0 })
	if got := leads()[0]; !strings.Contains(got, "SLA breached") || !strings.Contains(got, tk.Ref()) || !strings.Contains(got, "sam@shop.example") {
		t.Errorf("lead's message: %q", got)
	}
	// A restarted scheduler scanning again says nothing new.
	if n, err := h.app.store.WarnSLA(ctx, due.Add(2*time.Minute)); err != nil || n != 0 {
		t.Errorf("a second scan wrote %d warnings (%v)", n, err)
	}
	if got := h.ticket(t, tk.ID); got.Escalation.Level != "breached" || got.Priority != tickets.PriorityUrgent {
		t.Errorf("after the breach: escalated %q priority %s", got.Escalation.Level, got.Priority)
	}
	if mentions() != 1 || len(leads()) != 1 {
		t.Errorf("%d at-risk mentions and %d lead messages; want one each", mentions(), len(leads()))
	}
}
