package woocommerce_test

import (
	"testing"

	"hub/connectors/woocommerce"
	"hub/connectors/woocommerce/wootest"
)

// BenchmarkVerifyAndParse is the receiver's CPU work per delivery: the
// signature over the raw body, then the identity for the business key and
// the full order for the decoder.
func BenchmarkVerifyAndParse(b *testing.B) {
	body := wootest.Recorded("order_1234.json")
	sig := woocommerce.Sign("secret", body)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if !woocommerce.Verify("secret", body, sig) {
			b.Fatal("not verified")
		}
		if _, err := woocommerce.ParseIdentity(body, "order"); err != nil {
			b.Fatal(err)
		}
		if _, err := woocommerce.ParseOrder(body); err != nil {
			b.Fatal(err)
		}
	}
}
