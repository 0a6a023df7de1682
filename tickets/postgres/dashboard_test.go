package postgres_test

import (
	"testing"
	"time"

	"hub/tickets"
)

func TestFirstResponseHistogram(t *testing.T) {
	b := setup(t)
	day := start.Truncate(24 * time.Hour)
	a := b.create(t, tickets.NewTicket{Subject: "One", Priority: tickets.PriorityUrgent})
	b.clock.Advance(30 * time.Minute)
	if _, _, err := b.store.AddMessage(b.ctx, agent, a.ID, tickets.NewMessage{Kind: tickets.MessageReply, Body: "On it"}); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(48 * time.Hour) // Wednesday
	c := b.create(t, tickets.NewTicket{Subject: "Two"})
	b.clock.Advance(5 * time.Hour)
	if _, _, err := b.store.AddMessage(b.ctx, agent, c.ID, tickets.NewMessage{Kind: tickets.MessageReply, Body: "Done"}); err != nil {
		t.Fatal(err)
	}

	hist, err := b.store.FirstResponseHistogram(b.ctx, day, day.AddDate(0, 0, 4))
	if err != nil {
		t.Fatal(err)
	}
	// 30 minutes (< 1h) and 5 hours (4–8h).
	if want := []int{1, 0, 1, 0, 0, 0}; len(hist) != len(want) || hist[0] != 1 || hist[2] != 1 || hist[1]+hist[3]+hist[4]+hist[5] != 0 {
		t.Errorf("histogram %v, want %v", hist, want)
	}

}

func TestSearchAndCustomerOrders(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "Where is it", Customer: tickets.CustomerInput{Email: "ada@example.com"},
		Orders: []tickets.OrderRef{{Store: "shopify:acme", OrderID: "9001", OrderNumber: "#1001", CustomerEmail: "other@example.com"}}})
	err := b.store.Apply(b.ctx, webhook, tickets.OrderChanged{Order: tickets.OrderRef{Store: "woocommerce:shop", OrderID: "77",
		OrderNumber: "2002", Total: "10.00", Currency: "EUR", CustomerEmail: "ada@example.com", SourceUpdatedAt: start}})
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{"#1001": 1, "1001": 1, "9001": 1, "ADA@example.com": 1, "2002": 1, "nothing": 0, "": 0} {
		found, err := b.store.SearchOrders(b.ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != want {
			t.Errorf("SearchOrders(%q) = %d orders, want %d", q, len(found), want)
		}
	}
	// The customer's orders: one linked to their ticket, one bought with
	// their email.
	orders, err := b.store.CustomerOrders(b.ctx, tk.Customer.ID, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 2 {
		t.Errorf("customer orders %+v", orders)
	}
}

func TestDeleteExpiredSessions(t *testing.T) {
	b := setup(t)
	if _, err := b.pool.Exec(b.ctx, `insert into sessions (token, data, expiry) values ('old', '', $1), ('live', '', $2)`,
		start.Add(-time.Minute), start.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	n, err := b.store.DeleteExpiredSessions(b.ctx)
	if err != nil || n != 1 {
		t.Fatalf("deleted %d, %v; want 1", n, err)
	}
	var left string
	if err := b.pool.QueryRow(b.ctx, `select string_agg(token, ',') from sessions`).Scan(&left); err != nil || left != "live" {
		t.Fatalf("left %q, %v", left, err)
	}
}

func TestEmailReplyStatuses(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "Mail me", Customer: tickets.CustomerInput{Email: "ada@example.com"}})
	var ids []int64
	for _, body := range []string{"one", "two", "three"} {
		m, _, err := b.store.AddMessage(b.ctx, agent, tk.ID, tickets.NewMessage{Kind: tickets.MessageReply, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := b.store.StartEmailReply(b.ctx, m.ID, tk.ID, "<"+body+"@hub>", "ada@example.com"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	if err := b.store.EmailReplySent(b.ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := b.store.EmailReplyFailed(b.ctx, agent, ids[1], "550 no such user", "could not be emailed"); err != nil {
		t.Fatal(err)
	}
	got, err := b.store.EmailReplyStatuses(b.ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got[ids[0]].Status != "sent" || got[ids[1]].Status != "failed" || got[ids[1]].Error != "550 no such user" ||
		got[ids[2]].Status != "sending" || got[ids[2]].To != "ada@example.com" {
		t.Errorf("statuses %+v", got)
	}
}
