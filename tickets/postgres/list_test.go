package postgres_test

import (
	"encoding/base64"
	"slices"
	"testing"

	"hub/tickets"
)

func TestListTicketsFilters(t *testing.T) {
	b := setup(t)
	shop := "shopify:acme"
	t1 := b.create(t, tickets.NewTicket{Subject: "Parcel lost", Description: "The courier never came",
		Customer: tickets.CustomerInput{Email: "ada@example.com"}, Priority: tickets.PriorityUrgent, Tags: []string{"shipping"},
		Orders: []tickets.OrderRef{{Store: shop, OrderID: "9001", OrderNumber: "#1001"}}})
	t2 := b.create(t, tickets.NewTicket{Subject: "Wrong size", Customer: tickets.CustomerInput{Email: "bo@example.com"},
		Tags: []string{"returns", "shipping"}, Assignee: "cy@example.com"})
	t3 := b.create(t, tickets.NewTicket{Subject: "Invoice copy", Customer: tickets.CustomerInput{Email: "Ada@Example.com"},
		Priority: tickets.PriorityLow, Orders: []tickets.OrderRef{{Store: shop, OrderID: "9002", OrderNumber: "1002"}}})
	if _, err := b.store.UpdateTicket(b.ctx, agent, t3.ID, tickets.Patch{Status: ptr(tickets.StatusPending)}); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(1)
	if _, _, err := b.store.AddMessage(b.ctx, agent, t2.ID, tickets.NewMessage{Kind: tickets.MessageNote, Body: "Kundin möchte Umtausch gegen größere Jacke"}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		filter tickets.Filter
		want   []tickets.Ticket
	}{
		{"all newest first", tickets.Filter{}, []tickets.Ticket{t3, t2, t1}},
		{"status", tickets.Filter{Status: tickets.StatusPending}, []tickets.Ticket{t3}},
		{"priority", tickets.Filter{Priority: tickets.PriorityUrgent}, []tickets.Ticket{t1}},
		{"tag", tickets.Filter{Tag: "Shipping"}, []tickets.Ticket{t2, t1}},
		{"assignee", tickets.Filter{Assignee: "CY@example.com"}, []tickets.Ticket{t2}},
		{"email any case", tickets.Filter{Email: "ADA@example.com"}, []tickets.Ticket{t3, t1}},
		{"order number with #", tickets.Filter{Order: "#1001"}, []tickets.Ticket{t1}},
		{"order number without #", tickets.Filter{Order: "1001"}, []tickets.Ticket{t1}},
		{"order number stored bare, asked with #", tickets.Filter{Order: "#1002"}, []tickets.Ticket{t3}},
		{"order id", tickets.Filter{Order: "9002"}, []tickets.Ticket{t3}},
		{"no such order", tickets.Filter{Order: "1003"}, nil},
		{"text in subject", tickets.Filter{Query: "parcel"}, []tickets.Ticket{t1}},
		{"text in description", tickets.Filter{Query: "courier"}, []tickets.Ticket{t1}},
		{"text only in a message", tickets.Filter{Query: "Umtausch"}, []tickets.Ticket{t2}},
		{"non-English word in a message", tickets.Filter{Query: "größere"}, []tickets.Ticket{t2}},
		{"websearch syntax", tickets.Filter{Query: `"wrong size" -invoice`}, []tickets.Ticket{t2}},
		{"text and filter", tickets.Filter{Query: "invoice", Status: tickets.StatusOpen}, nil},
		{"combined", tickets.Filter{Email: "ada@example.com", Priority: tickets.PriorityLow, Order: "1002"}, []tickets.Ticket{t3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, next, err := b.store.ListTickets(b.ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := ids(list), ids(tt.want); !slices.Equal(got, want) {
				t.Errorf("got %v; want %v", numbers(list), numbers(tt.want))
			}
			if next != "" {
				t.Errorf("next = %q on the only page", next)
			}
		})
	}

	list, _, err := b.store.ListTickets(b.ctx, tickets.Filter{Order: "1001"})
	if err != nil || len(list) != 1 || len(list[0].Orders) != 1 || list[0].Customer.Email != "ada@example.com" {
		t.Errorf("listed ticket lacks its relations: %+v, %v", list, err)
	}

	for name, f := range map[string]tickets.Filter{
		"bad status":   {Status: "later"},
		"bad priority": {Priority: "meh"},
	} {
		if _, _, err := b.store.ListTickets(b.ctx, f); tickets.ErrorCode(err) != tickets.EINVALID {
			t.Errorf("%s: error %v; want invalid", name, err)
		}
	}
}

func TestListTicketsPagination(t *testing.T) {
	b := setup(t)
	var all []tickets.Ticket
	for i := range 7 {
		all = append(all, b.create(t, tickets.NewTicket{Subject: "ticket", Tags: []string{[]string{"even", "odd"}[i%2]}}))
	}
	slices.Reverse(all)

	var got []tickets.Ticket
	cursor, pages := "", 0
	for {
		page, next, err := b.store.ListTickets(b.ctx, tickets.Filter{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	if pages != 3 || !slices.Equal(ids(got), ids(all)) {
		t.Errorf("%d pages: %v; want 3 pages: %v", pages, numbers(got), numbers(all))
	}

	// Filters keep applying across pages.
	page1, next, err := b.store.ListTickets(b.ctx, tickets.Filter{Tag: "even", Limit: 2})
	if err != nil || len(page1) != 2 || next == "" {
		t.Fatalf("page 1: %d, %q, %v", len(page1), next, err)
	}
	page2, next, err := b.store.ListTickets(b.ctx, tickets.Filter{Tag: "even", Limit: 2, Cursor: next})
	if err != nil || len(page2) != 2 || next != "" {
		t.Fatalf("page 2: %d, %q, %v", len(page2), next, err)
	}
	if page2[1].ID != all[6].ID {
		t.Errorf("last even ticket = %d; want %d", page2[1].Number, all[6].Number)
	}

	// Same created_at: the id breaks the tie and no ticket is skipped.
	b.clock.Advance(-b.clock.Now().Sub(start) - 1)
	for range 3 {
		if _, _, err := b.store.CreateTicket(b.ctx, agent, tickets.NewTicket{Subject: "tie", Source: tickets.SourceAPI}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	cursor = ""
	for {
		page, next, err := b.store.ListTickets(b.ctx, tickets.Filter{Limit: 1, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range page {
			if seen[tk.ID] {
				t.Fatalf("ticket %d listed twice", tk.Number)
			}
			seen[tk.ID] = true
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	if len(seen) != 10 {
		t.Errorf("paged through %d tickets; want 10", len(seen))
	}

	for _, limit := range []int{0, -5, 1000} {
		if _, _, err := b.store.ListTickets(b.ctx, tickets.Filter{Limit: limit}); err != nil {
			t.Errorf("limit %d: %v", limit, err)
		}
	}
	list, next, _ := b.store.ListTickets(b.ctx, tickets.Filter{Limit: -5})
	if len(list) != 1 || next == "" {
		t.Errorf("negative limit: %d tickets; want 1", len(list))
	}
}

func TestListTicketsBadCursor(t *testing.T) {
	b := setup(t)
	for _, c := range []string{"garbage!", base64.RawURLEncoding.EncodeToString([]byte("123.not-a-uuid")),
		base64.RawURLEncoding.EncodeToString([]byte("x.00000000-0000-0000-0000-000000000000")), "AAAA"} {
		_, _, err := b.store.ListTickets(b.ctx, tickets.Filter{Cursor: c})
		if e, ok := err.(*tickets.Error); !ok || e.Code != tickets.EINVALID || e.Field != "cursor" {
			t.Errorf("cursor %q: %v; want invalid cursor", c, err)
		}
	}
}

func ids(list []tickets.Ticket) []string {
	var out []string
	for _, t := range list {
		out = append(out, t.ID)
	}
	return out
}

func numbers(list []tickets.Ticket) []int64 {
	var out []int64
	for _, t := range list {
		out = append(out, t.Number)
	}
	return out
}
