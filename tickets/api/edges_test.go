package api_test

import (
	"net/http"
	"strings"
	"testing"

	"hub/tickets"
	"hub/tickets/api"
)

// TestAPIEdges covers the edges a new user met (issue 10, item 8): each
// answered something plausible but wrong before.
func TestAPIEdges(t *testing.T) {
	tb := setup(t)

	t.Run("assignee null unassigns", func(t *testing.T) {
		tk := tb.createTicket(t, map[string]any{"subject": "Assigned", "assignee": "alice@example.com"})
		got := want[api.Ticket](t, tb.do(t, "PATCH", "/tickets/"+tk.ID, `{"assignee": null}`), http.StatusOK)
		if got.Assignee != nil {
			t.Errorf("assignee after null = %q, want null", *got.Assignee)
		}
		// Absent still leaves it alone.
		want[api.Ticket](t, tb.do(t, "PATCH", "/tickets/"+tk.ID, `{"assignee": "bob@example.com"}`), http.StatusOK)
		got = want[api.Ticket](t, tb.do(t, "PATCH", "/tickets/"+tk.ID, `{"priority": "high"}`), http.StatusOK)
		if got.Assignee == nil || *got.Assignee != "bob@example.com" {
			t.Errorf("assignee after a patch without it = %v, want bob", got.Assignee)
		}
		e := want[apiError](t, tb.do(t, "PATCH", "/tickets/"+tk.ID, `{"assignee": 5}`), http.StatusBadRequest)
		if !strings.Contains(e.Error.Message, "assignee must be a string or null") {
			t.Errorf("assignee 5: %q", e.Error.Message)
		}
	})

	t.Run("limit outside 1-100", func(t *testing.T) {
		for _, path := range []string{"/tickets?limit=0", "/tickets?limit=101", "/tickets?limit=-3", "/deliveries?limit=1000"} {
			e := want[apiError](t, tb.do(t, "GET", path, nil), http.StatusBadRequest)
			if e.Error.Field == nil || *e.Error.Field != "limit" || !strings.Contains(e.Error.Message, "from 1 to 100") {
				t.Errorf("%s: %+v", path, e.Error)
			}
		}
	})

	t.Run("no customer is null", func(t *testing.T) {
		tk := tb.do(t, "POST", "/tickets", map[string]any{"subject": "Nobody's"})
		if tk.status != http.StatusCreated || !strings.Contains(string(tk.body), `"customer":null`) {
			t.Errorf("%d %s: want \"customer\":null", tk.status, tk.body)
		}
		withCustomer := tb.createTicket(t, map[string]any{"subject": "Ada's", "customer": map[string]any{"email": "ada@example.com"}})
		if withCustomer.Customer == nil || withCustomer.Customer.Email != "ada@example.com" {
			t.Errorf("customer = %+v", withCustomer.Customer)
		}
	})

	t.Run("over-long subject", func(t *testing.T) {
		before := tb.count(t, "tickets")
		long := strings.Repeat("é", tickets.MaxSubjectRunes+1)
		e := want[apiError](t, tb.do(t, "POST", "/tickets", map[string]any{"subject": long}), http.StatusBadRequest)
		if e.Error.Field == nil || *e.Error.Field != "subject" || !strings.Contains(e.Error.Message, "the limit is 250") {
			t.Errorf("long subject: %+v", e.Error)
		}
		if n := tb.count(t, "tickets"); n != before {
			t.Errorf("%d tickets after a refused one, want %d", n, before)
		}
		// Exactly the limit is kept whole.
		ok := tb.createTicket(t, map[string]any{"subject": strings.Repeat("é", tickets.MaxSubjectRunes)})
		if ok.Subject != strings.Repeat("é", tickets.MaxSubjectRunes) {
			t.Errorf("subject at the limit became %q", ok.Subject)
		}
	})

	t.Run("order of a store not connected", func(t *testing.T) {
		tk := tb.createTicket(t, map[string]any{"subject": "Where is my order"})
		e := want[apiError](t, tb.do(t, "POST", "/tickets/"+tk.ID+"/orders",
			map[string]any{"store": "shopify:other.myshopify.com", "order_number": "1001"}), http.StatusNotFound)
		if e.Error.Code != "not_found" || !strings.Contains(e.Error.Message, "shopify:other.myshopify.com") {
			t.Errorf("unknown store: %+v", e.Error)
		}
		if n := tb.count(t, "ticket_orders"); n != 0 {
			t.Errorf("%d orders linked, want 0", n)
		}
		want[api.Ticket](t, tb.do(t, "POST", "/tickets/"+tk.ID+"/orders",
			map[string]any{"store": "woocommerce:shop.example.com", "order_number": "812"}), http.StatusCreated)
	})

	t.Run("idempotency key with another body", func(t *testing.T) {
		first := tb.createTicket(t, map[string]any{"subject": "Refund", "priority": "high"}, "Idempotency-Key", "edge-1")
		// The same request, spelt differently, is a replay.
		again := want[api.Ticket](t, tb.do(t, "POST", "/tickets", `{ "priority":"high",  "subject":"Refund" }`, "Idempotency-Key", "edge-1"), http.StatusOK)
		if again.ID != first.ID {
			t.Errorf("replay gave %s, want %s", again.ID, first.ID)
		}
		e := want[apiError](t, tb.do(t, "POST", "/tickets", map[string]any{"subject": "Another thing"}, "Idempotency-Key", "edge-1"), http.StatusConflict)
		if e.Error.Code != "conflict" || !strings.Contains(e.Error.Message, "edge-1") {
			t.Errorf("reused key: %+v", e.Error)
		}
	})

	t.Run("slack error on the ticket", func(t *testing.T) {
		tk := tb.createTicket(t, map[string]any{"subject": "No card"})
		if tk.Slack != nil {
			t.Errorf("slack = %+v before any card", tk.Slack)
		}
		if err := tb.store.SetSlackCard(t.Context(), tk.ID, tickets.SlackCard{Team: "T1", Channel: "C1", Error: "not_in_channel"}); err != nil {
			t.Fatal(err)
		}
		got := want[api.Ticket](t, tb.do(t, "GET", "/tickets/"+tk.ID, nil), http.StatusOK)
		if got.Slack == nil || got.Slack.Error == nil || *got.Slack.Error != "not_in_channel" || got.Slack.TS != "" {
			t.Errorf("slack = %+v, want the error not_in_channel", got.Slack)
		}
		if err := tb.store.SetSlackCard(t.Context(), tk.ID, tickets.SlackCard{Team: "T1", Channel: "C1", TS: "1700000000.000100"}); err != nil {
			t.Fatal(err)
		}
		got = want[api.Ticket](t, tb.do(t, "GET", "/tickets/"+tk.ID, nil), http.StatusOK)
		if got.Slack == nil || got.Slack.Error != nil || got.Slack.TS != "1700000000.000100" {
			t.Errorf("slack = %+v, want the card and no error", got.Slack)
		}
	})
}
