package rules

import (
	"strings"
	"testing"
	"time"

	"hub/tickets"
)

// BenchmarkEvaluateDefault runs the built-in rules on one new ticket with a
// customer, an order and a first message of ordinary length: the work the
// pipeline adds to each new ticket.
func BenchmarkEvaluateDefault(b *testing.B) {
	rs := Default()
	c := Context{
		Subject: "Where is my parcel? Order #1042",
		Body: strings.Repeat("Hi, I ordered a week ago and the tracking hasn't moved since Tuesday. "+
			"Could you check with the courier and let me know when it will arrive? ", 4),
		Source: tickets.SourceShopify, Store: "shopify:acme.myshopify.com", Status: tickets.StatusOpen,
		Priority: tickets.PriorityMedium,
		Customer: Customer{Known: true, Orders: 4, Spent: 320},
		Order:    &Order{FinancialStatus: "paid", FulfillmentStatus: "unfulfilled", CreatedAt: monday10.Add(-7 * 24 * time.Hour)},
		Now:      monday10,
	}
	b.ReportAllocs()
	for b.Loop() {
		if ds := Evaluate(rs, TicketCreated, c); len(ds) != 3 {
			b.Fatalf("decisions = %v", ds)
		}
	}
}

// BenchmarkParseDefault loads the built-in rules file: what start-up and
// each SIGHUP cost.
func BenchmarkParseDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("default.yaml", defaultFile); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEscalations is the scheduler's look at one running ticket.
func BenchmarkEscalations(b *testing.B) {
	p := tickets.DefaultPolicy()
	tk := openTicket(p, tickets.PriorityMedium, at("2026-03-06 16:30"))
	now := at("2026-03-09 15:00")
	b.ReportAllocs()
	for b.Loop() {
		_ = Escalations(p, tk, now)
		_, _ = NextEscalation(p, tk, now)
	}
}
