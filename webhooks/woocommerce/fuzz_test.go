package woocommerce_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	wc "hub/connectors/woocommerce"
	"hub/tickets"
	"hub/webhooks/woocommerce"
)

// anyStore is every store connected, with one secret: the receiver's own
// checks are what is fuzzed, not the lookup.
type anyStore struct{ asked []string }

const fuzzWooSecret = "fuzz-woo-secret"

func (s *anyStore) Get(_ context.Context, key string) (woocommerce.Store, error) {
	s.asked = append(s.asked, key)
	return woocommerce.Store{Key: key, URL: "https://" + key, WebhookSecret: fuzzWooSecret}, nil
}

// inbox keeps what the receiver records.
type inbox struct{ got []tickets.Delivery }

func (in *inbox) Accept(_ context.Context, d *tickets.Delivery) (bool, error) {
	d.ID = int64(len(in.got) + 1)
	in.got = append(in.got, *d)
	return false, nil
}

// FuzzReceive drives POST /webhooks/woocommerce with any headers and body:
// it never panics, answers only with the statuses WooCommerce is meant to
// see, and records a delivery only when the body carries the store's
// signature, under a non-empty key, with the bytes that were signed.
func FuzzReceive(f *testing.F) {
	files, _ := filepath.Glob("../../connectors/woocommerce/wootest/testdata/*.json")
	if len(files) == 0 {
		f.Fatal("no recorded payloads")
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "https://shop.example.com/", "order.updated", "", true)
		f.Add(b, "https://shop.example.com", "order.deleted", "d-1", true)
		f.Add(b, "http://www.Shop.example.com:8080/wp", "customer.updated", "", true)
		f.Add(b, "https://shop.example.com", "order.created", "", false)
	}
	f.Add([]byte("webhook_id=3"), "", "", "", false)
	f.Add([]byte(`{"code":"woocommerce_rest_cannot_view","message":"Sorry","data":{"status":401}}`), "shop.example.com", "order.updated", "", true)
	f.Fuzz(func(t *testing.T, body []byte, source, topic, deliveryID string, signIt bool) {
		stores, in := &anyStore{}, &inbox{}
		rc := &woocommerce.Receiver{Pipeline: in, Stores: stores}
		req := httptest.NewRequest(http.MethodPost, woocommerce.Path, bytes.NewReader(body))
		req.Header.Set(wc.HeaderSource, source)
		req.Header.Set(wc.HeaderTopic, topic)
		req.Header.Set(wc.HeaderDeliveryID, deliveryID)
		sig := "AAAA" + wc.Sign("another-secret", body)[4:]
		if signIt {
			sig = wc.Sign(fuzzWooSecret, body)
		}
		req.Header.Set(wc.HeaderSignature, sig)
		w := httptest.NewRecorder()
		rc.ServeHTTP(w, req)
		switch w.Code {
		case 200, 202, 400, 401, 413:
		default:
			t.Fatalf("status %d", w.Code)
		}
		if w.Code >= 300 && w.Code < 400 {
			t.Fatalf("a redirect (%d): WooCommerce counts it as delivered", w.Code)
		}
		if len(in.got) == 0 {
			return
		}
		if !signIt || len(in.got) != 1 {
			t.Fatalf("recorded %d deliveries (signed %v)", len(in.got), signIt)
		}
		d := in.got[0]
		if !wc.Verify(fuzzWooSecret, d.Body, sig) || !bytes.Equal(d.Body, body) {
			t.Fatal("recorded bytes other than the signed ones")
		}
		if d.Key == "" || d.Tenant == "" || d.Source != tickets.SourceWooCommerce {
			t.Fatalf("recorded %+v", d)
		}
		if len(stores.asked) != 1 || d.Tenant != stores.asked[0] {
			t.Fatalf("tenant %q is not the store whose secret verified (%v)", d.Tenant, stores.asked)
		}
		if w.Code != http.StatusAccepted {
			t.Fatalf("recorded, answered %d", w.Code)
		}
	})
}
