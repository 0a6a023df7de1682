package web

import (
	"context"
	"encoding/json"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"

	"hub/tickets"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenNow is the fixed instant every golden page is rendered at.
var goldenNow = time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)

// goldenTicket is a ticket with something of everything a page shows.
func goldenTicket() tickets.Ticket {
	first := goldenNow.Add(-90 * time.Minute)
	details, _ := json.Marshal(tickets.OrderDetails{Number: "#1001", FinancialStatus: "partially_refunded", FulfillmentStatus: "fulfilled",
		Total: "42.50", Currency: "EUR", FraudRisk: "low",
		LineItems: []tickets.LineItem{{Title: "Blue mug", SKU: "MUG-B", Quantity: 2, Price: "15.00"}},
		Tracking:  []tickets.Tracking{{Company: "DHL", Number: "JD0146", URL: "https://www.dhl.com/track?id=JD0146"}},
		Refunds:   []tickets.Refund{{Amount: "15.00", Currency: "EUR", Reason: "broken", CreatedAt: goldenNow.Add(-time.Hour)}},
		AdminURL:  "javascript:alert(1)", // never rendered as a link
	})
	return tickets.Ticket{ID: "8d1f4c9e-0000-4000-8000-000000000001", Number: 1042, Subject: "Parcel arrived <damaged>",
		Description: "The box was crushed.", Status: tickets.StatusOpen, Priority: tickets.PriorityUrgent, Tags: []string{"damage", "shipping"},
		Assignee: "ana@example.com", Source: tickets.SourceShopify,
		Customer: tickets.Customer{ID: "c1", Email: "cy@example.com", Name: "Cy Customer", CreatedAt: goldenNow.AddDate(0, -2, 0),
			Stores: []tickets.StoreCustomer{{Store: "shopify:acme.myshopify.com", CustomerID: "77", TotalSpent: "310.00", Currency: "EUR"}}},
		Orders: []tickets.OrderRef{{Store: "shopify:acme.myshopify.com", OrderID: "5501", OrderNumber: "#1001", FinancialStatus: "partially_refunded",
			FulfillmentStatus: "fulfilled", Total: "42.50", Currency: "EUR", Details: details}},
		SLA:       tickets.SLA{ClockStart: goldenNow.Add(-2 * time.Hour), FirstResponseDue: goldenNow.Add(-time.Hour), ResolutionDue: goldenNow.Add(2 * time.Hour)},
		CreatedAt: goldenNow.Add(-2 * time.Hour), UpdatedAt: goldenNow.Add(-time.Hour), FirstResponseAt: &first,
	}
}

func TestPagesGolden(t *testing.T) {
	sm := scs.New()
	sm.Store = memstore.NewWithCleanupInterval(0)
	s := New(Config{Store: nilStore{}, Sessions: sm, Now: func() time.Time { return goldenNow }})
	tk := goldenTicket()
	admin := tickets.Account{Email: "ana@example.com", Name: "Ana Admin", Admin: true}
	msgs := []tickets.Message{
		{ID: 1, Kind: tickets.MessageCustomer, Body: "Any news?", Author: tickets.Actor{Kind: tickets.ActorCustomer, ID: "cy@example.com", Name: "Cy Customer"}, CreatedAt: goldenNow.Add(-100 * time.Minute)},
		{ID: 2, Kind: tickets.MessageReply, Body: "A new mug is on its way.", Author: admin.Actor(), CreatedAt: goldenNow.Add(-90 * time.Minute)},
		{ID: 3, Kind: tickets.MessageNote, Body: "Warehouse confirmed.", Author: admin.Actor(), CreatedAt: goldenNow.Add(-80 * time.Minute)},
		{ID: 4, Kind: tickets.MessageSystem, Body: "Reply sent as a note on WooCommerce order #1001.", ExternalRef: "order-note:2:991", CreatedAt: goldenNow.Add(-89 * time.Minute)},
	}
	events := []tickets.Event{
		{Type: tickets.EventCreated, Actor: tickets.Actor{Kind: tickets.ActorWebhook, ID: "delivery:7"}, At: tk.CreatedAt},
		{Type: tickets.EventUpdated, Actor: admin.Actor(), Before: map[string]any{"priority": "high"}, After: map[string]any{"priority": "urgent"}, At: goldenNow.Add(-85 * time.Minute)},
		{Type: tickets.EventStatusChanged, Actor: admin.Actor(), Before: map[string]any{"status": "pending"}, After: map[string]any{"status": "open"}, At: goldenNow.Add(-70 * time.Minute)},
	}
	msgs = append(msgs, tickets.Message{ID: 5, Kind: tickets.MessageReply, Body: "Could you send a photo?", Author: admin.Actor(), CreatedAt: goldenNow.Add(-30 * time.Minute)},
		tickets.Message{ID: 6, Kind: tickets.MessageReply, Body: "Any update?", Author: admin.Actor(), CreatedAt: goldenNow.Add(-5 * time.Minute)})
	conv, tl := conversation(msgs, events)
	markEmailed(conv, map[int64]tickets.ReplyDelivery{
		2: {Channel: "email", To: "cy@example.com", Status: "sent"},
		5: {Channel: "email", To: "cy@example.com", Status: "failed", Error: "550 mailbox unavailable"},
		6: {Channel: "email", To: "cy@example.com", Status: "sending", Error: "421 try later", Attempts: 1},
	})
	row := s.row(tk, goldenNow)
	other := tk
	other.Number, other.Subject, other.Status, other.Assignee, other.Tags = 1001, "Invoice copy", tickets.StatusPending, "", nil
	paused := goldenNow.Add(-time.Hour)
	other.SLA.PausedAt = &paused

	vol := []bar{{Label: "1 Mar", Value: 3, Text: "3"}, {Label: "2 Mar", Value: 0, Text: "0"}, {Label: "3 Mar", Value: 5, Text: "5"}}
	pages := []struct {
		name  string
		agent *tickets.Account
		data  any
	}{
		{"login", nil, loginView{Email: "ana@example.com", Next: "/", Error: "That email and password do not match an enabled account."}},
		{"error", &admin, errorPage{Status: 404, Message: "ticket T-9 not found"}},
		{"list", &admin, listView{Filter: tickets.Filter{View: tickets.ViewAtRisk, Query: "mug", Sort: tickets.SortDue}, Views: tickets.Views,
			Tickets: []ticketRow{row, s.row(other, goldenNow)}, Next: "bmV4dA", Since: goldenNow.Format(time.RFC3339Nano),
			Counts: tickets.ViewCounts{tickets.ViewAll: 2, tickets.ViewMine: 1, tickets.ViewUnassigned: 1, tickets.ViewAtRisk: 1, tickets.ViewBreached: 0, tickets.ViewWaiting: 1}}},
		{"ticket", &admin, ticketView{T: tk, SLA: row.SLA, Conversation: conv, Timeline: tl, Orders: []orderView{orderViewOf(tk.Orders[0])},
			Customer: tk.Customer, Others: []ticketRow{s.row(other, goldenNow)}, Routes: []string{"a customer note on WooCommerce order #1001"},
			Stores: []string{"shopify:acme.myshopify.com"}, OrderQuery: "1001", Surveys: true,
			Saved: []tickets.SavedReply{{Name: "where-is-my-order", Body: "Your order {{order_number}} ships today."}}, Found: []orderView{orderViewOf(tk.Orders[0])}, Agents: []tickets.Account{admin}}},
		{"customer", &admin, customerView{C: tk.Customer, Tickets: []ticketRow{row}, Orders: []orderView{orderViewOf(tk.Orders[0])}, Spent: totals(tk.Orders)}},
		{"reports", &admin, reportsView{From: goldenNow.AddDate(0, 0, -2).Truncate(24 * time.Hour), To: goldenNow.Truncate(24*time.Hour).AddDate(0, 0, 1),
			Sum: tickets.Summary{Created: 8, ByPriority: map[tickets.Priority]int{tickets.PriorityUrgent: 2}, FirstResponse: tickets.Durations{Count: 5, Median: 25 * time.Minute, P90: 2 * time.Hour},
				ResolutionSLA: tickets.Attainment{Met: 3, Breached: 1}, CSAT: tickets.CSATSummary{Sent: 4, Answered: 3, Sum: 13, ByScore: [5]int{0, 0, 0, 2, 1}},
				Priorities: []tickets.Group{{Key: "urgent", Tickets: 2, FirstResponseSLA: tickets.Attainment{Met: 1}, ResolutionSLA: tickets.Attainment{Met: 1, Breached: 1}}}},
			CSAT:   barChart("Satisfaction answers by score", 520, []bar{{Label: "1★", Text: "0"}, {Label: "5★", Value: 1, Text: "1"}}, 0),
			Volume: barChart("Tickets created per day", 1000, vol, 0), Responses: barChart("First response time", 520, vol, 0),
			SLA: barChart("Resolution SLA attainment by priority", 520, []bar{{Label: "urgent", Value: 75, Text: "75%"}, {Label: "low", Text: "n/a"}}, 100)}},
		{"integrations", &admin, integrationsView{
			Connections: []connectionView{
				{C: tickets.Connection{Kind: tickets.SourceShopify, Key: "acme.myshopify.com", Name: "Acme", Active: true, Settings: map[string]string{
					"webhooks_checked_at": iso(goldenNow.Add(-5 * time.Minute)), "webhooks_subscribed": allShopifyTopics,
					"webhooks_reregistered": "orders/paid", "webhooks_reregistered_at": iso(goldenNow.Add(-2 * time.Hour))}},
					Health: tickets.SourceHealth{Received: 12, Failed: 1, LastReceived: goldenNow.Add(-time.Minute)}},
				{C: tickets.Connection{Kind: tickets.SourceShopify, Key: "lovelace-labs.myshopify.com", Active: true, Settings: map[string]string{
					"webhooks_checked_at": iso(goldenNow.Add(-20 * time.Minute)), "webhooks_subscribed": strings.Replace(allShopifyTopics, "refunds/create,", "", 1),
					"webhooks_missing": "refunds/create", "webhooks_refused": "refunds/create: Address is an invalid domain",
					"webhooks_elsewhere": "orders/create", "webhooks_other_urls": "https://old-hub.example/webhooks/shopify"}},
					Health: tickets.SourceHealth{Received: 3, LastReceived: goldenNow.Add(-time.Hour)}},
				{C: tickets.Connection{Kind: tickets.SourceShopify, Key: "babbage.myshopify.com", Active: true, Settings: map[string]string{
					"webhooks_checked_at": iso(goldenNow.Add(-40 * time.Minute)), "webhooks_subscribed": allShopifyTopics,
					"webhooks_error": "shopify: babbage.myshopify.com: list webhook subscriptions: shopify: unauthorized (401: token refused)", "webhooks_error_code": "unauthorized"}}},
				{C: tickets.Connection{Kind: tickets.SourceWooCommerce, Key: "https://shop.example", Active: false}},
				{C: tickets.Connection{Kind: tickets.SourceWooCommerce, Key: "https://other.example", Active: true,
					Settings: map[string]string{"silent_since": "2026-03-03T08:00:00Z", "silent_reason": "order.created webhook disabled"}}},
			},
			Hooks:  []tickets.Hook{{ID: "h1", Event: tickets.EventCreated, CreatedAt: goldenNow.AddDate(0, 0, -3), Failures: 2, LastError: "HTTP 500"}},
			Failed: []tickets.Delivery{{ID: 77, Source: tickets.SourceShopify, Tenant: "acme.myshopify.com", Topic: "orders/updated", Error: "shop is not connected", Attempts: 3, ReceivedAt: goldenNow.Add(-time.Hour)}},
		}},
		{"team", &admin, teamView{Me: admin.Email, Mail: true, KeysOn: true,
			Secret: &secret{Kind: "password", For: "bo@example.com", Value: "abcdefghij234567abcd"},
			Agents: []tickets.Account{
				{Email: admin.Email, Name: admin.Name, Admin: true, PasswordHash: "x", CreatedAt: goldenNow.AddDate(0, -1, 0)},
				{Email: "bo@example.com", Name: "Bo Agent", PasswordHash: "x", CreatedAt: goldenNow.Add(-time.Minute)},
				{Email: "cy@example.com", Name: "Cy Gone", PasswordHash: "x", DisabledAt: &paused, CreatedAt: goldenNow.AddDate(0, 0, -7)},
				{Email: "dee@example.com", CreatedAt: goldenNow.AddDate(0, 0, -2)},
			},
			Keys: []APIKey{
				{ID: "5f0c1e2a-0000-4000-8000-000000000001", Name: "HUB_API_KEY", Prefix: "test-adm", CreatedAt: goldenNow.AddDate(0, -1, 0)},
				{ID: "5f0c1e2a-0000-4000-8000-000000000002", Name: "zapier <prod>", Prefix: "hub_AbCd", CreatedAt: goldenNow.AddDate(0, 0, -3), RevokedAt: &paused},
			}}},
	}
	for i := range pages[6].data.(integrationsView).Connections {
		c := &pages[6].data.(integrationsView).Connections[i]
		c.Webhooks, c.Advice = webhookCheckOf(c.C), advice(c.C, c.Health)
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			ctx, err := sm.Load(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			sm.Put(ctx, keyCSRF, "CSRF-TOKEN")
			if p.agent != nil {
				ctx = context.WithValue(ctx, accountKey{}, *p.agent)
			}
			if p.name == "ticket" {
				s.setFlash(ctx, "ok", "Reply sent.")
			}
			w := httptest.NewRecorder()
			r := httptest.NewRequest("GET", "/", nil).WithContext(ctx)
			if err := s.render(w, r, p.name, p.data); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", p.name+".golden.html"), w.Body.Bytes())
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the rendered page (go test -update rewrites it); got:\n%s", path, got)
	}
}

// nilStore satisfies Store for rendering tests, which never reach it.
type nilStore struct{ Store }
