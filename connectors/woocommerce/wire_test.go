package woocommerce_test

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"hub/connectors/woocommerce"
	"hub/connectors/woocommerce/wootest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// summary is what the hub reads from an order, for the golden file.
type summary struct {
	ID                int64                  `json:"id"`
	Number            string                 `json:"number"`
	Status            string                 `json:"status"`
	Draft             bool                   `json:"draft"`
	FinancialStatus   string                 `json:"financial_status"`
	FulfillmentStatus string                 `json:"fulfillment_status"`
	Total             string                 `json:"total"`
	Currency          string                 `json:"currency"`
	Modified          time.Time              `json:"modified"`
	CustomerID        int64                  `json:"customer_id"`
	Email             string                 `json:"email"`
	Name              string                 `json:"name"`
	Phone             string                 `json:"phone"`
	Lines             []woocommerce.LineItem `json:"lines"`
	Shipments         []woocommerce.Shipment `json:"shipments"`
	Refunded          string                 `json:"refunded"`
}

func TestRecordedOrdersGolden(t *testing.T) {
	files := []string{"order_1234.json", "order_1234_legacy_envelope.json", "order_1240_guest.json", "order_1251_pending.json", "order_1252_checkout_draft.json"}
	got := map[string]summary{}
	for _, f := range files {
		o, err := woocommerce.ParseOrder(wootest.Recorded(f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		got[f] = summary{
			ID: int64(o.ID), Number: o.DisplayNumber(), Status: o.Status, Draft: woocommerce.IsDraft(o.Status),
			FinancialStatus: o.FinancialStatus(), FulfillmentStatus: o.FulfillmentStatus(),
			Total: string(o.Total), Currency: o.Currency, Modified: o.DateModifiedGMT.Time,
			CustomerID: int64(o.CustomerID), Email: o.Billing.Email, Name: o.Billing.Name(), Phone: string(o.Billing.Phone),
			Lines: o.LineItems, Shipments: o.Shipments(), Refunded: woocommerce.Money(o.RefundedTotal()),
		}
	}
	b, _ := json.MarshalIndent(got, "", "  ")
	golden(t, "orders.golden.json", b)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
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

func TestTolerantWireTypes(t *testing.T) {
	body := []byte(`{"id":"1301","number":1301,"status":"wc-Completed","total":42.5,"customer_id":"0",
		"date_modified_gmt":"2026-11-20T13:05:42","date_paid_gmt":"","date_completed_gmt":null,
		"billing":{"email":"x@example.com","phone":4930123456,"postcode":10969},
		"line_items":[{"id":"1","name":"A","quantity":"2","price":"9.5","sku":null}],
		"refunds":[{"id":9,"reason":"damaged","total":"-5.25"},{"id":10,"total":"-1.00"}]}`)
	o, err := woocommerce.ParseOrder(body)
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != 1301 || o.Number != "1301" || o.Total != "42.5" || o.CustomerID != 0 || o.Billing.Phone != "4930123456" ||
		o.LineItems[0].Quantity != 2 || o.LineItems[0].Price != "9.5" || !o.DatePaidGMT.IsZero() {
		t.Errorf("decoded %+v", o)
	}
	if o.FinancialStatus() != "partially_refunded" || o.FulfillmentStatus() != "fulfilled" {
		t.Errorf("statuses %s/%s", o.FinancialStatus(), o.FulfillmentStatus())
	}
	if got := woocommerce.Money(o.RefundedTotal()); got != "6.25" {
		t.Errorf("refunded %s", got)
	}
	if !o.DateModifiedGMT.Equal(time.Date(2026, 11, 20, 13, 5, 42, 0, time.UTC)) {
		t.Errorf("modified %v: *_gmt dates are UTC", o.DateModifiedGMT)
	}
}

func TestParseRefusesWhatIsNotAResource(t *testing.T) {
	tests := []struct {
		name, body string
		isErrObj   bool
	}{
		{"REST error object", string(wootest.Recorded("rest_error.json")), true},
		{"not JSON", `webhook_id=1`, false},
		{"array", `[{"id":1}]`, false},
		{"no id", `{"status":"processing"}`, false},
		{"id zero", `{"id":0}`, false},
		{"id not a number", `{"id":"abc"}`, false},
		{"id too big", `{"id":1e300}`, false},
		{"fractional id", `{"id":1.5}`, false},
		{"action payload", `{"action":"woocommerce_order_status_changed","arg":12}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := woocommerce.ParseOrder([]byte(tt.body))
			if err == nil {
				t.Fatal("parsed")
			}
			if errors.Is(err, woocommerce.ErrorPayload) != tt.isErrObj {
				t.Errorf("error %v: ErrorPayload = %v, want %v", err, !tt.isErrObj, tt.isErrObj)
			}
		})
	}
	id, err := woocommerce.ParseIdentity(wootest.Recorded("order_deleted.json"), "order")
	if err != nil || id.ID != 1234 || !id.Modified.IsZero() {
		t.Errorf("deleted payload: %+v %v", id, err)
	}
}

// WordPress sends names with HTML entities; the hub shows them decoded.
func TestNamesArriveDecoded(t *testing.T) {
	o, err := woocommerce.ParseOrder([]byte(`{"id": 727, "payment_method_title": "Cash &amp; carry",
		"billing": {"first_name": "Zo&euml;", "last_name": "O&#039;Brien", "company": "Smith &amp; Sons", "email": "zoe@example.com"},
		"line_items": [{"id": 1, "name": "Ship Your Idea &ndash; Color: Black", "quantity": 1, "total": "20.00"}],
		"shipping_lines": [{"method_title": "Flat &amp; fast", "total": "5.00"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if o.LineItems[0].Name != "Ship Your Idea – Color: Black" || o.Billing.Name() != "Zoë O'Brien" || o.Billing.Company != "Smith & Sons" ||
		o.PaymentMethodTitle != "Cash & carry" || o.ShippingLines[0].MethodTitle != "Flat & fast" {
		t.Errorf("order %+v", o)
	}
	c, err := woocommerce.ParseCustomer([]byte(`{"id": 9, "first_name": "Ren&eacute;e", "last_name": "Fran&ccedil;ois"}`))
	if err != nil || c.Name() != "Renée François" {
		t.Errorf("customer %q, %v", c.Name(), err)
	}
}
