package shopify_test

import (
	"bytes"
	"crypto/hmac"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hub/connectors/shopify"
)

// webhookSeeds are the recorded webhook bodies of every topic the hub
// receives (shopifytest/testdata/webhooks).
func webhookSeeds(t testing.TB) [][]byte {
	t.Helper()
	files, err := filepath.Glob("shopifytest/testdata/webhooks/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded webhooks: %v", err)
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

const fuzzSecret = "hush-shopify-app-secret"

// FuzzVerifyWebhook: a header passes exactly when it is the base64 HMAC of
// the body under one of the non-empty secrets; never a panic.
func FuzzVerifyWebhook(f *testing.F) {
	for _, b := range webhookSeeds(f) {
		f.Add(b, shopify.SignWebhook(b, fuzzSecret))
		f.Add(b, shopify.SignWebhook(b, ""))
		f.Add(b, " "+shopify.SignWebhook(b, fuzzSecret)+"\n")
	}
	f.Add([]byte{}, "not base64!")
	f.Fuzz(func(t *testing.T, body []byte, mac string) {
		ok := shopify.VerifyWebhook(body, mac, "", fuzzSecret)
		got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(mac))
		want := err == nil && hmac.Equal(got, mustDecode(shopify.SignWebhook(body, fuzzSecret)))
		if ok != want {
			t.Fatalf("VerifyWebhook = %v, want %v (mac %q)", ok, want, mac)
		}
		if shopify.VerifyWebhook(body, mac) || shopify.VerifyWebhook(body, mac, "") {
			t.Fatal("verified with no usable secret")
		}
	})
}

func mustDecode(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzVerifyQuery: an OAuth callback's query passes exactly when its hmac
// is the hex HMAC of the other parameters, as SignQuery makes it.
func FuzzVerifyQuery(f *testing.F) {
	q := url.Values{"code": {"0907a61c0c8d55e99db179b68161bc00"}, "shop": {"acme.myshopify.com"},
		"state": {"0.6784241404160823"}, "timestamp": {"1337178173"}, "host": {"YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ"}}
	shopify.SignQuery(q, fuzzSecret)
	f.Add(q.Encode())
	f.Add("hmac=00&shop=a.myshopify.com&signature=x")
	f.Add("a=%ZZ&hmac=" + strings.Repeat("ab", 32))
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		ok := shopify.VerifyQuery(q, "", fuzzSecret)
		c := url.Values{}
		for k, v := range q {
			c[k] = v
		}
		shopify.SignQuery(c, fuzzSecret)
		got, herr := hex.DecodeString(q.Get("hmac"))
		want := herr == nil && hmac.Equal(got, mustHex(c.Get("hmac")))
		if ok != want {
			t.Fatalf("VerifyQuery(%q) = %v, want %v", raw, ok, want)
		}
		if !shopify.VerifyQuery(c, fuzzSecret) {
			t.Fatalf("a query SignQuery signed does not verify: %q", c.Encode())
		}
	})
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzParsePayloads runs every webhook body decoder over the same bytes:
// each decodes or errors, never panics, and what it returns holds what
// the decoders promise (an id, a numeric id where there is one).
func FuzzParsePayloads(f *testing.F) {
	for _, b := range webhookSeeds(f) {
		f.Add(b)
	}
	f.Add([]byte(`{"id":"gid://shopify/Order/1","name":"#1","total_price":1e999}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		const shop = "acme.myshopify.com"
		if o, err := shopify.ParseOrder(shop, body); err == nil {
			if o.ID == "" {
				t.Fatal("order without an id")
			}
			_ = shopify.AdminOrderURL(shop, o.ID)
		}
		if r, err := shopify.ParseRefund(body); err == nil {
			if r.OrderID == "" {
				t.Fatal("refund without an order id")
			}
			_ = r.Zero()
		}
		if c, err := shopify.ParseCustomer(shop, body); err == nil && c.ID == "" {
			t.Fatal("customer without an id")
		}
		_, _ = shopify.ParseCompliance(body)
		// Decoding does not keep or change the caller's bytes.
		before := bytes.Clone(body)
		_, _ = shopify.ParseOrder(shop, body)
		if !bytes.Equal(before, body) {
			t.Fatal("ParseOrder changed its input")
		}
	})
}
