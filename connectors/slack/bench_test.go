package slack

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// BenchmarkRenderCard measures rendering one card with its JSON, what each
// card sync does before its one Slack call.
func BenchmarkRenderCard(b *testing.B) {
	d := sampleCard()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RenderCard(d).BlocksJSON(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures checking a request's signature, the only work
// besides recording on the receivers' request path.
func BenchmarkVerify(b *testing.B) {
	body := make([]byte, 4<<10)
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10)
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", SignatureHeader("secret", ts, body))
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(h, body, []string{"secret"}, now); err != nil {
			b.Fatal(err)
		}
	}
}
