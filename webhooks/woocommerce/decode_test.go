package woocommerce_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	wc "hub/connectors/woocommerce"
	"hub/connectors/woocommerce/wootest"
	"hub/tickets"
	"hub/webhooks"
	woo "hub/webhooks/woocommerce"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixedStores serves one store whose URL is stable (for the golden file)
// while its client talks to the fake.
type fixedStores struct{ st woo.Store }

func (f fixedStores) Get(context.Context, string) (woo.Store, error) { return f.st, nil }

func TestDecodeRecordedPayloads(t *testing.T) {
	shop := wootest.New()
	defer shop.Close()
	client, err := wc.New(shop.URL(), shop.Key, shop.Secret, wc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dec := &woo.Decoder{Stores: fixedStores{woo.Store{Key: "woocommerce:shop.example.com", URL: "https://shop.example.com", Client: client}}}
	failed := withStatus(t, wootest.Recorded("order_1234.json"), "failed")
	noLines := withStatus(t, wootest.Recorded("order_1234.json"), "completed", "line_items")
	tests := []struct {
		name, topic string
		body        []byte
	}{
		{"processing order created", "order.created", wootest.Recorded("order_1234.json")},
		{"legacy envelope", "order.updated", wootest.Recorded("order_1234_legacy_envelope.json")},
		{"payment failed opens a ticket", "order.updated", failed},
		{"cancelled opens a ticket", "order.updated", withStatus(t, wootest.Recorded("order_1251_pending.json"), "cancelled")},
		{"refunded opens a ticket", "order.updated", withStatus(t, wootest.Recorded("order_1240_guest.json"), "refunded")},
		{"guest order", "order.updated", wootest.Recorded("order_1240_guest.json")},
		{"checkout draft is ignored", "order.created", wootest.Recorded("order_1252_checkout_draft.json")},
		{"trashed order", "order.updated", withStatus(t, wootest.Recorded("order_1251_pending.json"), "trash")},
		{"deleted order", "order.deleted", wootest.Recorded("order_deleted.json")},
		{"empty line items are re-fetched", "order.updated", noLines},
		{"customer updated", "customer.updated", wootest.Recorded("customer_7.json")},
		{"customer deleted", "customer.deleted", []byte(`{"id":7}`)},
	}
	got := map[string]any{}
	for _, tt := range tests {
		d := tickets.Delivery{Source: tickets.SourceWooCommerce, Tenant: "woocommerce:shop.example.com", Topic: tt.topic,
			Body: tt.body, ReceivedAt: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
		out, err := dec.Decode(context.Background(), d)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got[tt.name] = readable(out)
	}
	if shop.Calls("GET orders/{id}") != 1 {
		t.Errorf("%d order re-fetches, want 1 (for the payload without line items)", shop.Calls("GET orders/{id}"))
	}
	b, _ := json.MarshalIndent(got, "", "  ")
	golden(t, "decoded.golden.json", b)

	// A malformed payload that got recorded can never succeed: it fails for
	// good (replayable), it is not retried.
	_, err = dec.Decode(context.Background(), tickets.Delivery{Tenant: "woocommerce:shop.example.com", Topic: "order.updated", Body: []byte(`{"code":"x","message":"y"}`)})
	if err == nil {
		t.Fatal("error object decoded")
	}
}

// readable shows order details as JSON rather than base64.
func readable(out webhooks.Decoded) any {
	if out.Ignore != "" {
		return map[string]string{"ignore": out.Ignore}
	}
	var cmds []any
	for _, c := range out.Commands {
		oc, ok := c.(tickets.OrderChanged)
		if !ok {
			cmds = append(cmds, c)
			continue
		}
		details := oc.Order.Details
		oc.Order.Details = nil
		cmds = append(cmds, map[string]any{"OrderChanged": oc, "Details": json.RawMessage(orNull(details))})
	}
	return cmds
}

func orNull(b []byte) []byte {
	if len(b) == 0 {
		return []byte("null")
	}
	return b
}

// withStatus returns the order JSON with another status (and without the
// listed fields).
func withStatus(t *testing.T, raw []byte, status string, drop ...string) []byte {
	t.Helper()
	var o map[string]any
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	o["status"] = status
	for _, f := range drop {
		o[f] = []any{}
	}
	b, _ := json.Marshal(o)
	return b
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		_ = os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(got)+"\n" {
		t.Errorf("%s differs from the golden file (go test -update to accept):\n%s", name, got)
	}
}
