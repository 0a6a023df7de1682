package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"hub/tickets"
	"hub/tickets/api"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n got: %s\nwant: %s", path, got, want)
	}
}

// TestTicketJSON pins the ticket's JSON, which the API, Slack and Zapier
// share: a full ticket and a bare one (nulls and empty lists).
func TestTicketJSON(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 3, 2, 10, 30, 0, 0, paris) // rendered in UTC
	at := func(d time.Duration) *time.Time { v := created.Add(d); return &v }
	full := tickets.Ticket{
		ID:          "0b7e4f0a-3c1d-4e2f-9a8b-7c6d5e4f3a2b",
		Number:      1042,
		Subject:     "Where is my order #1001?",
		Description: "It has been a week. <b>Please</b> help & advise.",
		Status:      tickets.StatusPending,
		Priority:    tickets.PriorityHigh,
		Tags:        []string{"shipping", "vip"},
		Assignee:    "alice@example.com",
		Team:        "support",
		Customer:    tickets.Customer{ID: "5f0c3b1e-8a2d-4c6b-9e7f-1a2b3c4d5e6f", Email: "jane@example.com", Name: "Jane Doe", Phone: "+442079460958"},
		Source:      tickets.SourceShopify,
		ExternalRef: "shopify:acme.myshopify.com/orders/450789469",
		FollowUpOf:  "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
		Orders: []tickets.OrderRef{{
			Store: "shopify:acme.myshopify.com", OrderID: "450789469", OrderNumber: "#1001",
			FinancialStatus: "paid", FulfillmentStatus: "partial", Total: "59.90", Currency: "EUR",
			CustomerEmail: "jane@example.com", Details: []byte(`{"line_items": []}`),
		}},
		SLA:             tickets.SLA{PausedAt: at(3 * time.Hour)},
		Slack:           tickets.SlackCard{Team: "T1", Channel: "C0123", TS: "1712345678.000100"},
		CreatedAt:       created,
		UpdatedAt:       created.Add(3 * time.Hour),
		FirstResponseAt: at(45 * time.Minute),
		CSAT:            &tickets.Rating{Score: 4, Comment: "Quick & kind", At: created.Add(5 * time.Hour)},
	}
	st := tickets.SLAState{
		FirstResponseDue: created.Add(time.Hour),
		ResolutionDue:    created.Add(24 * time.Hour),
		AtRisk:           true,
	}
	bare := tickets.Ticket{
		ID: "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", Number: 1043, Subject: "Hello",
		Status: tickets.StatusOpen, Priority: tickets.PriorityMedium, Source: tickets.SourceAPI,
		Slack:     tickets.SlackCard{Error: "channel_not_found"},
		CreatedAt: created, UpdatedAt: created,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as the server writes it
	enc.SetIndent("", "  ")
	if err := enc.Encode([]api.Ticket{api.TicketJSON(full, st), api.TicketJSON(bare, tickets.SLAState{})}); err != nil {
		t.Fatal(err)
	}
	golden(t, "tickets.golden.json", buf.Bytes())
}
