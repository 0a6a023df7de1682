package postgres_test

import (
	"slices"
	"testing"
	"time"

	"hub/tickets"
	"hub/tickets/postgres"
	"hub/tickets/rules"
)

// teamRules is a rules file with staffed teams, for the store's tests.
const teamRules = `
version: 1
teams:
  billing:
    channel: C0BILLING
    lead_channel: C0LEADS
    members: [ana@example.com, ben@example.com, cleo@example.com]
  shipping:
    members: [dora@example.com, emil@example.com]
    assign: fewest_open
rules:
  - name: tag-billing
    on: [ticket.created, customer.message]
    if: mentions(text, "invoice*", "refund*", "payment*")
    tag: billing
  - name: tag-shipping
    on: [ticket.created, customer.message]
    if: mentions(text, "parcel", "tracking")
    tag: shipping
  - name: urgent-payment-failed
    on: [ticket.created, customer.message, order.changed]
    if: order.financial_status == "failed" || mentions(text, "payment failed")
    priority: urgent
  - name: route-billing
    on: [ticket.created, customer.message]
    if: team == "" && "billing" in tags
    team: billing
    assign: team
  - name: route-shipping
    on: [ticket.created, customer.message]
    if: team == "" && "shipping" in tags
    team: shipping
    assign: team
  - name: raise-on-breach
    on: [sla.breached]
    if: sla.target == "first_response"
    priority: raise
`

func withRules(t *testing.T, file string) func(*postgres.Options) {
	t.Helper()
	rs, err := rules.Parse("rules.yaml", []byte(file))
	if err != nil {
		t.Fatalf("rules: %v", err)
	}
	return func(o *postgres.Options) { o.Rules = func() *rules.RuleSet { return rs } }
}

// ruleEvents returns the ticket's events made by rules, as "rule: field".
func (b *testBundle) ruleEvents(t *testing.T, ref string) []string {
	t.Helper()
	var out []string
	for _, e := range b.events(t, ref) {
		if e.Actor.Kind != rules.ActorRule {
			continue
		}
		for k := range e.After {
			if k != "via" {
				out = append(out, e.Actor.ID+": "+k)
			}
		}
	}
	return out
}

func TestRulesSortRouteAndAssignNewTickets(t *testing.T) {
	b := setup(t, withRules(t, teamRules))
	tk := b.create(t, tickets.NewTicket{Subject: "Payment failed", Description: "My payment failed twice, please refund"})
	if tk.Priority != tickets.PriorityUrgent || tk.Team != "billing" || tk.Assignee != "ana@example.com" || !slices.Equal(tk.Tags, []string{"billing"}) {
		t.Fatalf("ticket after rules: priority %s team %q assignee %q tags %v", tk.Priority, tk.Team, tk.Assignee, tk.Tags)
	}
	want := []string{"tag-billing: tags", "urgent-payment-failed: priority", "route-billing: team", "route-billing: assignee"}
	if got := b.ruleEvents(t, tk.ID); !slices.Equal(got, want) {
		t.Errorf("audit trail by rules = %v, want %v", got, want)
	}
	evs := b.events(t, tk.ID)
	last := evs[len(evs)-1]
	if last.Actor.String() != "rule:route-billing (rule route-billing)" || last.After["via"] != "round_robin" {
		t.Errorf("assignment event %+v", last)
	}
	// The urgent priority came with its SLA: an hour for the first response.
	if got := tk.SLA.FirstResponseDue.Sub(tk.CreatedAt); got != time.Hour {
		t.Errorf("first response due after %v, want 1h (urgent)", got)
	}
	// A ticket no rule matches is left alone and has no rule events.
	plain := b.create(t, tickets.NewTicket{Subject: "Hello there"})
	if plain.Team != "" || plain.Assignee != "" || len(b.ruleEvents(t, plain.ID)) != 0 {
		t.Errorf("plain ticket changed by rules: %+v", plain)
	}
}

func TestRoundRobinSkipsAwayAgents(t *testing.T) {
	b := setup(t, withRules(t, teamRules))
	var got []string
	next := func() {
		t.Helper()
		got = append(got, b.create(t, tickets.NewTicket{Subject: "Invoice question"}).Assignee)
	}
	next()
	next()
	if changed, err := b.store.SetAway(b.ctx, "CLEO@example.com", true); err != nil || !changed {
		t.Fatalf("SetAway: %v, %v", changed, err)
	}
	if changed, _ := b.store.SetAway(b.ctx, "cleo@example.com", true); changed {
		t.Error("away twice reported a change")
	}
	_, err := b.store.SetAway(b.ctx, "cleo", true)
	wantCode(t, err, tickets.EINVALID)
	next() // cleo is away: ana again
	if _, err := b.store.SetAway(b.ctx, "cleo@example.com", false); err != nil {
		t.Fatal(err)
	}
	next()
	want := []string{"ana@example.com", "ben@example.com", "ana@example.com", "ben@example.com"}
	if !slices.Equal(got, want) {
		t.Errorf("round robin gave %v, want %v", got, want)
	}
}

func TestFewestOpenAssignment(t *testing.T) {
	b := setup(t, withRules(t, teamRules))
	first := b.create(t, tickets.NewTicket{Subject: "Where is my parcel?"})
	second := b.create(t, tickets.NewTicket{Subject: "Tracking number please"})
	if first.Assignee != "dora@example.com" || second.Assignee != "emil@example.com" {
		t.Fatalf("assignees %q, %q", first.Assignee, second.Assignee)
	}
	// Dora's ticket is resolved: she has fewer open and gets the next one.
	if _, err := b.store.UpdateTicket(b.ctx, agent, first.ID, tickets.Patch{Status: ptr(tickets.StatusResolved)}); err != nil {
		t.Fatal(err)
	}
	if third := b.create(t, tickets.NewTicket{Subject: "My parcel is late"}); third.Assignee != "dora@example.com" {
		t.Errorf("third parcel ticket went to %q, want dora (fewest open)", third.Assignee)
	}
}

func TestReopenedTicketGoesBackToItsAssignee(t *testing.T) {
	b := setup(t, withRules(t, teamRules))
	customer := tickets.CustomerInput{Email: "mia@example.com"}
	tk := b.create(t, tickets.NewTicket{Subject: "Invoice copy", Customer: customer})
	if tk.Assignee != "ana@example.com" {
		t.Fatalf("assignee %q", tk.Assignee)
	}
	reopen := func() tickets.Ticket {
		t.Helper()
		if _, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Status: ptr(tickets.StatusResolved)}); err != nil {
			t.Fatal(err)
		}
		_, got, err := b.store.AddMessage(b.ctx, webhook, tk.ID, tickets.NewMessage{Kind: tickets.MessageCustomer, Body: "Still need it"})
		if err != nil || got.Status != tickets.StatusOpen {
			t.Fatalf("reopen: %v, status %s", err, got.Status)
		}
		return got
	}
	if got := reopen(); got.Assignee != "ana@example.com" {
		t.Errorf("reopened with ana available: assignee %q", got.Assignee)
	}
	if _, err := b.store.SetAway(b.ctx, "ana@example.com", true); err != nil {
		t.Fatal(err)
	}
	got := reopen()
	if got.Assignee != "ben@example.com" {
		t.Errorf("reopened with ana away: assignee %q, want the team's next (ben)", got.Assignee)
	}
	// Reopened by an agent, while ben is away too: cleo.
	if _, err := b.store.SetAway(b.ctx, "ben@example.com", true); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Status: ptr(tickets.StatusResolved)}); err != nil {
		t.Fatal(err)
	}
	if got, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Status: ptr(tickets.StatusOpen)}); err != nil || got.Assignee != "cleo@example.com" {
		t.Errorf("reopened by an agent with ben away: assignee %q (%v), want cleo", got.Assignee, err)
	}
	if evs := b.ruleEvents(t, tk.ID); !slices.Contains(evs, "reopen-reassign: assignee") {
		t.Errorf("the hand-over is not in the audit trail: %v", evs)
	}
}

func TestOrderChangeRunsRules(t *testing.T) {
	b := setup(t, withRules(t, teamRules))
	order := tickets.OrderRef{Store: "shopify:acme.myshopify.com", OrderID: "555", OrderNumber: "#1001", FinancialStatus: "pending"}
	tk := b.create(t, tickets.NewTicket{Subject: "Question about my order", Orders: []tickets.OrderRef{order}})
	if tk.Priority != tickets.PriorityMedium {
		t.Fatalf("priority %s before the change", tk.Priority)
	}
	order.FinancialStatus, order.SourceUpdatedAt = "failed", start.Add(time.Hour)
	if err := b.store.Apply(b.ctx, webhook, tickets.OrderChanged{Order: order}); err != nil {
		t.Fatal(err)
	}
	got, err := b.store.GetTicket(b.ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Priority != tickets.PriorityUrgent || !slices.Contains(b.ruleEvents(t, tk.ID), "urgent-payment-failed: priority") {
		t.Errorf("after the payment failed: priority %s, rule events %v", got.Priority, b.ruleEvents(t, tk.ID))
	}
}

func TestCustomerMessageRunsRules(t *testing.T) {
	b := setup(t, withRules(t, teamRules))
	tk := b.create(t, tickets.NewTicket{Subject: "Hello"})
	_, got, err := b.store.AddMessage(b.ctx, webhook, tk.ID, tickets.NewMessage{Kind: tickets.MessageCustomer, Body: "It is about my invoice"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Team != "billing" || got.Assignee == "" || !slices.Contains(got.Tags, "billing") {
		t.Errorf("after the customer wrote: team %q assignee %q tags %v", got.Team, got.Assignee, got.Tags)
	}
	// An agent's reply runs no rules.
	before := len(b.events(t, tk.ID))
	if _, _, err := b.store.AddMessage(b.ctx, agent, tk.ID, tickets.NewMessage{Kind: tickets.MessageReply, Body: "The parcel tracking is here"}); err != nil {
		t.Fatal(err)
	}
	for _, e := range b.events(t, tk.ID)[before:] {
		if e.Actor.Kind == rules.ActorRule {
			t.Errorf("a reply ran rule %s", e.Actor.ID)
		}
	}
}
