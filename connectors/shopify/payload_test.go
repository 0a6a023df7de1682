package shopify_test

import (
	"bytes"
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
