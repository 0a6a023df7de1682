package shopify_test

import (
	"net/url"
	"testing"
	"time"

	"hub/connectors/shopify"
)

// Vectors from PROTOCOLS.md §1.9 (go-shopify's test suite and Shopify's old
// OAuth docs, recomputed with openssl).
func TestVerifyWebhookVectors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		body    string
		mac     string
		secrets []string
		want    bool
	}{
		{"go-shopify vector", `"my secret message"`, "hMTq0K2x7oyOjoBwGYeTj5oxfnaVYXzbanUG9aajpKI=", []string{"hush"}, true},
		{"unquoted body is another message", `my secret message`, "hMTq0K2x7oyOjoBwGYeTj5oxfnaVYXzbanUG9aajpKI=", []string{"hush"}, false},
		{"unquoted body's own mac", `my secret message`, "7/WDe43pNWxHoCMD7ukeWbZMtWEMfYQy8wPrdA6jiwc=", []string{"hush"}, true},
		{"hub vector", `{"id":123,"status":"processing"}`, "B9hlg31/1rziGTxezLgnXEkQy5XcblePKxsvn+lSTME=", []string{"whsec_test_123"}, true},
		{"previous secret during a rotation", `{"id":123,"status":"processing"}`, "B9hlg31/1rziGTxezLgnXEkQy5XcblePKxsvn+lSTME=", []string{"new-secret", "whsec_test_123"}, true},
		{"wrong secret", `{"id":123,"status":"processing"}`, "B9hlg31/1rziGTxezLgnXEkQy5XcblePKxsvn+lSTME=", []string{"other"}, false},
		{"empty secret never verifies", ``, shopify.SignWebhook(nil, ""), []string{""}, false},
		{"empty secret with a body", `{"id":1}`, shopify.SignWebhook([]byte(`{"id":1}`), ""), []string{"", ""}, false},
		{"no secrets", `{"id":1}`, shopify.SignWebhook([]byte(`{"id":1}`), "x"), nil, false},
		{"missing header", `{"id":1}`, "", []string{"x"}, false},
		{"not base64", `{"id":1}`, "not-base64!!", []string{"x"}, false},
		{"truncated mac", `{"id":123,"status":"processing"}`, "B9hlg31/1rziGTxezLgnXEkQy5Xc", []string{"whsec_test_123"}, false},
		{"hex instead of base64", `"my secret message"`, "84c4ead0adb1ee8c8e8e80701987939e31f676a5617cdb6a7506f5a6a3a4a2a2", []string{"hush"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shopify.VerifyWebhook([]byte(tc.body), tc.mac, tc.secrets...); got != tc.want {
				t.Errorf("VerifyWebhook = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestVerifyQueryVectors(t *testing.T) {
	base := "code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&timestamp=1337178173"
	for _, tc := range []struct {
		name, query string
		secrets     []string
		want        bool
	}{
		{"docs vector", base + "&hmac=4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20", []string{"hush"}, true},
		{"legacy signature is left out", base + "&signature=11813d1e7bbf4629edcda0628a3f7a20&hmac=4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20", []string{"hush"}, true},
		{"with state", base + "&state=abcd&hmac=7db6973c2aff68295ebcf354c2ce528a6b09aef1146baafccc2e0b369fff5f6d", []string{"hush"}, true},
		{"state changed", base + "&state=abce&hmac=7db6973c2aff68295ebcf354c2ce528a6b09aef1146baafccc2e0b369fff5f6d", []string{"hush"}, false},
		{"previous secret", base + "&hmac=4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20", []string{"rotated", "hush"}, true},
		{"empty secret", base + "&hmac=4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20", []string{""}, false},
		{"no hmac", base, []string{"hush"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if got := shopify.VerifyQuery(q, tc.secrets...); got != tc.want {
				t.Errorf("VerifyQuery = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheckCallback(t *testing.T) {
	now := time.Unix(1337178173, 0).Add(time.Minute)
	signed := func(mut func(url.Values)) url.Values {
		q := url.Values{"code": {"abc"}, "shop": {"acme.myshopify.com"}, "state": {"s1"}, "timestamp": {"1337178173"}}
		mut(q)
		shopify.SignQuery(q, "hush")
		return q
	}
	for _, tc := range []struct {
		name string
		q    url.Values
		ok   bool
	}{
		{"good", signed(func(url.Values) {}), true},
		{"foreign host", signed(func(q url.Values) { q.Set("shop", "evil.example/myshopify.com") }), false},
		{"too old", signed(func(q url.Values) { q.Set("timestamp", "1337170000") }), false},
		{"no code", signed(func(q url.Values) { q.Del("code") }), false},
		{"tampered after signing", func() url.Values { q := signed(func(url.Values) {}); q.Set("code", "other"); return q }(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shop, code, err := shopify.CheckCallback(tc.q, 10*time.Minute, now, "hush")
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok %v", err, tc.ok)
			}
			if tc.ok && (shop != "acme.myshopify.com" || code != "abc") {
				t.Errorf("shop %q code %q", shop, code)
			}
		})
	}
}

func TestShopDomains(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"acme.myshopify.com", true},
		{"acme-2.myshopify.com", true},
		{"0shop.myshopify.com", true},
		{"Acme.myshopify.com", false}, // Shopify sends lower case; anything else is not from it
		{"-acme.myshopify.com", false},
		{"evil.example/myshopify.com", false},
		{"myshopify.com.evil.example", false},
		{"acme.myshopify.com.evil.example", false},
		{"acme.myshopify.com/admin", false},
		{"https://acme.myshopify.com", false},
		{"acme.evil.myshopify.com", false},
		{"acme.myshopify.com\n", false},
		{"", false},
	} {
		if got := shopify.ValidShop(tc.in); got != tc.want {
			t.Errorf("ValidShop(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	for in, want := range map[string]string{
		"Acme": "acme.myshopify.com", " https://ACME.myshopify.com/ ": "acme.myshopify.com", "acme.myshopify.com": "acme.myshopify.com",
	} {
		if got, ok := shopify.NormaliseShop(in); !ok || got != want {
			t.Errorf("NormaliseShop(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := shopify.NormaliseShop("evil.example"); ok {
		t.Error("NormaliseShop accepted a foreign domain")
	}
}
