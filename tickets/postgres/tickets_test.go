package postgres_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"hub/tickets"
)

func TestCreateAndGetTicket(t *testing.T) {
	b := setup(t)
	in := tickets.NewTicket{
		Subject:     "  Where is my   order? ",
		Description: "It has been two weeks.",
		Customer:    tickets.CustomerInput{Email: " Jane@Example.COM ", Name: "Jane", Phone: "+44 20 7946 0000", Store: "shopify:acme", StoreCustomerID: "c-1"},
		Priority:    tickets.PriorityHigh,
		Tags:        []string{"Shipping", "vip"},
		Assignee:    "Bob@Example.com",
		Source:      tickets.SourceShopify,
		ExternalRef: "order-1001",
		Orders:      []tickets.OrderRef{{Store: "shopify:acme", OrderID: "555", OrderNumber: "#1001", Total: "19.90", Currency: "EUR"}},
	}
	tk := b.create(t, in)

	if tk.Number != 1001 || tk.Ref() != "T-1001" {
		t.Errorf("number = %d; want 1001", tk.Number)
	}
	if tk.Subject != "Where is my order?" || tk.Status != tickets.StatusOpen || tk.Priority != tickets.PriorityHigh {
		t.Errorf("ticket = %q %s %s", tk.Subject, tk.Status, tk.Priority)
	}
	if tk.Assignee != "bob@example.com" || len(tk.Tags) != 2 || tk.Tags[0] != "shipping" {
		t.Errorf("assignee %q tags %v", tk.Assignee, tk.Tags)
	}
	c := tk.Customer
	if c.Email != "jane@example.com" || c.Name != "Jane" || c.Phone != "+442079460000" || len(c.Stores) != 1 || c.Stores[0].CustomerID != "c-1" {
		t.Errorf("customer = %+v", c)
	}
	if len(tk.Orders) != 1 || tk.Orders[0].OrderNumber != "#1001" || tk.Orders[0].Total != "19.90" {
		t.Errorf("orders = %+v", tk.Orders)
	}
	if tk.SLA.FirstResponseDue.IsZero() || tk.SLA.ResolutionDue.IsZero() || !tk.SLA.ClockStart.Equal(b.clock.Now()) {
		t.Errorf("SLA = %+v", tk.SLA)
	}
	if !tk.CreatedAt.Equal(b.clock.Now()) {
		t.Errorf("created_at = %v; want the injected clock %v", tk.CreatedAt, b.clock.Now())
	}

	for _, ref := range []string{tk.ID, "1001", "T-1001", "t-1001"} {
		got, err := b.store.GetTicket(b.ctx, ref)
		if err != nil || got.ID != tk.ID || len(got.Orders) != 1 || got.Customer.Email != "jane@example.com" {
			t.Errorf("GetTicket(%q) = %s, %v", ref, got.ID, err)
		}
	}

	events := b.events(t, tk.ID)
	if len(events) != 2 || events[0].Type != tickets.EventCreated || events[1].Type != tickets.EventOrderLinked {
		t.Fatalf("events = %+v", events)
	}
	if events[0].Actor != agent || events[0].After["status"] != "open" {
		t.Errorf("created event = %+v", events[0])
	}
	if b.count(t, "select count(*) from agents where email = 'bob@example.com'") != 1 {
		t.Error("assignee not recorded as an agent")
	}
}

func TestGetTicketNotFound(t *testing.T) {
	b := setup(t)
	for _, ref := range []string{"", "9999", "T-9999", "00000000-0000-0000-0000-000000000000", "not-a-uuid", "1234567-abcd", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "T-", "'; drop table tickets; --"} {
		_, err := b.store.GetTicket(b.ctx, ref)
		wantCode(t, err, tickets.ENOTFOUND)
	}
	_, err := b.store.ListEvents(b.ctx, "bogus")
	wantCode(t, err, tickets.ENOTFOUND)
	_, err = b.store.ListMessages(b.ctx, "T-5")
	wantCode(t, err, tickets.ENOTFOUND)
}

func TestCreateTicketInvalid(t *testing.T) {
	b := setup(t)
	for name, in := range map[string]tickets.NewTicket{
		"no subject":    {Source: tickets.SourceAPI},
		"no source":     {Subject: "x"},
		"bad priority":  {Subject: "x", Source: tickets.SourceAPI, Priority: "whenever"},
		"bad email":     {Subject: "x", Source: tickets.SourceAPI, Customer: tickets.CustomerInput{Email: "nope"}},
		"bad assignee":  {Subject: "x", Source: tickets.SourceAPI, Assignee: "bob"},
		"bad tag":       {Subject: "x", Source: tickets.SourceAPI, Tags: []string{"no spaces"}},
		"order nostore": {Subject: "x", Source: tickets.SourceAPI, Orders: []tickets.OrderRef{{OrderID: "1"}}},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := b.store.CreateTicket(b.ctx, agent, in)
			wantCode(t, err, tickets.EINVALID)
		})
	}
	if n := b.count(t, "select count(*) from tickets"); n != 0 {
		t.Errorf("%d tickets written by invalid creates", n)
	}
}

func TestCreateTicketIdempotentConcurrent(t *testing.T) {
	b := setup(t)
	in := tickets.NewTicket{
		Subject:     "Refund please",
		Customer:    tickets.CustomerInput{Email: "sam@example.com"},
		Source:      tickets.SourceZapier,
		ExternalRef: "zap-42",
		Orders:      []tickets.OrderRef{{Store: "woocommerce:shop", OrderID: "77"}},
	}
	const n = 10
	var wg sync.WaitGroup
	results := make([]tickets.Ticket, n)
	created := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], created[i], errs[i] = b.store.CreateTicket(b.ctx, webhook, in)
		}()
	}
	wg.Wait()
	createdCount := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("CreateTicket #%d: %v", i, errs[i])
		}
		if created[i] {
			createdCount++
		}
		if results[i].ID != results[0].ID || results[i].ID == "" {
			t.Errorf("CreateTicket #%d returned ticket %q; want %q", i, results[i].ID, results[0].ID)
		}
	}
	if createdCount != 1 {
		t.Errorf("%d calls created the ticket; want 1", createdCount)
	}
	for table, want := range map[string]int{"tickets": 1, "customers": 1, "events": 2, "ticket_orders": 1} {
		if got := b.count(t, "select count(*) from "+table); got != want {
			t.Errorf("%s: %d rows; want %d", table, got, want)
		}
	}
	// A later replay answers the same ticket.
	again, ok, err := b.store.CreateTicket(b.ctx, webhook, in)
	if err != nil || ok || again.ID != results[0].ID {
		t.Errorf("replay = %s, created=%v, %v", again.ID, ok, err)
	}
}

func TestCustomerMatching(t *testing.T) {
	b := setup(t)
	first := b.create(t, tickets.NewTicket{Subject: "one", Customer: tickets.CustomerInput{Email: "Mia@Example.com"}})

	tests := []struct {
		name     string
		customer tickets.CustomerInput
		same     bool
	}{
		{"email in another case", tickets.CustomerInput{Email: "MIA@example.COM", Name: "Mia Rossi"}, true},
		{"phone fills in", tickets.CustomerInput{Email: "mia@example.com", Phone: "+39 06 1234 5678"}, true},
		{"phone alone", tickets.CustomerInput{Phone: "0039 06 12345678"}, true},
		{"store id", tickets.CustomerInput{Email: "mia@example.com", Store: "shopify:acme", StoreCustomerID: "42"}, true},
		{"store id alone", tickets.CustomerInput{Store: "shopify:acme", StoreCustomerID: "42"}, true},
		{"someone else", tickets.CustomerInput{Email: "leo@example.com"}, false},
		{"other store id", tickets.CustomerInput{Store: "shopify:acme", StoreCustomerID: "43"}, false},
	}
	for _, tt := range tests {
		tk := b.create(t, tickets.NewTicket{Subject: tt.name, Customer: tt.customer})
		if same := tk.Customer.ID == first.Customer.ID; same != tt.same {
			t.Errorf("%s: same customer = %v; want %v", tt.name, same, tt.same)
		}
	}
	c, list, err := b.store.CustomerByEmail(b.ctx, " MIA@EXAMPLE.COM")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Mia Rossi" || c.Phone != "+390612345678" || len(c.Stores) != 1 {
		t.Errorf("customer = %+v", c)
	}
	if len(list) != 6 || list[0].Subject != "store id alone" || list[5].Subject != "one" {
		t.Errorf("customer's tickets: %d, newest %q", len(list), list[0].Subject)
	}
	_, _, err = b.store.CustomerByEmail(b.ctx, "nobody@example.com")
	wantCode(t, err, tickets.ENOTFOUND)
}

func TestCustomerPhoneOwnedByAnother(t *testing.T) {
	b := setup(t)
	a := b.create(t, tickets.NewTicket{Subject: "a", Customer: tickets.CustomerInput{Email: "a@example.com"}})
	p := b.create(t, tickets.NewTicket{Subject: "p", Customer: tickets.CustomerInput{Phone: "+1 555 0100 200"}})
	// Matched by email; the phone belongs to someone else and stays theirs.
	tk := b.create(t, tickets.NewTicket{Subject: "both", Customer: tickets.CustomerInput{Email: "a@example.com", Phone: "+15550100200"}})
	if tk.Customer.ID != a.Customer.ID || tk.Customer.Phone != "" {
		t.Errorf("customer = %+v; want %s without a phone", tk.Customer, a.Customer.ID)
	}
	if p.Customer.ID == a.Customer.ID {
		t.Error("phone and email customers merged")
	}
}

func TestTicketTimesUseClock(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "clock"})
	b.clock.Advance(time.Hour)
	got, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Team: ptr("billing")})
	if err != nil {
		t.Fatal(err)
	}
	if !got.UpdatedAt.Equal(b.clock.Now()) || !got.CreatedAt.Equal(tk.CreatedAt) {
		t.Errorf("created %v updated %v; clock %v", got.CreatedAt, got.UpdatedAt, b.clock.Now())
	}
}

// A phone number never merges two email addresses: customers match by
// email first, by the phone only when the incoming record has no email,
// and a placeholder phone (one repeated digit, or too short) never matches.
func TestPhoneNeverMergesTwoEmails(t *testing.T) {
	b := setup(t)
	first := b.create(t, tickets.NewTicket{Subject: "first buyer", Customer: tickets.CustomerInput{Email: "ann@example.com", Phone: "+44 20 7946 0958"}})
	for _, tc := range []struct {
		name     string
		customer tickets.CustomerInput
		same     bool
	}{
		{"another email, same phone", tickets.CustomerInput{Email: "bob@example.com", Name: "Bob", Phone: "+442079460958"}, false},
		{"the phone alone", tickets.CustomerInput{Phone: "0044 20 7946 0958"}, true},
		{"the email, another phone", tickets.CustomerInput{Email: "ann@example.com", Phone: "+1 555 123 4567"}, true},
	} {
		tk := b.create(t, tickets.NewTicket{Subject: tc.name, Customer: tc.customer})
		if same := tk.Customer.ID == first.Customer.ID; same != tc.same {
			t.Errorf("%s: same customer as the first buyer = %v; want %v", tc.name, same, tc.same)
		}
	}
	for i, placeholder := range []string{"0000000000", "+1 111 111 1111", "123456"} {
		email := fmt.Sprintf("buyer%d@example.com", i)
		a := b.create(t, tickets.NewTicket{Subject: "a " + placeholder, Customer: tickets.CustomerInput{Email: email, Phone: placeholder}})
		c := b.create(t, tickets.NewTicket{Subject: "c " + placeholder, Customer: tickets.CustomerInput{Name: "Caller", Phone: placeholder}})
		if a.Customer.ID == c.Customer.ID || a.Customer.Phone != "" {
			t.Errorf("placeholder phone %q: %+v and %+v", placeholder, a.Customer, c.Customer)
		}
	}
}
