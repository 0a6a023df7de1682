package web

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

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

func TestFormTags(t *testing.T) {
	for in, want := range map[string][]string{
		"":                       {},
		"VIP, shipping  returns": {"returns", "shipping", "vip"},
		"shipping, damage":       {"damage", "shipping"}, // as stored: the same tags reordered are no change
		"a,,a,A":                 {"a"},
	} {
		if got, err := formTags(in); err != nil || !slices.Equal(got, want) {
			t.Errorf("formTags(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := formTags("ok, no/slashes"); tickets.ErrorCode(err) != tickets.EINVALID {
		t.Errorf("a tag the store refuses: %v, want invalid", err)
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

// allShopifyTopics is shopify.Topics as the subscription check records it.
const allShopifyTopics = "orders/create,orders/updated,orders/paid,orders/cancelled,orders/fulfilled,refunds/create,customers/create,customers/update,app/uninstalled"

// What the Integrations page says of a Shopify shop's last webhook
// subscription check (recorded by webhooks/shopify's SubscriptionCheck),
// and the advice that goes with it.
func TestWebhookCheckLineAndAdvice(t *testing.T) {
	now := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	checked := now.Add(-5 * time.Minute).Format(time.RFC3339)
	seen := tickets.SourceHealth{Received: 4, LastReceived: now.Add(-time.Hour)}
	for _, tc := range []struct {
		name     string
		kind     tickets.Source
		settings map[string]string
		line     string // "" for no line
		advice   string // a part of the advice; "" for none
	}{
		{"never checked", tickets.SourceShopify, nil, "", ""},
		{"not a Shopify shop", tickets.SourceWooCommerce, map[string]string{"webhooks_checked_at": checked}, "", ""},
		{"all subscribed", tickets.SourceShopify, map[string]string{"webhooks_checked_at": checked, "webhooks_subscribed": allShopifyTopics},
			"Webhooks: 9 of 9 topics subscribed (checked 5m ago)", ""},
		{"repaired earlier", tickets.SourceShopify, map[string]string{"webhooks_checked_at": checked, "webhooks_subscribed": allShopifyTopics,
			"webhooks_reregistered": "orders/paid", "webhooks_reregistered_at": now.Add(-3 * time.Hour).Format(time.RFC3339)},
			"Webhooks: 9 of 9 topics subscribed (checked 5m ago). Re-registered orders/paid 3h ago", ""},
		{"missing, refused", tickets.SourceShopify, map[string]string{"webhooks_checked_at": checked,
			"webhooks_subscribed": "orders/create,app/uninstalled", "webhooks_missing": "orders/paid", "webhooks_refused": "orders/paid: Address is an invalid domain"},
			"Webhooks: 2 of 3 topics subscribed; missing orders/paid (checked 5m ago)",
			"could not subscribe again. Shopify said: orders/paid: Address is an invalid domain. Check that HUB_PUBLIC_URL"},
		{"another address", tickets.SourceShopify, map[string]string{"webhooks_checked_at": checked, "webhooks_subscribed": allShopifyTopics,
			"webhooks_elsewhere": "orders/create", "webhooks_other_urls": "https://old.example/webhooks/shopify"},
			"Webhooks: 9 of 9 topics subscribed; orders/create subscribed to another address too: https://old.example/webhooks/shopify (checked 5m ago)",
			"for orders/create also point at https://old.example/webhooks/shopify, not this hub"},
		{"token refused", tickets.SourceShopify, map[string]string{"webhooks_checked_at": checked, "webhooks_subscribed": allShopifyTopics,
			"webhooks_error": "unauthorized (401: token refused)", "webhooks_error_code": "unauthorized"},
			"Webhooks: the check failed 5m ago: unauthorized (401: token refused)", "Install the app again"},
		{"access denied", tickets.SourceShopify, map[string]string{"webhooks_checked_at": checked,
			"webhooks_error": "not found (access denied)", "webhooks_error_code": "denied"},
			"Webhooks: the check failed 5m ago: not found (access denied)", "denied the hub access"},
		{"Shopify down", tickets.SourceShopify, map[string]string{"webhooks_checked_at": checked,
			"webhooks_error": "HTTP 503"},
			"Webhooks: the check failed 5m ago: HTTP 503", "runs again within the hour"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tickets.Connection{Kind: tc.kind, Key: "acme.myshopify.com", Active: true, Settings: tc.settings}
			line := ""
			if w := webhookCheckOf(c); w != nil {
				line = w.Line(now)
			}
			if line != tc.line {
				t.Errorf("line %q\nwant %q", line, tc.line)
			}
			got := advice(c, seen)
			if (tc.advice == "") != (got == "") || !strings.Contains(got, tc.advice) {
				t.Errorf("advice %q, want one with %q", got, tc.advice)
			}
		})
	}
}
