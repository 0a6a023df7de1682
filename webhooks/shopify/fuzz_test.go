package shopify_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hub/tickets"
	"hub/webhooks"
	"hub/webhooks/shopify"
)

// fuzzTopics are the topics the decoder turns into commands without a
// call to the shop's API (refunds/create fetches its order; the refund
// body's decoder is fuzzed in connectors/shopify).
var fuzzTopics = []string{
	"orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled",
	"customers/create", "customers/update", "customers/redact", "customers/data_request", "shop/redact",
}

// FuzzDecode feeds any body under every such topic to the decoder: it
// never panics; a body it cannot read is a permanent failure (retrying
// the same bytes cannot help); and a ticket it opens is one the domain
// accepts, so that no order event is dropped at the last step.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("../../connectors/shopify/shopifytest/testdata/webhooks/*.json")
	if len(files) == 0 {
		f.Fatal("no recorded webhooks")
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		topic := strings.Replace(strings.TrimSuffix(filepath.Base(p), ".json"), "_", "/", 1)
		for i, t := range fuzzTopics {
			if t == topic || strings.HasPrefix(topic, t) {
				f.Add(b, uint8(i))
			}
		}
		f.Add(b, uint8(0))
	}
	open, _ := shopify.ParseOpenTickets("")
	dec := shopify.NewDecoder(nil, nil, open, nil)
	f.Fuzz(func(t *testing.T, body []byte, topic uint8) {
		d := tickets.Delivery{
			ID: 1, Source: tickets.SourceShopify, Tenant: "acme.myshopify.com",
			Topic: fuzzTopics[int(topic)%len(fuzzTopics)], Key: "acme.myshopify.com:wh-1",
			Headers: map[string]string{"X-Shopify-Triggered-At": "2026-12-01T10:00:00Z"}, Body: body,
			ReceivedAt: time.Date(2026, 12, 1, 10, 0, 1, 0, time.UTC),
		}
		out, err := dec.Decode(context.Background(), d)
		if err != nil {
			if !webhooks.IsPermanent(err) {
				t.Fatalf("%s: a bad body is a retryable error: %v", d.Topic, err)
			}
			return
		}
		for _, c := range out.Commands {
			ch, ok := c.(tickets.OrderChanged)
			if !ok || ch.Open == nil {
				continue
			}
			nt := *ch.Open
			if err := tickets.ValidateNewTicket(&nt); err != nil {
				t.Fatalf("%s: the ticket the order opens is refused: %v\n%+v", d.Topic, err, *ch.Open)
			}
		}
	})
}
