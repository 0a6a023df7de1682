package shopify_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"hub/connectors/shopify"
	"hub/connectors/shopify/shopifytest"
)

// Every refusal leaves no trace but a metric (and a log line): nothing is
// recorded, and the status says what class of failure it was.
func TestReceiverRefusals(t *testing.T) {
	b := setup(t, setupOpts{})
	body := shopifytest.Webhook("orders_create")
	big := append([]byte(`{"pad":"`), bytes.Repeat([]byte("x"), 8<<20)...)
	big = append(big, '"', '}')
	for _, tc := range []struct {
		name   string
		topic  string
		body   []byte
		mut    func(*http.Request)
		status int
		reason string
	}{
		{"forged signature", "orders/create", body, withHeader("X-Shopify-Hmac-Sha256", shopify.SignWebhook(body, "not-the-secret")), 401, "bad_signature"},
		{"body changed after signing", "orders/create", body, func(r *http.Request) {
			r.Body = ioNop(bytes.Replace(body, []byte(`"59.00"`), []byte(`"0.01"`), 1))
			r.ContentLength = -1
		}, 401, "bad_signature"},
		{"unsigned", "orders/create", body, withHeader("X-Shopify-Hmac-Sha256", ""), 401, "unsigned"},
		{"signed with an empty secret", "orders/create", body, withHeader("X-Shopify-Hmac-Sha256", shopify.SignWebhook(body, "")), 401, "bad_signature"},
		{"shop header pointing elsewhere", "orders/create", body, withHeader("X-Shopify-Shop-Domain", "evil.example/myshopify.com"), 401, "bad_shop"},
		{"shop header with a suffix", "orders/create", body, withHeader("X-Shopify-Shop-Domain", "acme.myshopify.com.evil.example"), 401, "bad_shop"},
		{"shop not connected", "orders/create", body, withHeader("X-Shopify-Shop-Domain", "other.myshopify.com"), 401, "unknown_shop"},
		{"compliance topic, forged", "customers/redact", shopifytest.Webhook("customers_redact"), withHeader("X-Shopify-Hmac-Sha256", shopify.SignWebhook(shopifytest.Webhook("customers_redact"), "x")), 401, "bad_signature"},
		{"shop/redact, unsigned", "shop/redact", shopifytest.Webhook("shop_redact"), withHeader("X-Shopify-Hmac-Sha256", ""), 401, "unsigned"},
		{"data request, forged", "customers/data_request", shopifytest.Webhook("customers_data_request"), withHeader("X-Shopify-Hmac-Sha256", "hMTq0K2x7oyOjoBwGYeTj5oxfnaVYXzbanUG9aajpKI="), 401, "bad_signature"},
		{"oversized", "orders/create", big, nil, 413, "too_large"},
		{"two signatures", "orders/create", body, func(r *http.Request) {
			r.Header.Add("X-Shopify-Hmac-Sha256", shopify.SignWebhook(body, "not-the-secret"))
		}, 401, "bad_signature"},
		{"no webhook id", "orders/create", body, withHeader("X-Shopify-Webhook-Id", ""), 400, "no_topic_or_id"},
		{"no topic", "", body, nil, 400, "no_topic_or_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			muts := []func(*http.Request){}
			if tc.mut != nil {
				muts = append(muts, tc.mut)
			}
			status, resp := b.send(t, tc.topic, tc.body, muts...)
			if status != tc.status {
				t.Errorf("status %d (%s), want %d", status, resp, tc.status)
			}
			if got := b.rejected.last(); got != tc.reason {
				t.Errorf("metric reason %q, want %q", got, tc.reason)
			}
			if strings.Contains(resp, "hMTq") || strings.Contains(resp, "expected") {
				t.Errorf("the answer echoes verification details: %s", resp)
			}
			if n := b.deliveries(t); n != 0 {
				t.Errorf("%d deliveries recorded", n)
			}
		})
	}
}

// A signed body that cannot be decoded is Shopify's all the same: it is
// recorded, marked failed with its reason by the worker, and replayable,
// rather than refused (which would only make Shopify retry it for hours).
func TestSignedMalformedBodiesAreRecordedAsFailed(t *testing.T) {
	b := setup(t, setupOpts{})
	b.startWorker(t)
	for _, body := range [][]byte{[]byte(`{"id": 1,`), []byte(`[1,2,3]`)} {
		if status, resp := b.send(t, "orders/create", body); status != http.StatusOK {
			t.Fatalf("status %d (%s), want 200", status, resp)
		}
	}
	b.waitProcessed(t)
	var failed int
	var reason string
	if err := b.pool.QueryRow(context.Background(),
		`select count(*), min(error) from deliveries where status = 'failed' and error <> ''`).Scan(&failed, &reason); err != nil {
		t.Fatal(err)
	}
	if failed != 2 {
		t.Errorf("%d deliveries failed with a reason, want 2", failed)
	}
	t.Logf("reason: %s", reason)
	if n := len(b.listTickets(t)); n != 0 {
		t.Errorf("%d tickets from malformed bodies", n)
	}
}

// With no app secret and no secret of the shop's own, nothing verifies:
// an HMAC keyed with "" can be computed by anyone.
func TestReceiverWithoutSecretRefusesEverything(t *testing.T) {
	b := setup(t, setupOpts{appSecret: "-", envShop: true})
	body := shopifytest.Webhook("orders_create")
	status, _ := b.send(t, "orders/create", body, withHeader("X-Shopify-Hmac-Sha256", shopify.SignWebhook(body, "")))
	if status != 401 || b.rejected.last() != "no_secret" || b.deliveries(t) != 0 {
		t.Errorf("status %d, reason %q, %d deliveries", status, b.rejected.last(), b.deliveries(t))
	}
}

// Dedupe on the webhook id and on the event id; a rotation's previous
// secret and a shop's own secret both verify.
func TestReceiverRecordsOnceAndAcceptsRotatedSecrets(t *testing.T) {
	b := setup(t, setupOpts{connect: map[string]string{"webhook_secret": "shop-own-secret"}})
	body := shopifytest.Webhook("orders_create")
	status, resp := b.send(t, "orders/create", body, withHeader("X-Shopify-Webhook-Id", "wh-1"), withHeader("X-Shopify-Event-Id", "ev-1"))
	if status != 200 || !strings.Contains(resp, `"duplicate":false`) {
		t.Fatalf("first: %d %s", status, resp)
	}
	for name, muts := range map[string][]func(*http.Request){
		"same webhook id":            {withHeader("X-Shopify-Webhook-Id", "wh-1"), withHeader("X-Shopify-Event-Id", "ev-other")},
		"same event id, new webhook": {withHeader("X-Shopify-Webhook-Id", "wh-2"), withHeader("X-Shopify-Event-Id", "ev-1")},
	} {
		status, resp := b.send(t, "orders/create", body, muts...)
		if status != 200 || !strings.Contains(resp, `"duplicate":true`) {
			t.Errorf("%s: %d %s, want a duplicate", name, status, resp)
		}
	}
	for _, secret := range []string{oldSecret, "shop-own-secret"} {
		status, resp := b.send(t, "orders/updated", body, withHeader("X-Shopify-Hmac-Sha256", shopify.SignWebhook(body, secret)))
		if status != 200 || !strings.Contains(resp, `"duplicate":false`) {
			t.Errorf("signed with %s: %d %s", secret, status, resp)
		}
	}
	if n := b.deliveries(t); n != 3 {
		t.Errorf("%d deliveries, want 3", n)
	}
	// An unknown topic is acknowledged, recorded and ignored.
	b.startWorker(t)
	if status, _ := b.send(t, "products/update", []byte(`{"id":1}`)); status != 200 {
		t.Errorf("unknown topic: %d", status)
	}
	b.waitProcessed(t)
	var ignored int
	_ = b.pool.QueryRow(t.Context(), `select count(*) from deliveries where status = 'ignored' and topic = 'products/update'`).Scan(&ignored)
	if ignored != 1 {
		t.Errorf("unknown topic not ignored")
	}
}
