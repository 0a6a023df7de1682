package bench

import "testing"

// The check finds each delivery and ticket by the number the traffic put
// into what the hub stores; a pattern that misses makes every delivery
// look lost.
func TestBenchIDsRoundTrip(t *testing.T) {
	tr := newTraffic(map[string]int{Zapier: 1}, 0, "key", "http://127.0.0.1:1", "orders/cancelled")
	for _, tc := range []struct {
		source, key, ref string
	}{
		{Zapier, "k1:bench-z-42", "bench-z-42"},
		{Shopify, benchShop + ":bench-wh-42", "shopify:" + benchShop + "/orders/91000000042/cancelled"},
		{WooCommerce, "woocommerce:127.0.0.1:1|order|820000042|2026-12-02T10:00:00Z", "order:woocommerce:127.0.0.1:1/820000042:failed@2026-12-02T10:00:00Z"},
		{Slack, "EvBench42", ""},
	} {
		if q := tr.make(tc.source, 42); q.source != tc.source || q.id != 42 {
			t.Errorf("%s: made %+v", tc.source, q)
		}
		if id, ok := benchID(keyID, tc.source, tc.key); !ok || id != 42 {
			t.Errorf("%s key %q: id %d, %v; want 42", tc.source, tc.key, id, ok)
		}
		if tc.ref == "" {
			continue
		}
		if id, ok := benchID(refID, tc.source, tc.ref); !ok || id != 42 {
			t.Errorf("%s ref %q: id %d, %v; want 42", tc.source, tc.ref, id, ok)
		}
	}
}
