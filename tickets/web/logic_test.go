package web

import (
	"net/http/httptest"
	"slices"
	"testing"

	"hub/tickets"
)

func TestTotals(t *testing.T) {
	got := totals([]tickets.OrderRef{
		{Total: "10.5", Currency: "EUR"}, {Total: "0.55", Currency: "EUR"}, {Total: "3", Currency: "USD"},
		{Total: "99.00", Currency: "EUR", FinancialStatus: "refunded"}, {Total: "1,000.00", Currency: "EUR"}, {Total: "", Currency: "EUR"},
		{Total: "0.123", Currency: "EUR"},
	})
	want := []money{{"EUR", "11.05"}, {"USD", "3.00"}}
	if !slices.Equal(got, want) {
		t.Errorf("totals %v, want %v", got, want)
	}
}

func TestSplitTags(t *testing.T) {
	for in, want := range map[string][]string{
		"":                       {},
		"VIP, shipping  returns": {"vip", "shipping", "returns"},
		"a,,a,A":                 {"a"},
	} {
		if got := splitTags(in); !slices.Equal(got, want) {
			t.Errorf("splitTags(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestDescribeEvent(t *testing.T) {
	for _, tc := range []struct {
		e    tickets.Event
		want string
	}{
		{tickets.Event{Type: tickets.EventCreated}, "opened the ticket"},
		{tickets.Event{Type: tickets.EventStatusChanged, Before: map[string]any{"status": "open"}, After: map[string]any{"status": "pending"}}, "changed the status from open to pending"},
		{tickets.Event{Type: tickets.EventUpdated, Before: map[string]any{"assignee": "", "tags": []any{}}, After: map[string]any{"assignee": "a@example.com", "tags": []any{"vip"}}},
			"changed assignee from none to a@example.com, tags from none to vip"},
		{tickets.Event{Type: tickets.EventMessageCreated, After: map[string]any{"kind": "note"}}, "added an internal note"},
		{tickets.Event{Type: tickets.EventOrderLinked, After: map[string]any{"order_number": "#1001"}}, "linked order #1001"},
		{tickets.Event{Type: "order.updated"}, "order.updated"},
	} {
		if got := describeEvent(tc.e); got != tc.want {
			t.Errorf("describeEvent(%s) = %q, want %q", tc.e.Type, got, tc.want)
		}
	}
}

func TestFilterFrom(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  tickets.Filter
		bad   bool
	}{
		{"", tickets.Filter{}, false},
		{"view=at_risk&sort=due&q=mug&status=open&priority=urgent&tag=vip",
			tickets.Filter{View: tickets.ViewAtRisk, Sort: tickets.SortDue, Query: "mug", Status: tickets.StatusOpen, Priority: tickets.PriorityUrgent, Tag: "vip"}, false},
		{"view=everything", tickets.Filter{}, true},
		{"sort=oldest", tickets.Filter{}, true},
		{"status=done", tickets.Filter{}, true},
	} {
		got, err := filterFrom(httptest.NewRequest("GET", "/?"+tc.query, nil))
		if (err != nil) != tc.bad {
			t.Errorf("%q: err %v", tc.query, err)
			continue
		}
		if !tc.bad && got != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.query, got, tc.want)
		}
	}
}
