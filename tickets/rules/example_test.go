package rules_test

import (
	"fmt"
	"time"

	"hub/tickets"
	"hub/tickets/rules"
)

func ExampleEvaluate() {
	rs, err := rules.Parse("rules.yaml", []byte(`version: 1
teams:
  billing: {channel: C0BILLING, members: [ana@example.com, ben@example.com]}
rules:
  - name: billing
    if: mentions(text, "invoice*", "refund*")
    tag: billing
    team: billing
    assign: team
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	c := rules.Context{
		Subject: "Wrong invoice",
		Agents:  rules.Roster{Last: map[string]string{"billing": "ana@example.com"}},
		Now:     time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
	}
	for _, d := range rules.Evaluate(rs, rules.TicketCreated, c) {
		fmt.Printf("%s: %s\n", d.Rule, d)
	}
	fmt.Println("channel:", rs.Channel("billing"))
	// Output:
	// billing: tags: [] → [billing]
	// billing: team: (none) → billing
	// billing: assignee: (none) → ben@example.com (round_robin)
	// channel: C0BILLING
}

func ExampleEscalations() {
	p := tickets.DefaultPolicy()                             // Monday–Friday 09:00–17:00 UTC
	arrived := time.Date(2026, 3, 6, 16, 30, 0, 0, time.UTC) // Friday afternoon
	t := tickets.Ticket{ID: "t1", Priority: tickets.PriorityMedium, SLA: p.Start(tickets.PriorityMedium, arrived)}
	next, _ := rules.NextEscalation(p, t, arrived)
	for _, e := range rules.Escalations(p, t, next) {
		fmt.Println(e.Key(), e.At.Format("Mon 15:04"))
	}
	// Output:
	// t1/first_response/at_risk Mon 14:30
}
