package woocommerce_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	wc "hub/connectors/woocommerce"
	"hub/connectors/woocommerce/wootest"
	"hub/tickets"
)

func (b *bundle) post(t *testing.T, body []byte, header http.Header) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.hub.URL+"/webhooks/woocommerce", bytes.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// signed are the headers WooCommerce sends with a delivery.
func signed(source, topic, secret string, body []byte) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(wc.HeaderSource, source)
	h.Set(wc.HeaderTopic, topic)
	h.Set(wc.HeaderWebhookID, "17")
	h.Set(wc.HeaderDeliveryID, "4f0c2e53b2c1f9a1d3e0")
	h.Set(wc.HeaderSignature, wc.Sign(secret, body))
	return h
}

func (b *bundle) connect(t *testing.T, key, secret string) {
	t.Helper()
	_, err := b.store.SaveConnection(context.Background(), tickets.Connection{
		Kind: tickets.SourceWooCommerce, Key: key, Active: true,
		Secrets:  map[string]string{"consumer_key": "ck_x", "consumer_secret": "cs_y", "webhook_secret": secret},
		Settings: map[string]string{"url": "https://" + key},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReceiverRefusesBadRequestsAndLeavesNothing(t *testing.T) {
	b := setup(t)
	b.connect(t, "other.example.com", "other-store-secret")
	order := wootest.Recorded("order_1234.json")
	src := b.shop.URL() + "/"
	with := func(h http.Header, edit func(http.Header)) http.Header { edit(h); return h }
	tests := []struct {
		name   string
		body   []byte
		header http.Header
		status int
		reason string // counted in hub_deliveries_rejected_total; "" for none
	}{
		{"forged signature", order, with(signed(src, "order.updated", webhookSecret, order), func(h http.Header) {
			h.Set(wc.HeaderSignature, wc.Sign("guessed", order))
		}), 401, "bad_signature"},
		{"unsigned JSON", order, with(signed(src, "order.updated", webhookSecret, order), func(h http.Header) { h.Del(wc.HeaderSignature) }), 401, "unsigned"},
		{"empty signature", order, with(signed(src, "order.updated", webhookSecret, order), func(h http.Header) { h.Set(wc.HeaderSignature, "") }), 401, "bad_signature"},
		{"two signatures", order, with(signed(src, "order.updated", webhookSecret, order), func(h http.Header) {
			h.Add(wc.HeaderSignature, wc.Sign(webhookSecret, order))
		}), 401, "bad_signature"},
		{"ping body with a bad signature", []byte("webhook_id=17"), with(http.Header{}, func(h http.Header) { h.Set(wc.HeaderSignature, "Zm9v") }), 401, "bad_signature"},
		{"signed with another store's secret", order, signed(src, "order.updated", "other-store-secret", order), 401, "bad_signature"},
		{"another store's source with this store's secret", order, signed("https://other.example.com/", "order.updated", webhookSecret, order), 401, "bad_signature"},
		{"unknown store", order, signed("https://unknown.example.com/", "order.updated", webhookSecret, order), 401, "unknown_store"},
		{"no source", order, with(signed(src, "order.updated", webhookSecret, order), func(h http.Header) { h.Del(wc.HeaderSource) }), 401, "bad_signature"},
		{"source that is not a URL", order, signed("evil.io/<x>?", "order.updated", webhookSecret, order), 401, "unknown_store"},
		{"oversized", bytes.Repeat([]byte("x"), 9<<20), signed(src, "order.updated", webhookSecret, []byte("x")), 413, "too_large"},
		{"unsubscribed topic, validly signed", []byte(`{"id":5}`), signed(src, "product.updated", webhookSecret, []byte(`{"id":5}`)), 200, ""},
		{"action topic, validly signed", []byte(`{"action":"woocommerce_x","arg":1}`), signed(src, "action.woocommerce_x", webhookSecret, []byte(`{"action":"woocommerce_x","arg":1}`)), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := b.post(t, tt.body, tt.header)
			if status != tt.status {
				t.Errorf("status %d (%s), want %d", status, body, tt.status)
			}
			if got := b.rejected.last(); got != tt.reason {
				t.Errorf("counted as %q, want %q", got, tt.reason)
			}
			if strings.Contains(body, wc.Sign(webhookSecret, tt.body)) {
				t.Error("the answer contains the expected signature")
			}
		})
	}
	if n := len(b.deliveries(t)); n != 0 {
		t.Fatalf("%d deliveries recorded from refused requests", n)
	}
}

// A validly signed body the hub cannot use is recorded, not refused:
// WooCommerce never retries and disables webhooks that fail, so a 4xx would
// lose it. The worker marks it failed with the reason (replayable), and
// reconciliation fetches the order's real state.
func TestSignedMalformedBodiesAreRecordedAsFailed(t *testing.T) {
	b := setup(t)
	b.startWorker(t)
	src := b.shop.URL() + "/"
	for _, body := range [][]byte{[]byte(`{"id":`), wootest.Recorded("rest_error.json"), []byte(`{"status":"failed"}`)} {
		status, resp := b.post(t, body, signed(src, "order.updated", webhookSecret, body))
		if status != http.StatusAccepted {
			t.Fatalf("status %d (%s), want 202", status, resp)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		failed := 0
		for _, d := range b.deliveries(t) {
			if d.Status == tickets.DeliveryFailed && d.Error != "" {
				failed++
			}
		}
		if failed == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 3 deliveries failed with a reason: %+v", failed, b.deliveries(t))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(b.tickets(t)); n != 0 {
		t.Errorf("%d tickets from unusable bodies", n)
	}
}

func TestReceiverAnswersThePingExactly200(t *testing.T) {
	b := setup(t)
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set("User-Agent", "WooCommerce/9.4.2 Hookshot (WordPress/6.7.1)")
	status, _ := b.post(t, []byte("webhook_id=42"), h)
	if status != http.StatusOK {
		t.Fatalf("ping answered %d, want exactly 200", status)
	}
	// The fake store's own create call: its ping must succeed too.
	b.subscribe(t)
	for _, w := range b.shop.Webhooks() {
		if w.PingStatus != http.StatusOK {
			t.Errorf("webhook %d (%s): ping got %d", w.ID, w.Topic, w.PingStatus)
		}
	}
	if n := len(b.deliveries(t)); n != 0 {
		t.Fatalf("pings recorded %d deliveries", n)
	}
}

func TestReceiverChecksTheSecretAsEntered(t *testing.T) {
	b := setup(t)
	b.connect(t, "amp.example.com", "a&b<c>")
	body := []byte(`{"id":123,"status":"processing","date_modified_gmt":"2026-11-20T13:05:42"}`)
	src := "https://www.AMP.example.com/"
	if status, out := b.post(t, body, signed(src, "order.updated", "a&amp;b&lt;c&gt;", body)); status != 401 {
		t.Errorf("signed with the HTML-escaped secret: %d %s, want 401", status, out)
	}
	if status, out := b.post(t, body, signed(src, "order.updated", "a&b<c>", body)); status != 202 {
		t.Errorf("signed with the secret as entered: %d %s, want 202", status, out)
	}
	list := b.deliveries(t)
	if len(list) != 1 || list[0].Tenant != "woocommerce:amp.example.com" {
		t.Fatalf("deliveries %+v", list)
	}
}

func TestReceiverDedupesByBusinessKey(t *testing.T) {
	b := setup(t)
	src := b.shop.URL() + "/"
	order := wootest.Recorded("order_1234.json")
	guest := wootest.Recorded("order_1240_guest.json")
	sends := []struct {
		topic, deliveryID string
		body              []byte
		dup               bool
	}{
		{"order.created", "d1", order, false},
		{"order.updated", "d2", order, true},  // the same version under another topic and delivery id
		{"order.updated", "d1", guest, false}, // the same delivery id (same second) for another order
		{"order.updated", "d3", guest, true},
	}
	for i, s := range sends {
		h := signed(src, s.topic, webhookSecret, s.body)
		h.Set(wc.HeaderDeliveryID, s.deliveryID)
		status, out := b.post(t, s.body, h)
		if status != 202 || strings.Contains(out, `"duplicate":true`) != s.dup {
			t.Errorf("send %d: %d %s, want duplicate %v", i, status, out, s.dup)
		}
	}
	if n := len(b.deliveries(t)); n != 2 {
		t.Errorf("%d deliveries, want 2", n)
	}
}
