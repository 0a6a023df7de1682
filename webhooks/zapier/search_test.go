package zapier_test

import (
	"net/http"
	"net/url"
	"testing"

	"hub/tickets"
	"hub/tickets/api"
)

func TestSearchTickets(t *testing.T) {
	b := setup(t)
	ada := b.create(t, "Where is my order?", "ada@example.com")
	if _, err := b.store.LinkOrder(b.ctx, agent, ada.ID, tickets.OrderRef{Store: "shopify:acme.myshopify.com", OrderID: "555", OrderNumber: "#1001"}); err != nil {
		t.Fatal(err)
	}
	ada2 := b.create(t, "Refund?", "Ada@Example.com")
	grace := b.create(t, "Hello", "grace@example.com")

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"number=" + ada.Ref(), []string{ada.ID}},
		{"number=" + url.QueryEscape(ada.Ref()[2:]), []string{ada.ID}},
		{"number=99999", nil},
		{"email=ADA@example.com", []string{ada2.ID, ada.ID}},
		{"email=%25", nil},
		{"email=nobody@example.com", nil},
		{"order_number=1001", []string{ada.ID}},
		{"order_number=%231001", []string{ada.ID}},
		{"order_number=1001&email=grace@example.com", nil},
		{"number=" + grace.Ref() + "&email=grace@example.com", []string{grace.ID}},
		{"number=" + grace.Ref() + "&email=ada@example.com", nil},
		{"email=ada@example.com&order_number=1001", []string{ada.ID}},
	} {
		var got []api.Ticket
		code := b.call(t, http.MethodGet, "/api/v1/search/tickets?"+tc.query, "", "", &got)
		if code != 200 || got == nil {
			t.Errorf("%s: %d, %v (want an array)", tc.query, code, got)
			continue
		}
		var ids []string
		for _, tk := range got {
			ids = append(ids, tk.ID)
		}
		if len(ids) != len(tc.want) || (len(ids) > 0 && ids[0] != tc.want[0]) {
			t.Errorf("%s: got %v, want %v", tc.query, ids, tc.want)
		}
	}
	var e apiError
	if code := b.call(t, http.MethodGet, "/api/v1/search/tickets", "", "", &e); code != 400 {
		t.Errorf("empty search: %d %+v", code, e)
	}
	if code := b.call(t, http.MethodGet, "/api/v1/search/tickets?number=abc", "", "", &e); code != 400 || e.Error.Field != "number" {
		t.Errorf("bad number: %d %+v", code, e)
	}
}

func TestSearchCustomers(t *testing.T) {
	b := setup(t)
	tk := b.create(t, "Hello", "ada@example.com")
	var got []struct {
		api.CustomerDetail
		TicketCount int          `json:"ticket_count"`
		Tickets     []api.Ticket `json:"tickets"`
	}
	if code := b.call(t, http.MethodGet, "/api/v1/search/customers?email=Ada@example.com", "", "", &got); code != 200 || len(got) != 1 {
		t.Fatalf("%d %+v", code, got)
	}
	if got[0].Email != "ada@example.com" || got[0].Name != "Ada Lovelace" || got[0].TicketCount != 1 || got[0].Tickets[0].ID != tk.ID {
		t.Errorf("customer %+v", got[0])
	}
	var none []any
	if code := b.call(t, http.MethodGet, "/api/v1/search/customers?email=nobody@example.com", "", "", &none); code != 200 || none == nil || len(none) != 0 {
		t.Errorf("unknown customer: %d %v, want []", code, none)
	}
	if code := b.call(t, http.MethodGet, "/api/v1/search/customers", "", "", nil); code != 400 {
		t.Errorf("no email: %d", code)
	}
}
