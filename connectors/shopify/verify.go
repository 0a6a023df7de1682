package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
)

// VerifyWebhook reports whether mac (the X-Shopify-Hmac-Sha256 header) is
// the base64 HMAC-SHA256 of the raw body under any of secrets. Several
// secrets cover a rotation, when Shopify may keep signing with the old
// secret for about an hour. Empty secrets are skipped: an HMAC keyed with ""
// can be computed by anyone. The comparison is on the decoded 32 bytes, in
// constant time.
func VerifyWebhook(body []byte, mac string, secrets ...string) bool {
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(mac))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	ok := false
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		h := hmac.New(sha256.New, []byte(secret))
		h.Write(body)
		// No early return: every secret is tried, so timing does not tell
		// which one matched.
		if hmac.Equal(got, h.Sum(nil)) {
			ok = true
		}
	}
	return ok
}

// SignWebhook returns the X-Shopify-Hmac-Sha256 value for body under
// secret, as Shopify computes it (for fakes and tests).
func SignWebhook(body []byte, secret string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// VerifyQuery reports whether the hmac parameter of an OAuth callback (or
// any admin link Shopify signs the same way) is the hex HMAC-SHA256, under
// any of secrets, of the other parameters sorted by name as k=v joined with
// '&' ("hmac" and the legacy "signature" left out).
func VerifyQuery(q url.Values, secrets ...string) bool {
	got, err := hex.DecodeString(q.Get("hmac"))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	msg := queryMessage(q)
	ok := false
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		h := hmac.New(sha256.New, []byte(secret))
		h.Write([]byte(msg))
		if hmac.Equal(got, h.Sum(nil)) {
			ok = true
		}
	}
	return ok
}

// SignQuery adds the hmac parameter Shopify would add to q (for fakes).
func SignQuery(q url.Values, secret string) {
	q.Del("hmac")
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(queryMessage(q)))
	q.Set("hmac", hex.EncodeToString(h.Sum(nil)))
}

func queryMessage(q url.Values) string {
	c := url.Values{}
	for k, v := range q {
		if k != "hmac" && k != "signature" {
			c[k] = v
		}
	}
	// Encode sorts by key; Shopify signs the unescaped form.
	msg, err := url.QueryUnescape(c.Encode())
	if err != nil {
		return c.Encode()
	}
	return msg
}
