package api_test

import (
	"net/http"
	"strings"
	"testing"

	"hub/tickets"
	"hub/tickets/api"
)

func TestSavedRepliesCRUD(t *testing.T) {
	tb := setup(t)
	created := want[api.SavedReply](t, tb.do(t, "POST", "/replies", map[string]any{
		"name": "Shipped", "body": "Hi {{customer_first_name}}, {{order_number}} is on its way: {{tracking_link}}"}), http.StatusCreated)
	if created.Name != "shipped" || strings.Join(created.Placeholders, ",") != "customer_first_name,order_number,tracking_link" ||
		created.UpdatedBy != "api_key:zapier test" {
		t.Errorf("created %+v", created)
	}
	for _, tc := range []struct {
		method, path string
		body         any
		status       int
		code         string
	}{
		{"POST", "/replies", map[string]any{"name": "shipped", "body": "x"}, 409, "conflict"},
		{"POST", "/replies", map[string]any{"name": "x", "body": "{{nope}}"}, 400, "invalid"},
		{"POST", "/replies", map[string]any{"body": "x"}, 400, "invalid"},
		{"GET", "/replies/none", nil, 404, "not_found"},
		{"PATCH", "/replies/none", map[string]any{"body": "x"}, 404, "not_found"},
		{"DELETE", "/replies/none", nil, 404, "not_found"},
	} {
		e := want[apiError](t, tb.do(t, tc.method, tc.path, tc.body), tc.status)
		if e.Error.Code != tc.code {
			t.Errorf("%s %s: %+v", tc.method, tc.path, e)
		}
	}
	edited := want[api.SavedReply](t, tb.do(t, "PATCH", "/replies/shipped", map[string]any{"body": "On its way, {{customer_first_name}}."}), http.StatusOK)
	if edited.Body != "On its way, {{customer_first_name}}." || edited.Name != "shipped" {
		t.Errorf("edited %+v", edited)
	}
	list := want[struct {
		Replies      []api.SavedReply  `json:"replies"`
		Placeholders map[string]string `json:"placeholders"`
	}](t, tb.do(t, "GET", "/replies", nil), http.StatusOK)
	if len(list.Replies) != 1 || list.Placeholders["tracking_link"] == "" {
		t.Errorf("list %+v", list)
	}
	if res := tb.do(t, "DELETE", "/replies/shipped", nil); res.status != http.StatusNoContent {
		t.Errorf("delete: %d %s", res.status, res.body)
	}
	want[apiError](t, tb.do(t, "GET", "/replies/shipped", nil), http.StatusNotFound)
}

func TestReplyWithSavedReply(t *testing.T) {
	tb := setup(t)
	tk := tb.createTicket(t, map[string]any{"subject": "Late parcel", "customer": map[string]any{"email": "ada@example.com", "name": "Ada Lovelace"}})
	want[api.SavedReply](t, tb.do(t, "POST", "/replies", map[string]any{"name": "sorry", "body": "Sorry {{customer_first_name}}, we are on it ({{ticket}})."}), http.StatusCreated)
	want[api.SavedReply](t, tb.do(t, "POST", "/replies", map[string]any{"name": "track", "body": "Track it: {{tracking_link}}"}), http.StatusCreated)
	want[api.SavedReply](t, tb.do(t, "POST", "/replies", map[string]any{"name": "done", "body": "All done, {{customer_first_name}}. {{survey_link}}"}), http.StatusCreated)
	path := "/tickets/" + tk.ID + "/messages"

	got := want[messageCreated](t, tb.do(t, "POST", path, map[string]any{"reply": "sorry", "visibility": "public", "body": "Hello!"}), http.StatusCreated)
	if got.Message.Body != "Hello!\n\nSorry Ada, we are on it ("+tk.Ref+")." || got.Message.Kind != "reply" || got.Ticket.Status != "open" {
		t.Errorf("reply %+v", got.Message)
	}
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"reply": "track", "visibility": "public"}, "reply"}, // no order, no tracking
		{map[string]any{"reply": "nope", "visibility": "public"}, "reply"},  // no such reply
		{map[string]any{"reply": "done", "visibility": "public"}, "survey"}, // survey without resolving
		{map[string]any{"body": "x", "resolve": true}, "visibility"},        // a note cannot resolve
		{map[string]any{"visibility": "public", "resolve": true}, "body"},   // nothing to send
	} {
		e := want[apiError](t, tb.do(t, "POST", path, tc.body), http.StatusBadRequest)
		if e.Error.Field == nil || *e.Error.Field != tc.field {
			t.Errorf("%v: %+v", tc.body, e.Error)
		}
	}

	got = want[messageCreated](t, tb.do(t, "POST", path, map[string]any{"reply": "done", "visibility": "public", "resolve": true}), http.StatusCreated)
	const prefix = "All done, Ada. https://hub.example/survey/"
	if !strings.HasPrefix(got.Message.Body, prefix) || len(got.Message.Body) < len(prefix)+20 || got.Ticket.Status != "resolved" {
		t.Fatalf("resolution reply %q, ticket %s", got.Message.Body, got.Ticket.Status)
	}
	token := strings.TrimPrefix(got.Message.Body, prefix)
	sv, err := tb.store.RateSurvey(t.Context(), token, tickets.Rating{Score: 5, Comment: "Lovely"})
	if err != nil || sv.TicketRef != tk.Ref {
		t.Fatalf("rate: %+v %v", sv, err)
	}
	after := want[api.Ticket](t, tb.do(t, "GET", "/tickets/"+tk.ID, nil), http.StatusOK)
	if after.CSAT == nil || after.CSAT.Rating != 5 || after.CSAT.Comment != "Lovely" {
		t.Errorf("ticket csat %+v", after.CSAT)
	}
}
