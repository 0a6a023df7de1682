package zapier_test

import (
	"fmt"
	"testing"

	"hub/tickets"
	"hub/webhooks/zapier"
)

// BenchmarkDeliverToTenHooks measures one zapier:deliver task end to end:
// load the event and ticket, render the payload, and for each of 10 hooks
// claim, POST to a local fake Zapier and record the delivery.
func BenchmarkDeliverToTenHooks(b *testing.B) {
	bb := setup(b)
	for i := range 10 {
		bb.subscribe(b, fmt.Sprint("h", i), tickets.EventCreated, "")
	}
	events := make([]tickets.Event, b.N)
	for i := range b.N {
		tk := bb.create(b, "Where is my order?", "ada@example.com")
		list, err := bb.store.ListEvents(bb.ctx, tk.ID)
		if err != nil {
			b.Fatal(err)
		}
		events[i] = list[0]
	}
	b.ResetTimer()
	for i := range b.N {
		if err := bb.svc.ProcessDeliver(bb.ctx, zapier.NewDeliverTask(events[i].ID, events[i].Type)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if got := len(bb.fake.Received("h0")); got != b.N {
		b.Fatalf("h0 got %d posts, want %d", got, b.N)
	}
}

// BenchmarkSampleList measures GET /api/v1/events?limit=10 (performList).
func BenchmarkSampleList(b *testing.B) {
	bb := setup(b)
	for range 10 {
		bb.create(b, "Where is my order?", "ada@example.com")
	}
	b.ResetTimer()
	for range b.N {
		var list []zapier.Payload
		if code := bb.call(b, "GET", "/api/v1/events?event=ticket.created&limit=10", "", "", &list); code != 200 || len(list) != 10 {
			b.Fatalf("%d, %d items", code, len(list))
		}
	}
}
