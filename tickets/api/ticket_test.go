package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"hub/tickets/api"
)

func TestMe(t *testing.T) {
	tb := setup(t)
	for _, hdr := range [][]string{
		nil, // Bearer
		{"Authorization", "", "X-API-Key", tb.key},
		{"Authorization", "bearer " + tb.key},
	} {
		got := want[api.Identity](t, tb.do(t, "GET", "/me", nil, hdr...), http.StatusOK)
		if got.ID != tb.identity.ID || got.Name != "zapier test" {
			t.Errorf("me = %+v, want %s zapier test", got, tb.identity.ID)
		}
	}
}

func TestCreateAndGet(t *testing.T) {
	tb := setup(t)
	created := tb.createTicket(t, map[string]any{
		"subject":     "Where is my parcel?",
		"description": "Ordered a week ago.",
		"customer":    map[string]any{"email": "Jane@Example.com", "name": "Jane Doe", "phone": "+44 20 7946 0958"},
		"priority":    "high",
		"tags":        []string{"Shipping", "vip"},
		"assignee":    "alice@example.com",
		"external_id": "zap-1",
	})
	if created.Subject != "Where is my parcel?" || created.Status != "open" || created.Priority != "high" ||
		created.Source != "api" || created.ExternalID != "zap-1" || created.Customer.Email != "jane@example.com" ||
		created.Assignee == nil || *created.Assignee != "alice@example.com" || created.Ref != fmt.Sprintf("T-%d", created.Number) {
		t.Errorf("created = %+v", created)
	}
	if !slices.Equal(created.Tags, []string{"shipping", "vip"}) {
		t.Errorf("tags = %q", created.Tags)
	}
	if created.SLA.FirstResponseDue == nil || created.SLA.ResolutionDue == nil || created.Slack != nil || created.Orders == nil {
		t.Errorf("sla %+v, slack %+v, orders %v", created.SLA, created.Slack, created.Orders)
	}
	for _, ref := range []string{created.ID, strconv.FormatInt(created.Number, 10), created.Ref} {
		got := want[api.Ticket](t, tb.do(t, "GET", "/tickets/"+ref, nil), http.StatusOK)
		if got.ID != created.ID || got.Number != created.Number {
			t.Errorf("GET %s = %s #%d, want %s #%d", ref, got.ID, got.Number, created.ID, created.Number)
		}
	}
}

func TestCreateIdempotent(t *testing.T) {
	tb := setup(t)
	body := map[string]any{"subject": "Refund please", "customer": map[string]any{"email": "bob@example.com"}}
	first := want[api.Ticket](t, tb.do(t, "POST", "/tickets", body, "Idempotency-Key", "key-1"), http.StatusCreated)
	again := want[api.Ticket](t, tb.do(t, "POST", "/tickets", body, "Idempotency-Key", "key-1"), http.StatusOK)
	if again.ID != first.ID || first.ExternalID != "key-1" {
		t.Errorf("replay = %s (%q), first %s (%q)", again.ID, again.ExternalID, first.ID, first.ExternalID)
	}

	// external_id alone, then the header wins over it.
	body["external_id"] = "ext-1"
	byExt := want[api.Ticket](t, tb.do(t, "POST", "/tickets", body), http.StatusCreated)
	want[api.Ticket](t, tb.do(t, "POST", "/tickets", body), http.StatusOK)
	byHeader := want[api.Ticket](t, tb.do(t, "POST", "/tickets", body, "Idempotency-Key", "key-2"), http.StatusCreated)
	if byExt.ID == first.ID || byHeader.ID == byExt.ID || byHeader.ExternalID != "key-2" {
		t.Errorf("by external_id %s, by header %s (%q), first %s", byExt.ID, byHeader.ID, byHeader.ExternalID, first.ID)
	}
	if n := tb.count(t, "tickets"); n != 3 {
		t.Errorf("%d tickets, want 3", n)
	}
}

func TestCreateIdempotentConcurrent(t *testing.T) {
	tb := setup(t)
	const n = 8
	var (
		wg       sync.WaitGroup
		statuses = make([]int, n)
		ids      = make([]string, n)
	)
	for i := range n {
		wg.Go(func() {
			res, err := tb.send("POST", "/tickets", map[string]any{"subject": "Same request"}, "Idempotency-Key", "race-1")
			if err != nil {
				t.Error(err)
				return
			}
			statuses[i] = res.status
			var tk api.Ticket
			if err := json.Unmarshal(res.body, &tk); err != nil {
				t.Errorf("%d %s: %v", res.status, res.body, err)
			}
			ids[i] = tk.ID
		})
	}
	wg.Wait()
	if c := slices.Compact(slices.Sorted(slices.Values(ids))); len(c) != 1 || c[0] == "" {
		t.Errorf("ids = %q, want one", ids)
	}
	if created := countOf(statuses, http.StatusCreated); created != 1 || countOf(statuses, http.StatusOK) != n-1 {
		t.Errorf("statuses = %v, want one 201 and the rest 200", statuses)
	}
	if got := tb.count(t, "tickets"); got != 1 {
		t.Errorf("%d tickets, want 1", got)
	}
}

func countOf(xs []int, x int) (n int) {
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

// count counts the rows of a table.
func (tb *testBundle) count(t *testing.T, table string) (n int) {
	t.Helper()
	if err := tb.pool.QueryRow(t.Context(), "select count(*) from "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type ticketPage struct {
	Tickets    []api.Ticket `json:"tickets"`
	NextCursor *string      `json:"next_cursor"`
}

func TestListFilters(t *testing.T) {
	tb := setup(t)
	a := tb.createTicket(t, map[string]any{"subject": "Broken kettle", "priority": "urgent", "tags": []string{"vip"},
		"assignee": "alice@example.com", "customer": map[string]any{"email": "a@example.com"}})
	b := tb.createTicket(t, map[string]any{"subject": "Refund for mug", "priority": "low", "tags": []string{"refund"},
		"customer": map[string]any{"email": "b@example.com"}})
	c := tb.createTicket(t, map[string]any{"subject": "Question about teapots"})
	want[api.Ticket](t, tb.do(t, "PATCH", "/tickets/"+b.ID, map[string]any{"status": "pending"}), http.StatusOK)
	want[api.Ticket](t, tb.do(t, "POST", "/tickets/"+c.ID+"/orders",
		map[string]any{"store": "shopify:acme.myshopify.com", "order_number": "#2002"}), http.StatusCreated)
	want[map[string]any](t, tb.do(t, "POST", "/tickets/"+c.ID+"/messages",
		map[string]any{"body": "The customer mentioned zanzibar shipping."}), http.StatusCreated)

	for _, tc := range []struct {
		query string
		want  []api.Ticket
	}{
		{"", []api.Ticket{c, b, a}},
		{"status=pending", []api.Ticket{b}},
		{"status=open", []api.Ticket{c, a}},
		{"priority=urgent", []api.Ticket{a}},
		{"tag=vip", []api.Ticket{a}},
		{"assignee=alice@example.com", []api.Ticket{a}},
		{"email=B@example.com", []api.Ticket{b}},
		{"order=2002", []api.Ticket{c}},
		{"order=%232002", []api.Ticket{c}},
		{"q=zanzibar", []api.Ticket{c}},
		{"q=kettle", []api.Ticket{a}},
		{"q=nothing-like-this", nil},
		{"status=open&priority=urgent", []api.Ticket{a}},
	} {
		page := want[ticketPage](t, tb.do(t, "GET", "/tickets?"+tc.query, nil), http.StatusOK)
		if got, want := numbers(page.Tickets), numbers(tc.want); !slices.Equal(got, want) {
			t.Errorf("GET /tickets?%s = %v, want %v", tc.query, got, want)
		}
		if page.Tickets == nil || page.NextCursor != nil {
			t.Errorf("GET /tickets?%s: tickets %v, next_cursor %v", tc.query, page.Tickets, page.NextCursor)
		}
	}
}

func numbers(list []api.Ticket) []int64 {
	out := []int64{}
	for _, t := range list {
		out = append(out, t.Number)
	}
	return out
}

func TestListPages(t *testing.T) {
	tb := setup(t)
	var all []int64
	for i := range 7 {
		all = append(all, tb.createTicket(t, map[string]any{"subject": fmt.Sprintf("ticket %d", i)}).Number)
	}
	slices.Reverse(all) // newest first

	var got []int64
	cursor, pages := "", 0
	for {
		page := want[ticketPage](t, tb.do(t, "GET", "/tickets?limit=3&cursor="+url.QueryEscape(cursor), nil), http.StatusOK)
		pages++
		got = append(got, numbers(page.Tickets)...)
		if page.NextCursor == nil {
			break
		}
		if pages == 3 {
			t.Fatalf("a fourth page after %v", got)
		}
		cursor = *page.NextCursor
	}
	if pages != 3 || !slices.Equal(got, all) {
		t.Errorf("%d pages of %v, want 3 of %v", pages, got, all)
	}

	// The limits themselves are allowed (outside them is TestAPIEdges').
	if page := want[ticketPage](t, tb.do(t, "GET", "/tickets?limit=1", nil), http.StatusOK); len(page.Tickets) != 1 {
		t.Errorf("limit=1 gave %d tickets, want 1", len(page.Tickets))
	}
	if page := want[ticketPage](t, tb.do(t, "GET", "/tickets?limit=100", nil), http.StatusOK); len(page.Tickets) != 7 {
		t.Errorf("limit=100 gave %d tickets, want 7", len(page.Tickets))
	}
}

type eventList struct {
	Events []api.Event `json:"events"`
}

func TestLifecycle(t *testing.T) {
	tb := setup(t)
	tk := tb.createTicket(t, map[string]any{"subject": "Lid does not fit"})
	path := "/tickets/" + tk.Ref

	for _, status := range []string{"pending", "resolved", "closed"} {
		got := want[api.Ticket](t, tb.do(t, "PATCH", path, map[string]any{"status": status}), http.StatusOK)
		if got.Status != status {
			t.Fatalf("status %s, want %s", got.Status, status)
		}
	}
	closed := want[api.Ticket](t, tb.do(t, "GET", path, nil), http.StatusOK)
	if closed.ResolvedAt == nil || closed.ClosedAt == nil || !closed.SLA.Paused {
		t.Errorf("closed ticket: resolved_at %v, closed_at %v, sla %+v", closed.ResolvedAt, closed.ClosedAt, closed.SLA)
	}

	before := tb.count(t, "events")
	res := tb.do(t, "PATCH", path, map[string]any{"status": "open"})
	if e := want[apiError](t, res, http.StatusConflict); e.Error.Code != "conflict" {
		t.Errorf("reopen closed: %s", res.body)
	}
	if after := tb.count(t, "events"); after != before {
		t.Errorf("events %d → %d after a refused change", before, after)
	}

	events := want[eventList](t, tb.do(t, "GET", path+"/events", nil), http.StatusOK).Events
	var statuses []any
	for _, e := range events {
		if e.Actor.Kind != "api_key" || e.Actor.ID != tb.identity.ID || e.Actor.Name != "zapier test" {
			t.Errorf("event %s by %+v, want the API key", e.Type, e.Actor)
		}
		if e.At.IsZero() || e.TicketID != tk.ID {
			t.Errorf("event %+v", e)
		}
		if e.Type == "ticket.status_changed" {
			statuses = append(statuses, e.After["status"])
		}
	}
	if len(events) == 0 || events[0].Type != "ticket.created" {
		t.Errorf("events = %+v, want ticket.created first", events)
	}
	if want := []any{"pending", "resolved", "closed"}; !slices.Equal(statuses, want) {
		t.Errorf("status changes %v, want %v", statuses, want)
	}
}

func TestPatchFields(t *testing.T) {
	tb := setup(t)
	tk := tb.createTicket(t, map[string]any{"subject": "Wrong colour", "tags": []string{"a"}, "assignee": "alice@example.com"})
	got := want[api.Ticket](t, tb.do(t, "PATCH", "/tickets/"+tk.ID,
		map[string]any{"priority": "urgent", "assignee": "bob@example.com", "tags": []string{"Colour", "exchange"}, "team": "returns"}), http.StatusOK)
	if got.Priority != "urgent" || got.Assignee == nil || *got.Assignee != "bob@example.com" || got.Team != "returns" ||
		!slices.Equal(got.Tags, []string{"colour", "exchange"}) {
		t.Errorf("patched = %+v", got)
	}
	// null and absent leave fields alone; an empty body changes nothing.
	same := want[api.Ticket](t, tb.do(t, "PATCH", "/tickets/"+tk.ID, `{"priority": null, "tags": null}`), http.StatusOK)
	if same.Priority != "urgent" || len(same.Tags) != 2 || !same.UpdatedAt.Equal(got.UpdatedAt) {
		t.Errorf("after a null patch: %+v", same)
	}
	// An empty assignee unassigns, an empty list clears the tags.
	cleared := want[api.Ticket](t, tb.do(t, "PATCH", "/tickets/"+tk.ID, `{"assignee": "", "tags": []}`), http.StatusOK)
	if cleared.Assignee != nil || cleared.Tags == nil || len(cleared.Tags) != 0 {
		t.Errorf("cleared: assignee %v, tags %v", cleared.Assignee, cleared.Tags)
	}
}

type messageCreated struct {
	Message api.Message `json:"message"`
	Ticket  api.Ticket  `json:"ticket"`
}

func TestMessages(t *testing.T) {
	tb := setup(t)
	tk := tb.createTicket(t, map[string]any{"subject": "Chipped plate"})
	note := want[messageCreated](t, tb.do(t, "POST", "/tickets/"+tk.ID+"/messages", map[string]any{"body": "Check the batch."}), http.StatusCreated)
	if note.Message.Kind != "note" || note.Message.Visibility != "internal" || note.Ticket.FirstResponseAt != nil ||
		note.Message.Author.Kind != "api_key" || note.Message.Author.ID != tb.identity.ID {
		t.Errorf("note = %+v", note)
	}
	reply := want[messageCreated](t, tb.do(t, "POST", "/tickets/"+tk.ID+"/messages",
		map[string]any{"body": "Sorry! A new one is on its way.", "visibility": "public"}), http.StatusCreated)
	if reply.Message.Kind != "reply" || reply.Message.Visibility != "public" || reply.Ticket.FirstResponseAt == nil {
		t.Errorf("reply = %+v", reply)
	}
	list := want[struct {
		Messages []api.Message `json:"messages"`
	}](t, tb.do(t, "GET", "/tickets/"+tk.Ref+"/messages", nil), http.StatusOK).Messages
	if len(list) != 2 || list[0].ID != note.Message.ID || list[1].Body != "Sorry! A new one is on its way." {
		t.Errorf("messages = %+v", list)
	}
}

func TestLinkOrder(t *testing.T) {
	tb := setup(t)
	tk := tb.createTicket(t, map[string]any{"subject": "Missing item"})
	got := want[api.Ticket](t, tb.do(t, "POST", "/tickets/"+tk.ID+"/orders",
		`{"store": "shopify:acme.myshopify.com", "order_id": 450789469, "order_number": "1001"}`), http.StatusCreated)
	if len(got.Orders) != 1 || got.Orders[0].OrderID != "450789469" || got.Orders[0].Store != "shopify:acme.myshopify.com" {
		t.Errorf("orders = %+v", got.Orders)
	}
	events := want[eventList](t, tb.do(t, "GET", "/tickets/"+tk.ID+"/events", nil), http.StatusOK).Events
	if last := events[len(events)-1]; last.Type != "order.linked" {
		t.Errorf("last event %s, want order.linked", last.Type)
	}
}

func TestCustomer(t *testing.T) {
	tb := setup(t)
	tk := tb.createTicket(t, map[string]any{"subject": "Hello", "customer": map[string]any{"email": "Jane@Example.com", "name": "Jane"}})
	got := want[struct {
		Customer api.CustomerDetail `json:"customer"`
		Tickets  []api.Ticket       `json:"tickets"`
	}](t, tb.do(t, "GET", "/customers?email="+url.QueryEscape("JANE@example.com"), nil), http.StatusOK)
	if got.Customer.Email != "jane@example.com" || got.Customer.Name != "Jane" || got.Customer.Stores == nil ||
		len(got.Tickets) != 1 || got.Tickets[0].ID != tk.ID {
		t.Errorf("customer = %+v", got)
	}
}

// TestSLAClock checks that tickets show their SLA state at the API's clock.
func TestSLAClock(t *testing.T) {
	tb := setup(t)
	tk := tb.createTicket(t, map[string]any{"subject": "Urgent!", "priority": "urgent"})
	if tk.SLA.Breached || tk.SLA.FirstResponseDue == nil {
		t.Fatalf("new ticket sla = %+v", tk.SLA)
	}
	later := api.New(api.Config{
		Store: tb.store, Keys: keysOf(tb.store),
		Now: fixedClock(tk.SLA.FirstResponseDue.Add(time.Minute)),
	})
	srv := httptest.NewServer(mount(later))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/tickets/"+tk.Ref, nil)
	req.Header.Set("X-API-Key", tb.key)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got api.Ticket
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if !got.SLA.Breached || got.SLA.AtRisk {
		t.Errorf("a minute past due: sla = %+v", got.SLA)
	}
}
