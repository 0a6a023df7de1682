package api_test

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"hub/tickets"
)

// state is what bad requests must leave alone.
type state struct {
	counts map[string]int
	ticket tickets.Ticket
}

func (tb *testBundle) state(t *testing.T, ref string) state {
	t.Helper()
	st := state{counts: map[string]int{}}
	for _, table := range []string{"tickets", "events", "messages", "ticket_orders", "customers", "deliveries"} {
		st.counts[table] = tb.count(t, table)
	}
	var err error
	if st.ticket, err = tb.store.GetTicket(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestBadInput(t *testing.T) {
	tb := setup(t)
	tk := tb.createTicket(t, map[string]any{"subject": "Fixture", "customer": map[string]any{"email": "fix@example.com"}})
	tb.createTicket(t, map[string]any{"subject": "Second"})
	page := want[ticketPage](t, tb.do(t, "GET", "/tickets?limit=1", nil), http.StatusOK)
	if page.NextCursor == nil {
		t.Fatal("no cursor after the first of two tickets")
	}
	cursor := *page.NextCursor
	tampered := cursor[:len(cursor)-4] // cut into the ticket id it names
	tp := "/tickets/" + tk.ID
	huge := `{"subject": "` + strings.Repeat("a", 1<<20) + `"}`

	for _, tc := range []struct {
		name         string
		method, path string
		body         any
		hdr          []string
		status       int
		code, field  string // field "" means none is expected
		message      string // a part of the message
	}{
		{"unknown field", "POST", "/tickets", `{"subject": "x", "colour": "red"}`, nil, 400, "invalid", "colour", `unknown field "colour"`},
		{"unknown nested field", "POST", "/tickets", `{"subject": "x", "customer": {"email": "a@example.com", "age": 3}}`, nil, 400, "invalid", "age", "age"},
		{"wrong type", "POST", "/tickets", `{"subject": "x", "priority": 5}`, nil, 400, "invalid", "priority", "priority must be a string"},
		{"wrong nested type", "POST", "/tickets", `{"subject": "x", "customer": {"email": 7}}`, nil, 400, "invalid", "customer.email", "customer.email must be a string"},
		{"tags not a list", "POST", "/tickets", `{"subject": "x", "tags": "vip"}`, nil, 400, "invalid", "tags", "tags must be an array of strings"},
		{"customer not an object", "POST", "/tickets", `{"subject": "x", "customer": "bob"}`, nil, 400, "invalid", "customer", "customer must be an object"},
		{"order number a bool", "POST", "/tickets", `{"subject": "x", "order_number": true}`, nil, 400, "invalid", "order_number", "order_number must be a string"},
		{"huge body", "POST", "/tickets", huge, nil, 413, "too_large", "", "larger than"},
		{"truncated JSON", "POST", "/tickets", `{"subject": `, nil, 400, "invalid", "", "invalid JSON"},
		{"syntax error", "POST", "/tickets", `{"subject" "x"}`, nil, 400, "invalid", "", "invalid JSON"},
		{"array body", "POST", "/tickets", `["x"]`, nil, 400, "invalid", "", "JSON object"},
		{"null body", "POST", "/tickets", `null`, nil, 400, "invalid", "", "JSON object"},
		{"empty body", "POST", "/tickets", ``, []string{"Content-Type", "application/json"}, 400, "invalid", "", "empty"},
		{"two objects", "POST", "/tickets", `{"subject": "x"} {"subject": "y"}`, nil, 400, "invalid", "", "one JSON object"},
		{"form content", "POST", "/tickets", `subject=x`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", "", "application/json"},
		{"bad priority", "POST", "/tickets", `{"subject": "x", "priority": "soon"}`, nil, 400, "invalid", "priority", "priority must be one of"},
		{"NUL in text", "POST", "/tickets", `{"subject": "a\u0000b"}`, nil, 400, "invalid", "subject", "NUL"},
		{"bad email", "POST", "/tickets", `{"subject": "x", "customer": {"email": "not an address"}}`, nil, 400, "invalid", "customer.email", "email"},
		{"no subject or description", "POST", "/tickets", `{"priority": "low"}`, nil, 400, "invalid", "subject", "subject"},
		{"long idempotency key", "POST", "/tickets", `{"subject": "x"}`, []string{"Idempotency-Key", strings.Repeat("k", 300)}, 400, "invalid", "external_id", "at most"},

		{"patch bad status", "PATCH", tp, `{"status": "done"}`, nil, 400, "invalid", "status", "status must be one of"},
		{"patch empty priority", "PATCH", tp, `{"priority": ""}`, nil, 400, "invalid", "priority", "priority must be one of"},
		{"patch unknown field", "PATCH", tp, `{"state": "open"}`, nil, 400, "invalid", "state", `unknown field "state"`},
		{"patch tags of numbers", "PATCH", tp, `{"tags": [1, 2]}`, nil, 400, "invalid", "tags", "tags must be an array of strings"},
		{"patch unknown ticket", "PATCH", "/tickets/999999", `{"status": "pending"}`, nil, 404, "not_found", "", "999999"},

		{"message without body", "POST", tp + "/messages", `{"body": "  "}`, nil, 400, "invalid", "body", "body is required"},
		{"message bad visibility", "POST", tp + "/messages", `{"body": "hi", "visibility": "everyone"}`, nil, 400, "invalid", "visibility", "internal or public"},
		{"message unknown field", "POST", tp + "/messages", `{"body": "hi", "kind": "reply"}`, nil, 400, "invalid", "kind", `unknown field "kind"`},
		{"message unknown ticket", "POST", "/tickets/T-999999/messages", `{"body": "hi"}`, nil, 404, "not_found", "", ""},

		{"order without store", "POST", tp + "/orders", `{"order_number": "1001"}`, nil, 400, "invalid", "store", "store is required"},
		{"order without number", "POST", tp + "/orders", `{"store": "shopify:acme.myshopify.com"}`, nil, 400, "invalid", "order_number", "order_number or order_id"},
		{"order unknown field", "POST", tp + "/orders", `{"store": "s", "order": "1"}`, nil, 400, "invalid", "order", `unknown field "order"`},
		{"order id a bool", "POST", tp + "/orders", `{"store": "s", "order_id": false}`, nil, 400, "invalid", "order_id", "order_id must be a string"},

		{"list bad status", "GET", "/tickets?status=done", nil, nil, 400, "invalid", "status", "status must be one of"},
		{"list bad priority", "GET", "/tickets?priority=soon", nil, nil, 400, "invalid", "priority", "priority must be one of"},
		{"list bad limit", "GET", "/tickets?limit=ten", nil, nil, 400, "invalid", "limit", "limit must be an integer"},
		{"list NUL in query", "GET", "/tickets?q=a%00b", nil, nil, 400, "invalid", "q", "NUL"},
		{"tampered cursor", "GET", "/tickets?limit=1&cursor=" + url.QueryEscape(tampered), nil, nil, 400, "invalid", "cursor", ""},
		{"garbage cursor", "GET", "/tickets?cursor=not-a-cursor", nil, nil, 400, "invalid", "cursor", ""},

		{"missing key", "GET", "/tickets", nil, []string{"Authorization", ""}, 401, "unauthorized", "", "missing API key"},
		{"bad key", "GET", "/tickets", nil, []string{"Authorization", "Bearer nope"}, 401, "unauthorized", "", ""},
		{"bad X-API-Key", "GET", "/me", nil, []string{"Authorization", "", "X-API-Key", "nope"}, 401, "unauthorized", "", ""},
		{"basic auth", "GET", "/me", nil, []string{"Authorization", "Basic " + tb.key}, 401, "unauthorized", "", ""},
		{"bad key on a write", "POST", "/tickets", `{"subject": "x"}`, []string{"Authorization", "Bearer nope"}, 401, "unauthorized", "", ""},

		{"unknown number", "GET", "/tickets/999999", nil, nil, 404, "not_found", "", ""},
		{"unknown T-number", "GET", "/tickets/T-999999", nil, nil, 404, "not_found", "", ""},
		{"unknown uuid", "GET", "/tickets/7a1c1f0e-1b2c-4d3e-8f40-5a6b7c8d9e0f", nil, nil, 404, "not_found", "", ""},
		{"garbage id", "GET", "/tickets/drop%20table", nil, nil, 404, "not_found", "", ""},
		{"zero id", "GET", "/tickets/0", nil, nil, 404, "not_found", "", ""},
		{"huge number", "GET", "/tickets/99999999999999999999", nil, nil, 404, "not_found", "", ""},
		{"events of unknown", "GET", "/tickets/999999/events", nil, nil, 404, "not_found", "", ""},
		{"messages of unknown", "GET", "/tickets/garbage/messages", nil, nil, 404, "not_found", "", ""},

		{"customer without email", "GET", "/customers", nil, nil, 400, "invalid", "email", "email is required"},
		{"unknown customer", "GET", "/customers?email=nobody@example.com", nil, nil, 404, "not_found", "", ""},

		{"deliveries bad status", "GET", "/deliveries?status=lost", nil, nil, 400, "invalid", "status", "status must be one of"},
		{"deliveries bad limit", "GET", "/deliveries?limit=-", nil, nil, 400, "invalid", "limit", ""},
		{"replay garbage id", "POST", "/deliveries/abc/replay", nil, nil, 404, "not_found", "", ""},
		{"replay unknown", "POST", "/deliveries/999999/replay", nil, nil, 404, "not_found", "", ""},

		{"unknown route", "GET", "/nothing", nil, nil, 404, "not_found", "", ""},
		{"wrong method", "DELETE", "/tickets", nil, nil, 405, "method_not_allowed", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tb.state(t, tk.ID)
			res := tb.do(t, tc.method, tc.path, tc.body, tc.hdr...)
			e := want[apiError](t, res, tc.status)
			if e.Error.Code != tc.code || e.Error.Message == "" || !strings.Contains(e.Error.Message, tc.message) {
				t.Errorf("error %+v, want code %q and a message with %q", e.Error, tc.code, tc.message)
			}
			switch {
			case tc.field == "" && e.Error.Field != nil:
				t.Errorf("field %q, want none", *e.Error.Field)
			case tc.field != "" && (e.Error.Field == nil || *e.Error.Field != tc.field):
				t.Errorf("field %v, want %q (%s)", e.Error.Field, tc.field, res.body)
			}
			if after := tb.state(t, tk.ID); !reflect.DeepEqual(before, after) {
				t.Errorf("state changed:\nbefore %+v\nafter  %+v", before, after)
			}
			if tc.status == 401 && res.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}
