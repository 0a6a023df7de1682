package rules

import (
	"slices"
	"strings"
	"testing"
	"time"

	"hub/tickets"
)

// monday10 is Monday 2 March 2026, 10:00 UTC: business hours.
var monday10 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func newTicket(subject, body string) Context {
	return Context{Subject: subject, Body: body, Source: tickets.SourceAPI, Status: tickets.StatusOpen,
		Priority: tickets.PriorityMedium, Now: monday10}
}

// The built-in rules tag realistic first messages in the four languages.
func TestDefaultCategorisation(t *testing.T) {
	rs := Default()
	for _, tc := range []struct {
		subject, body string
		tags          string
		team          string
	}{
		// English
		{"Where is my order #1042?", "It has been 10 days and the tracking number shows nothing.", "shipping", "shipping"},
		{"Charged twice for the same order", "My credit card was charged twice, please refund one payment.", "billing", "billing"},
		{"Return request", "The shoes are the wrong size, how do I send them back?", "returns", "returns"},
		{"Can't log in", "The website says my password is wrong, error 500 after reset.", "technical", "technical"},
		{"Wholesale pricing", "Do you offer a discount for bulk orders of 200 units?", "sales", "sales"},
		{"Refund for my returned jacket", "I returned it last week, when do I get the refund?", "billing returns", "returns"},
		{"Hello", "Just wanted to say thanks for the lovely packaging note.", "", ""},
		// German
		{"Wo bleibt meine Lieferung?", "Hallo, mein Paket ist noch nicht angekommen. Die Sendungsverfolgung zeigt nichts.", "shipping", "shipping"},
		{"Rechnung fehlt", "Bitte senden Sie mir die Rechnung zu meiner Bestellung.", "billing", "billing"},
		{"Rücksendung", "Ich möchte die Jacke zurückschicken, sie ist zu groß.", "returns", "returns"},
		{"Passwort vergessen", "Die Anmeldung funktioniert nicht.", "technical", "technical"},
		{"Wann bekomme ich meine Rückerstattung?", "", "billing", "billing"},
		// French
		{"Colis non reçu", "Bonjour, je n'ai pas reçu ma livraison.", "shipping", "shipping"},
		{"Problème de facture", "Ma facture indique un mauvais montant.", "billing", "billing"},
		{"Demande de retour", "Le produit est défectueux, je souhaite un échange.", "returns", "returns"},
		{"Erreur sur le site", "Le mot de passe ne fonctionne pas.", "technical", "technical"},
		// Spanish
		{"Mi pedido no ha llegado", "Hola, ¿dónde está mi pedido? El seguimiento no se actualiza.", "shipping", "shipping"},
		{"Reembolso pendiente", "Todavía no he recibido el reembolso.", "billing", "billing"},
		{"Devolución", "Quiero devolver el producto, llegó dañado.", "returns", "returns"},
		{"Precio al por mayor", "¿Tienen descuento para pedidos grandes? Necesito un presupuesto.", "sales", "sales"},
	} {
		t.Run(tc.subject, func(t *testing.T) {
			res := Run(rs, TicketCreated, newTicket(tc.subject, tc.body))
			if got := strings.Join(res.Tags, " "); got != tc.tags {
				t.Errorf("tags = %q, want %q", got, tc.tags)
			}
			if res.Team != tc.team {
				t.Errorf("team = %q, want %q", res.Team, tc.team)
			}
		})
	}
}

func TestDefaultPriorities(t *testing.T) {
	rs := Default()
	order := func(fin, ful string, age time.Duration, fraud string) *Order {
		return &Order{FinancialStatus: fin, FulfillmentStatus: ful, FraudRisk: fraud, CreatedAt: monday10.Add(-age)}
	}
	for _, tc := range []struct {
		name     string
		ev       Event
		c        func(*Context)
		priority tickets.Priority
	}{
		{"plain question stays medium", TicketCreated, func(*Context) {}, tickets.PriorityMedium},
		{"payment failed in the order", TicketCreated, func(c *Context) { c.Order = order("failed", "unfulfilled", time.Hour, "") }, tickets.PriorityUrgent},
		{"payment failed in the text", TicketCreated, func(c *Context) { c.Subject = "Payment failed at checkout" }, tickets.PriorityUrgent},
		{"payment failed, German", TicketCreated, func(c *Context) { c.Subject = "Zahlung fehlgeschlagen" }, tickets.PriorityUrgent},
		{"payment failed when the order changes", OrderChanged, func(c *Context) { c.Order = order("failed", "unfulfilled", time.Hour, "") }, tickets.PriorityUrgent},
		{"high fraud risk", TicketCreated, func(c *Context) { c.Order = order("paid", "unfulfilled", time.Hour, "high") }, tickets.PriorityUrgent},
		{"customer reports fraud", TicketCreated, func(c *Context) { c.Body = "I did not place this order, this is fraud." }, tickets.PriorityUrgent},
		{"medium fraud risk is not urgent", TicketCreated, func(c *Context) { c.Order = order("paid", "fulfilled", time.Hour, "medium") }, tickets.PriorityMedium},
		{"unfulfilled after 4 days", TicketCreated, func(c *Context) { c.Order = order("paid", "unfulfilled", 4*24*time.Hour, "") }, tickets.PriorityHigh},
		{"unfulfilled after 2 days", TicketCreated, func(c *Context) { c.Order = order("paid", "unfulfilled", 2*24*time.Hour, "") }, tickets.PriorityMedium},
		{"partially fulfilled after 5 days", CustomerMessage, func(c *Context) { c.Order = order("paid", "partially_fulfilled", 5*24*time.Hour, "") }, tickets.PriorityHigh},
		{"unfulfilled but refunded", TicketCreated, func(c *Context) { c.Order = order("refunded", "unfulfilled", 9*24*time.Hour, "") }, tickets.PriorityMedium},
		{"unfulfilled but cancelled", TicketCreated, func(c *Context) {
			c.Order = order("paid", "unfulfilled", 9*24*time.Hour, "")
			c.Order.Cancelled = true
		}, tickets.PriorityMedium},
		{"order age unknown", TicketCreated, func(c *Context) { c.Order = &Order{FinancialStatus: "paid", FulfillmentStatus: "unfulfilled"} }, tickets.PriorityMedium},
		{"big spender", TicketCreated, func(c *Context) { c.Customer = Customer{Known: true, Orders: 12, Spent: 1800} }, tickets.PriorityHigh},
		{"small spender", TicketCreated, func(c *Context) { c.Customer = Customer{Known: true, Orders: 2, Spent: 80} }, tickets.PriorityMedium},
		{"unknown spend is not big", TicketCreated, func(c *Context) { c.Customer = Customer{Spent: 5000} }, tickets.PriorityMedium},
		{"rules never lower", TicketCreated, func(c *Context) {
			c.Priority = tickets.PriorityUrgent
			c.Customer = Customer{Known: true, Spent: 1800}
		}, tickets.PriorityUrgent},
		{"low is raised to high", TicketCreated, func(c *Context) {
			c.Priority = tickets.PriorityLow
			c.Customer = Customer{Known: true, Spent: 1800}
		}, tickets.PriorityHigh},
		{"first response breached raises one level", SLABreached, func(c *Context) {
			c.Escalation = &Escalation{Target: FirstResponse, Level: Breached}
		}, tickets.PriorityHigh},
		{"resolution breached does not", SLABreached, func(c *Context) {
			c.Escalation = &Escalation{Target: Resolution, Level: Breached}
		}, tickets.PriorityMedium},
		{"urgent stays urgent on breach", SLABreached, func(c *Context) {
			c.Priority = tickets.PriorityUrgent
			c.Escalation = &Escalation{Target: FirstResponse, Level: Breached}
		}, tickets.PriorityUrgent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTicket("Question about my order", "Hello, a question.")
			tc.c(&c)
			res := Run(rs, tc.ev, c)
			if res.Priority != tc.priority {
				t.Errorf("priority = %s, want %s (decisions %v)", res.Priority, tc.priority, res.Decisions)
			}
			for _, s := range res.Steps {
				if s.Err != nil {
					t.Errorf("rule %s: %v", s.Rule, s.Err)
				}
			}
		})
	}
}

// Routing and assignment with the example file: by store, language, tag,
// customer, and the catch-all, with round robin and fewest open.
func TestRouting(t *testing.T) {
	rs := load(t, "rules.yaml")
	for _, tc := range []struct {
		name     string
		c        func(*Context)
		team     string
		assignee string
		via      string
	}{
		{"catch-all round robin after the last pick", func(c *Context) { c.Agents.Last = map[string]string{"support": "ana@example.com"} },
			"support", "ben@example.com", AssignRoundRobin},
		{"round robin skips the away", func(c *Context) {
			c.Agents.Last = map[string]string{"support": "ana@example.com"}
			c.Agents.Away = map[string]bool{"ben@example.com": true}
		}, "support", "cleo@example.com", AssignRoundRobin},
		{"German goes to dach, fewest open", func(c *Context) {
			c.Subject, c.Body = "Wo ist meine Bestellung?", "Hallo, ich warte noch auf mein Paket. Danke"
			c.Agents.Open = map[string]int{"dora@example.com": 5, "emil@example.com": 2}
		}, "dach", "emil@example.com", AssignFewestOpen},
		{"language from the source wins over the guess", func(c *Context) { c.Language = "de" }, "dach", "dora@example.com", AssignFewestOpen},
		{"billing by tag", func(c *Context) { c.Subject = "Where is my refund?" }, "billing", "fay@example.com", AssignRoundRobin},
		{"wholesale store, and stop", func(c *Context) {
			c.Store = "woocommerce:wholesale.example.com"
			c.Language = "de"
		}, "wholesale", "gus@example.com", AssignRoundRobin},
		{"VIP to the account manager", func(c *Context) { c.Customer = Customer{Known: true, Orders: 40, Spent: 9000} }, "support", "cleo@example.com", ""},
		{"an existing team is kept", func(c *Context) { c.Team = "billing" }, "billing", "", ""},
		{"an assigned ticket keeps its assignee", func(c *Context) { c.Assignee = "zed@example.com" }, "support", "zed@example.com", ""},
		{"nobody available", func(c *Context) {
			c.Agents.Away = map[string]bool{"ana@example.com": true, "ben@example.com": true, "cleo@example.com": true}
		}, "support", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTicket("Question", "Hello, I have a question about my order.")
			tc.c(&c)
			res := Run(rs, TicketCreated, c)
			if res.Team != tc.team || res.Assignee != tc.assignee {
				t.Errorf("team, assignee = %q, %q; want %q, %q\nsteps: %+v", res.Team, res.Assignee, tc.team, tc.assignee, res.Steps)
			}
			for _, d := range res.Decisions {
				if d.Field == FieldAssignee && d.Via != tc.via {
					t.Errorf("assigned via %q, want %q", d.Via, tc.via)
				}
			}
		})
	}
}

func TestDecisionsNameTheirRules(t *testing.T) {
	rs := load(t, "rules.yaml")
	c := newTicket("Refund for invoice 77", "Hello, I was charged twice.")
	c.Order = &Order{FinancialStatus: "failed"}
	got := Evaluate(rs, TicketCreated, c)
	want := []Decision{
		{Rule: "tag-billing", Field: FieldTags, TagsBefore: []string{}, TagsAfter: []string{"billing"}},
		{Rule: "urgent-payment", Field: FieldPriority, Before: "medium", After: "urgent"},
		{Rule: "billing", Field: FieldTeam, Before: "", After: "billing"},
		{Rule: "billing", Field: FieldAssignee, Before: "", After: "fay@example.com", Via: AssignRoundRobin},
	}
	if len(got) != len(want) {
		t.Fatalf("decisions = %+v\nwant %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Rule != w.Rule || g.Field != w.Field || g.Before != w.Before || g.After != w.After || g.Via != w.Via ||
			!slices.Equal(g.TagsBefore, w.TagsBefore) || !slices.Equal(g.TagsAfter, w.TagsAfter) {
			t.Errorf("decision %d = %+v, want %+v", i, g, w)
		}
	}
	if a := got[1].Actor(); a.Kind != ActorRule || a.ID != "urgent-payment" {
		t.Errorf("Actor() = %+v", a)
	}
	before, after := got[3].Audit()
	if before["assignee"] != "" || after["assignee"] != "fay@example.com" || after["via"] != AssignRoundRobin {
		t.Errorf("Audit() = %v → %v", before, after)
	}
	if s := got[1].String(); s != "priority: medium → urgent" {
		t.Errorf("String() = %q", s)
	}
	// The same input gives the same decisions, and the input is not changed.
	again := Evaluate(rs, TicketCreated, c)
	if len(again) != len(got) || c.Priority != tickets.PriorityMedium || c.Team != "" {
		t.Errorf("a second run gave %v; context now %+v", again, c)
	}
}

func TestEventsChooseRules(t *testing.T) {
	rs, err := Parse("t.yaml", []byte(`version: 1
rules:
  - name: created
    tag: a
  - name: wrote
    on: customer.message
    tag: b
  - name: both
    on: [ticket.created, customer.message]
    if: message != ""
    tag: c
  - name: stopper
    on: customer.message
    if: '"b" in tags'
    stop: true
  - name: after-stop
    on: customer.message
    tag: d
  - name: index
    on: order.changed
    if: tags[3] == "x"
    tag: e
`))
	if err != nil {
		t.Fatal(err)
	}
	c := newTicket("s", "b")
	for _, tc := range []struct {
		ev   Event
		msg  string
		tags string
	}{
		{TicketCreated, "", "a"},
		{CustomerMessage, "one more thing", "b c"},
		{SLAAtRisk, "", ""},
		{OrderChanged, "", ""}, // tags[3] fails at run time: the rule does nothing
	} {
		c.Message = tc.msg
		res := Run(rs, tc.ev, c)
		if got := strings.Join(res.Tags, " "); got != tc.tags {
			t.Errorf("%s: tags %q, want %q", tc.ev, got, tc.tags)
		}
		if tc.ev == OrderChanged && (len(res.Steps) != 1 || res.Steps[0].Err == nil) {
			t.Errorf("order.changed: want the index rule to report its run-time error, got %+v", res.Steps)
		}
	}
}

func TestUntagAndTagLimit(t *testing.T) {
	rs, err := Parse("t.yaml", []byte("version: 1\nrules:\n  - name: tidy\n    untag: [new, triage]\n    tag: seen\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := newTicket("s", "b")
	c.Tags = []string{"Triage", "vip", "new"}
	if res := Run(rs, TicketCreated, c); strings.Join(res.Tags, " ") != "seen vip" {
		t.Errorf("tags = %v, want [seen vip]", res.Tags)
	}
	c.Tags = nil
	for i := range tickets.MaxTags {
		c.Tags = append(c.Tags, "t"+string(rune('a'+i)))
	}
	res := Run(rs, TicketCreated, c)
	if len(res.Decisions) != 0 || len(res.Steps[0].Notes) != 1 {
		t.Errorf("a full ticket: decisions %v, notes %v; want a note and no change", res.Decisions, res.Steps[0].Notes)
	}
}

func TestNewContext(t *testing.T) {
	created := monday10.Add(-96 * time.Hour)
	tk := tickets.Ticket{
		Subject: "Late", Description: "Where is it?", Status: tickets.StatusOpen, Priority: tickets.PriorityMedium,
		Source: tickets.SourceShopify, Store: "shopify:acme.myshopify.com", Team: "support", Tags: []string{"x"},
		Customer: tickets.Customer{Email: "jo@example.com", Stores: []tickets.StoreCustomer{
			{Store: "shopify:acme", OrdersCount: ptr(3), TotalSpent: "700.50", Currency: "EUR", UpdatedAt: monday10},
			{Store: "woocommerce:b", OrdersCount: ptr(1), TotalSpent: "400", Currency: "EUR", UpdatedAt: monday10},
			{Store: "woocommerce:c", OrdersCount: ptr(9), TotalSpent: "9999"}, // never looked up
		}},
		Orders: []tickets.OrderRef{
			{OrderNumber: "1000", FinancialStatus: "paid", FulfillmentStatus: "fulfilled"},
			{Store: "shopify:acme", OrderNumber: "1001", FinancialStatus: "PAID", FulfillmentStatus: "unfulfilled", Total: "120.00",
				Details: []byte(`{"created_at":"` + created.Format(time.RFC3339) + `","fraud_risk":"HIGH"}`)},
		},
	}
	p := tickets.DefaultPolicy()
	tk.SLA = p.Start(tk.Priority, monday10.Add(-96*time.Hour))
	c := NewContext(tk, p, monday10)
	if !c.Customer.Known || c.Customer.Orders != 4 || c.Customer.Spent != 1100.5 || c.Customer.Currency != "EUR" {
		t.Errorf("customer = %+v", c.Customer)
	}
	if o := c.Order; o == nil || o.Number != "1001" || o.FinancialStatus != "paid" || o.FraudRisk != "high" || !o.CreatedAt.Equal(created) || o.Total != 120 {
		t.Errorf("order = %+v", c.Order)
	}
	if !c.SLA.Breached {
		t.Errorf("SLA = %+v, want breached (a medium ticket from Thursday)", c.SLA)
	}
	e := newEnv(TicketCreated, c)
	if e.Order.AgeDays != 4 || e.Customer.Spent != 1100.5 || !e.BusinessHours || e.Hour != 10 || e.Weekday != "mon" {
		t.Errorf("env = %+v", e)
	}
	unknown := newEnv(TicketCreated, Context{Now: monday10})
	if unknown.Customer.Orders != -1 || unknown.Customer.Spent != -1 || unknown.Order.AgeDays != -1 || unknown.Order.Linked {
		t.Errorf("unknown customer and order = %+v, %+v; want -1s", unknown.Customer, unknown.Order)
	}
	mixed := CustomerFromProfiles(tickets.Customer{Stores: []tickets.StoreCustomer{
		{TotalSpent: "10", Currency: "EUR", UpdatedAt: monday10}, {TotalSpent: "10", Currency: "USD", UpdatedAt: monday10}}})
	if mixed.Currency != "" || mixed.Spent != 20 {
		t.Errorf("mixed currencies = %+v", mixed)
	}
}

func ptr[T any](v T) *T { return &v }
