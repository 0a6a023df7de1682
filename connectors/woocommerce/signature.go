package woocommerce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
)

// Webhook request headers (the code's names: the docs call the delivery id
// X-WC-Delivery-ID, which WooCommerce does not send).
const (
	HeaderSignature      = "X-WC-Webhook-Signature"
	HeaderSource         = "X-WC-Webhook-Source"
	HeaderTopic          = "X-WC-Webhook-Topic"
	HeaderResource       = "X-WC-Webhook-Resource"
	HeaderEvent          = "X-WC-Webhook-Event"
	HeaderWebhookID      = "X-WC-Webhook-ID"
	HeaderDeliveryID     = "X-WC-Webhook-Delivery-ID"
	HeaderDeliveryIDDocs = "X-WC-Delivery-ID"
)

// Sign returns the X-WC-Webhook-Signature WooCommerce computes for body:
// base64(HMAC-SHA256(secret, body)). The key is the secret exactly as
// entered; WooCommerce since 3.5 decodes the HTML-escaped copy it stores
// before hashing, so "a&b" signs as "a&b", never "a&amp;b".
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Verify reports whether signature is the valid signature of body under
// secret. An empty secret never verifies (anyone can compute that HMAC), and
// a signature that is not base64 of exactly 32 bytes is refused before
// comparing, in constant time.
func Verify(secret string, body []byte, signature string) bool {
	if secret == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signature))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

var pingBody = regexp.MustCompile(`^webhook_id=[0-9]{1,20}$`)

// IsPing reports whether body is the ping WooCommerce sends, unsigned, when
// a webhook is created or activated: a form body "webhook_id=N". The caller
// must also check that no signature header came with it.
func IsPing(body []byte) bool {
	return pingBody.Match(body)
}
