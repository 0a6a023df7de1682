package webhooks_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"hub/tickets"
	"hub/tickets/api"
	"hub/webhooks"
	"hub/webhooks/faulttest"
)

// A Postgres outage longer than a delivery's whole retry budget must not
// use the budget up: every acknowledged delivery is processed once the
// database is back, however long it was away. (Before, asynq archived each
// task after its last retry, the row stayed "received", and nothing ever
// processed it.)
func TestPostgresOutageLongerThanTheRetryBudget(t *testing.T) {
	proxy := faulttest.NewProxy(t, "localhost:5432")
	b := setup(t, setupOpts{pgProxy: proxy, maxRetry: 2, staleAfter: time.Second, sweepEvery: 200 * time.Millisecond})
	ctx := context.Background()
	var ids []int64
	for i := range 5 {
		d := intakeDelivery(fmt.Sprintf("outage-%d", i), "Parcel lost")
		if _, err := b.pipe.Accept(ctx, d); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}

	proxy.Refuse()
	b.startWorker(t)
	// Long enough for two retries with backoff (1 s, then 2 s, plus asynq's
	// second of padding each) to run out several times over.
	time.Sleep(12 * time.Second)
	archived, _ := b.insp.ListArchivedTasks(b.queue)
	if len(archived) > 0 {
		t.Errorf("%d tasks archived during the outage; an outage must not use up retries", len(archived))
	}
	proxy.Restore()

	waitFor(t, "every delivery processed after the outage", func() bool {
		for _, id := range ids {
			if deliveryStatus(t, b, id) != tickets.DeliveryProcessed {
				return false
			}
		}
		return true
	})
	if n := countTickets(t, b); n != len(ids) {
		t.Fatalf("%d tickets, want %d", n, len(ids))
	}
	for _, id := range ids {
		d, _ := b.store.GetDelivery(ctx, id)
		if d.Attempts != 1 {
			t.Errorf("delivery %d: %d attempts recorded, want 1 (waiting out an outage is not a try)", id, d.Attempts)
		}
	}
}

// Whatever state its task is in, a received delivery past its time gets
// processed: an archived task under its TaskID is cleared away.
func TestSweeperClearsAnArchivedTask(t *testing.T) {
	b := setup(t, setupOpts{staleAfter: 300 * time.Millisecond, sweepEvery: 100 * time.Millisecond})
	ctx := context.Background()
	d := intakeDelivery("archived-1", "Wrong size")
	if _, err := b.pipe.Accept(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := b.insp.ArchiveTask(b.queue, webhooks.DeliveryTaskID(d.ID)); err != nil {
		t.Fatalf("archive the task: %v", err)
	}
	b.startWorker(t)
	waitFor(t, "the delivery behind an archived task to be processed", func() bool {
		return deliveryStatus(t, b, d.ID) == tickets.DeliveryProcessed
	})
}

// One sweep enqueues every delivery that lost its task, not the oldest
// 500: recovery after a Redis loss runs at the workers' pace.
func TestOneSweepReachesEveryStaleDelivery(t *testing.T) {
	b := setup(t, setupOpts{})
	ctx := context.Background()
	const n = 1200
	for i := range n {
		if _, err := b.store.RecordDelivery(ctx, intakeDelivery(fmt.Sprintf("lost-%d", i), "Lost")); err != nil {
			t.Fatal(err)
		}
	}
	live := setupOn(t, b)
	time.Sleep(250 * time.Millisecond) // past live's StaleAfter
	if got := live.pipe.Sweep(ctx); got != n {
		t.Fatalf("one sweep enqueued %d deliveries, want all %d", got, n)
	}
	info, err := b.insp.GetQueueInfo(b.queue)
	if err != nil || info.Pending != n {
		t.Fatalf("queue holds %v pending (%v), want %d", info, err, n)
	}
	// A second sweep finds them queued and enqueues nothing twice.
	if got := live.pipe.Sweep(ctx); got != 0 {
		t.Errorf("second sweep enqueued %d", got)
	}
}

// A Redis that hangs instead of refusing must not hold a webhook's answer
// past the sender's patience (Shopify's is 5 s): the delivery is committed,
// the enqueue gives up quickly, and the sweeper enqueues it once Redis is
// back.
func TestHungRedisDoesNotHoldTheAnswer(t *testing.T) {
	rs := faulttest.StartRedis(t)
	hung := asynq.RedisClientOpt{Addr: rs.Addr()}
	b := setup(t, setupOpts{staleAfter: 300 * time.Millisecond, sweepEvery: 100 * time.Millisecond, queueRedis: &hung})
	accept := func(context.Context, string) (tickets.Actor, error) {
		return tickets.Actor{Kind: tickets.ActorAPIKey, ID: "key-1", Name: "test key"}, nil
	}
	srv := httptest.NewServer(b.pipe.ServeIntake(accept))
	defer srv.Close()

	rs.Freeze()
	frozen := time.Now()
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"subject":"Refund?","email":"ada@example.com"}`))
	req.Header.Set("Idempotency-Key", "hung-1")
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		rs.Thaw()
		t.Fatalf("no answer within Shopify's 5 s while Redis hangs: %v", err)
	}
	resp.Body.Close()
	took := time.Since(frozen)
	rs.Thaw()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d, want 202 (recorded, processed later)", resp.StatusCode)
	}
	t.Logf("answered in %v with Redis frozen", took)

	ds, err := b.store.ListDeliveries(context.Background(), tickets.DeliveryReceived, 10)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries recorded: %v, %v; want 1", ds, err)
	}
	// Redis answers again: the sweeper, enqueueing to the live queue, makes
	// sure it is processed.
	live := setupOn(t, b)
	live.startWorker(t)
	waitFor(t, "delivery processed after Redis thawed", func() bool {
		return deliveryStatus(t, b, ds[0].ID) == tickets.DeliveryProcessed
	})
}

// While a delivery is retried, its row says so: the tries so far, the last
// error and when the next is due (the API and `hub deliveries list` show
// them), instead of "received", 0 attempts and no error.
func TestDeliveryInRetryTellsTheTruth(t *testing.T) {
	b := setup(t, setupOpts{maxRetry: 5})
	b.pipe.Handle("test", webhooks.DecoderFunc(func(context.Context, tickets.Delivery) (webhooks.Decoded, error) {
		return webhooks.Decoded{}, errors.New("shopify: get order: 502 bad gateway")
	}))
	b.startWorker(t)
	d := &tickets.Delivery{Source: "test", Topic: "orders/create", Key: "retry-truth", Body: []byte(`{}`)}
	if _, err := b.pipe.Accept(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	var got tickets.Delivery
	waitFor(t, "the first retry to be recorded", func() bool {
		got, _ = b.store.GetDelivery(context.Background(), d.ID)
		return got.Attempts >= 1
	})
	j := api.DeliveryJSON(got)
	if j.Status != "received" || j.Error != "shopify: get order: 502 bad gateway" || j.NextAttempt == nil || !j.NextAttempt.After(j.ReceivedAt) {
		t.Errorf("delivery in retry shows %+v", j)
	}
}
