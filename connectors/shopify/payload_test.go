package shopify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"hub/connectors/shopify"
	"hub/connectors/shopify/shopifytest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares v, as indented JSON, with testdata/golden/name.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name+".json")
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
		t.Errorf("%s differs from the golden file:\n%s", name, got)
	}
}

// The recorded webhook payloads, including drift go-shopify trips over
// (line-item properties as an object, an empty-string decimal), read into
// the order snapshot.
func TestParseOrderPayloads(t *testing.T) {
	for _, name := range []string{"orders_create", "orders_fulfilled", "orders_cancelled"} {
		t.Run(name, func(t *testing.T) {
			o, err := shopify.ParseOrder("acme.myshopify.com", shopifytest.Webhook(name))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "webhook_"+name, o)
		})
	}
}

func TestParseOtherPayloads(t *testing.T) {
	r, err := shopify.ParseRefund(shopifytest.Webhook("refunds_create"))
	if err != nil || r.OrderID != "5843223806002" || r.Amount != "42.00" || r.Currency != "EUR" || r.Reason != "Customer changed their mind" {
		t.Errorf("refund %+v, %v", r, err)
	}
	c, err := shopify.ParseCustomer("acme.myshopify.com", shopifytest.Webhook("customers_update"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "webhook_customers_update", c)
	red, err := shopify.ParseCompliance(shopifytest.Webhook("customers_redact"))
	if err != nil || red.CustomerID != "7392119275570" || red.Email != "ada.lovelace@example.com" || len(red.OrderIDs) != 2 || red.ShopDomain != "acme.myshopify.com" {
		t.Errorf("redact %+v, %v", red, err)
	}
	dr, err := shopify.ParseCompliance(shopifytest.Webhook("customers_data_request"))
	if err != nil || dr.DataRequestID != "9999" || len(dr.OrderIDs) != 2 {
		t.Errorf("data request %+v, %v", dr, err)
	}
	for _, bad := range []string{`{`, `[]`, `{"id":{"x":1}}`, `{}`} {
		if _, err := shopify.ParseOrder("acme.myshopify.com", []byte(bad)); err == nil {
			t.Errorf("ParseOrder(%s) accepted it", bad)
		}
	}
}

// A refund that moved no money (a restock; Shopify's own sample order
// carries one) is no refund, and a fulfillment that failed, errored or was
// cancelled shipped nothing: neither shows, from a webhook or a look-up.
func TestRefundsAndFulfillmentsAsTheyAre(t *testing.T) {
	o, err := shopify.ParseOrder("acme.myshopify.com", shopifytest.Webhook("orders_updated_no_money_refund"))
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Refunds) != 0 {
		t.Errorf("webhook refunds %+v, want none", o.Refunds)
	}
	if len(o.Tracking) != 1 || o.Tracking[0].Number != "1ZSUCCESS" {
		t.Errorf("webhook tracking %+v, want the successful shipment's alone", o.Tracking)
	}
	if r, err := shopify.ParseRefund(shopifytest.Webhook("refunds_create_no_money")); err != nil || !r.Zero() {
		t.Errorf("refunds/create without transactions: %+v, %v; want a zero refund", r, err)
	}

	fake := shopifytest.New("key", "secret")
	defer fake.Close()
	fake.AddShop(shop, "shpat_custom")
	money := func(a string) map[string]any {
		return map[string]any{"shopMoney": map[string]any{"amount": a, "currencyCode": "EUR"}}
	}
	track := func(status, number string) map[string]any {
		return map[string]any{"status": status, "trackingInfo": []any{map[string]any{"company": "UPS", "number": number, "url": ""}}}
	}
	node, _ := json.Marshal(map[string]any{
		"id": "gid://shopify/Order/450789469", "name": "#1001", "updatedAt": "2026-11-23T09:00:00Z",
		"totalPriceSet": money("59.00"), "lineItems": map[string]any{"nodes": []any{}},
		"fulfillments": []any{track("FAILURE", "1ZFAILURE"), track("ERROR", "1ZERROR"), track("CANCELLED", "1ZCANCELLED"), track("SUCCESS", "1ZSUCCESS")},
		"refunds":      []any{map[string]any{"id": "gid://shopify/Refund/509562969", "createdAt": "2026-11-22T09:00:00Z", "note": "restock", "totalRefundedSet": money("0.0")}},
	})
	fake.AddOrder(shop, node)
	g, err := newClient(t, fake, "shpat_custom").Order(context.Background(), "450789469")
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Refunds) != 0 || len(g.Tracking) != 1 || g.Tracking[0].Number != "1ZSUCCESS" {
		t.Errorf("look-up refunds %+v tracking %+v", g.Refunds, g.Tracking)
	}
}

// Since API 2024-07 a REST customer carries no orders_count or total_spent:
// unknown, not 0.
func TestParseCustomerWithoutCounts(t *testing.T) {
	c, err := shopify.ParseCustomer("acme.myshopify.com", []byte(`{"id": 7392119275570, "email": "ada.lovelace@example.com"}`))
	if err != nil || c.OrdersCount != nil || c.TotalSpent != "" {
		t.Errorf("%+v, %v", c, err)
	}
}
