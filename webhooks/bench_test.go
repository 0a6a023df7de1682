package webhooks_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"hub/tickets"
)

// BenchmarkDeliveryToTicket measures one delivery's whole path against the
// real Postgres and Redis: record in the inbox, enqueue, the worker picks it
// up, decodes it, and commits the ticket. Deliveries go one at a time, so
// ns/op is the end-to-end latency an agent waits for.
//
//	go test -run '^$' -bench DeliveryToTicket -benchtime 200x ./webhooks/
func BenchmarkDeliveryToTicket(b *testing.B) {
	bd := setup(b, setupOpts{})
	bd.startWorker(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		d := intakeDelivery(fmt.Sprintf("bench-%d", i), "Where is my order #1001?")
		if _, err := bd.pipe.Accept(ctx, d); err != nil {
			b.Fatal(err)
		}
		for deliveryStatus(b, bd, d.ID) != tickets.DeliveryProcessed {
			time.Sleep(time.Millisecond)
		}
	}
}
