package postgres_test

import (
	"testing"
	"time"

	"hub/tickets"
)

func TestLinkOrder(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "Order question"})
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	order := tickets.OrderRef{Store: "shopify:acme", OrderID: "450789469", OrderNumber: "#1001",
		FinancialStatus: "paid", FulfillmentStatus: "unfulfilled", Total: "49.00", Currency: "USD",
		CustomerEmail: "Bob@Example.com", SourceUpdatedAt: t0, Details: []byte(`{"line_items":[{"sku":"A1"}]}`)}

	got, err := b.store.LinkOrder(b.ctx, agent, tk.ID, order)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Orders) != 1 || got.Orders[0].FinancialStatus != "paid" || got.Orders[0].CustomerEmail != "bob@example.com" ||
		!got.Orders[0].SourceUpdatedAt.Equal(t0) || string(got.Orders[0].Details) != `{"line_items": [{"sku": "A1"}]}` {
		t.Errorf("orders = %+v", got.Orders)
	}

	// Linking again changes nothing and writes no second event.
	if _, err := b.store.LinkOrder(b.ctx, agent, tk.Ref(), order); err != nil {
		t.Fatal(err)
	}
	if n := b.count(t, "select count(*) from events where type = $1", tickets.EventOrderLinked); n != 1 {
		t.Errorf("%d order.linked events; want 1", n)
	}

	tests := []struct {
		name string
		snap tickets.OrderRef
		want string // fulfillment status afterwards
	}{
		{"older snapshot ignored", tickets.OrderRef{FulfillmentStatus: "cancelled", SourceUpdatedAt: t0.Add(-time.Hour)}, "unfulfilled"},
		{"snapshot without time ignored", tickets.OrderRef{FulfillmentStatus: "cancelled"}, "unfulfilled"},
		{"newer snapshot applied", tickets.OrderRef{FulfillmentStatus: "fulfilled", SourceUpdatedAt: t0.Add(time.Hour)}, "fulfilled"},
		{"stale again", tickets.OrderRef{FulfillmentStatus: "partial", SourceUpdatedAt: t0.Add(30 * time.Minute)}, "fulfilled"},
	}
	for _, tt := range tests {
		snap := tt.snap
		snap.Store, snap.OrderID = order.Store, order.OrderID
		got, err := b.store.LinkOrder(b.ctx, webhook, tk.ID, snap)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if o := got.Orders[0]; o.FulfillmentStatus != tt.want || o.Total != "49.00" {
			t.Errorf("%s: fulfillment %q total %q; want %q", tt.name, o.FulfillmentStatus, o.Total, tt.want)
		}
	}

	_, err = b.store.LinkOrder(b.ctx, agent, tk.ID, tickets.OrderRef{OrderID: "1"})
	wantCode(t, err, tickets.EINVALID)
	_, err = b.store.LinkOrder(b.ctx, agent, tk.ID, tickets.OrderRef{Store: "x"})
	wantCode(t, err, tickets.EINVALID)
	_, err = b.store.LinkOrder(b.ctx, agent, "T-77777", order)
	wantCode(t, err, tickets.ENOTFOUND)
}

func TestLinkOrderByNumberThenID(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "By number", OrderNumber: "1002", Store: "shopify:acme"})
	// An agent links the order by number only; the real id arrives later.
	got, err := b.store.LinkOrder(b.ctx, agent, tk.ID, tickets.OrderRef{Store: "shopify:acme", OrderNumber: "#1002"})
	if err != nil || len(got.Orders) != 1 {
		t.Fatalf("link by number: %+v, %v", got.Orders, err)
	}
	got, err = b.store.LinkOrder(b.ctx, webhook, tk.ID, tickets.OrderRef{Store: "shopify:acme", OrderID: "820982911946154508",
		OrderNumber: "#1002", FinancialStatus: "paid", SourceUpdatedAt: start})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Orders) != 1 || got.Orders[0].OrderID != "820982911946154508" || got.Orders[0].FinancialStatus != "paid" {
		t.Errorf("orders after the id arrived: %+v", got.Orders)
	}
	if n := b.count(t, "select count(*) from events where type = $1", tickets.EventOrderLinked); n != 1 {
		t.Errorf("%d order.linked events; want 1", n)
	}
	list, _, err := b.store.ListTickets(b.ctx, tickets.Filter{Order: "1002"})
	if err != nil || len(list) != 1 {
		t.Errorf("list by order number: %d, %v", len(list), err)
	}
	events := b.events(t, tk.ID)
	if events[0].After["order_number"] != "1002" || events[0].After["store"] != "shopify:acme" {
		t.Errorf("created event does not carry the requested order: %v", events[0].After)
	}
}
