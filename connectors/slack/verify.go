package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxSkew is how far a request's timestamp may be from now, either way.
const MaxSkew = 5 * time.Minute

// ErrBadSignature is every verification failure. It says nothing about why:
// slack-go's verifier puts the computed signature in its error, and echoing
// that would hand a caller a valid signature for the body they sent.
var ErrBadSignature = errors.New("slack: request signature is missing, stale or wrong")

// Verify checks X-Slack-Signature over the raw body with any of secrets
// (the current signing secret and, during a rotation, the previous one).
// The timestamp window is two explicit comparisons: slack-go's absolute
// value overflows for absurd future timestamps and lets them through.
func Verify(h http.Header, body []byte, secrets []string, now time.Time) error {
	tsHeader := h.Values("X-Slack-Request-Timestamp")
	sigHeader := h.Values("X-Slack-Signature")
	if len(tsHeader) != 1 || len(sigHeader) != 1 {
		return ErrBadSignature
	}
	ts := strings.TrimSpace(tsHeader[0])
	if ts == "" || ts[0] < '0' || ts[0] > '9' || len(ts) > 12 {
		return ErrBadSignature // empty, signed ("+1", "-1") or absurd
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	at := time.Unix(secs, 0)
	if at.Before(now.Add(-MaxSkew)) || at.After(now.Add(MaxSkew)) {
		return ErrBadSignature
	}
	sig := strings.TrimPrefix(strings.TrimSpace(sigHeader[0]), "v0=")
	got, err := hex.DecodeString(strings.ToLower(sig))
	if err != nil || len(got) != sha256.Size {
		return ErrBadSignature
	}
	ok := false
	for _, secret := range secrets {
		if secret == "" {
			continue // an empty key is a MAC anyone can compute
		}
		// Check every secret, not just until a match, so timing does not
		// tell which one matched.
		if hmac.Equal(got, Sign(secret, ts, body)) {
			ok = true
		}
	}
	if !ok {
		return ErrBadSignature
	}
	return nil
}

// Sign returns the raw HMAC-SHA256 Slack computes over "v0:ts:body" with
// the signing secret taken as its literal ASCII bytes.
func Sign(secret, ts string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return mac.Sum(nil)
}

// SignatureHeader is the X-Slack-Signature value for a request; tests and
// the demo sign what they send with it.
func SignatureHeader(secret, ts string, body []byte) string {
	return "v0=" + hex.EncodeToString(Sign(secret, ts, body))
}
