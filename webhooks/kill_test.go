package webhooks_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"

	"hub/tickets"
	"hub/tickets/postgres"
	"hub/webhooks"
)

// TestWorkerChild is the worker that TestWorkerKilledMidTask runs in a child
// process and kills with SIGKILL while it holds a task.
func TestWorkerChild(t *testing.T) {
	if os.Getenv("HUB_TEST_CHILD_DB") == "" {
		t.Skip("runs only as the child process of TestWorkerKilledMidTask")
	}
	pool, err := pgxpool.New(context.Background(), os.Getenv("HUB_TEST_CHILD_DB"))
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle{
		store: postgres.New(pool, postgres.Options{}),
		redis: asynq.RedisClientOpt{Addr: "localhost:6379"},
		queue: os.Getenv("HUB_TEST_CHILD_QUEUE"),
	}
	b.client = asynq.NewClient(b.redis)
	b.pipe = webhooks.New(b.store, b.client, nil, webhooks.Options{Queue: b.queue})
	marker := os.Getenv("HUB_TEST_CHILD_MARKER")
	b.pipe.Handle("test", webhooks.DecoderFunc(func(ctx context.Context, d tickets.Delivery) (webhooks.Decoded, error) {
		_ = os.WriteFile(marker, []byte("started"), 0o600)
		select {} // hold the task until the parent kills this process
	}))
	b.startWorker(t)
	select {}
}

// A worker killed while it holds a task: the sweeper takes the task over
// once its lease has expired (about 35 s), rather than leaving it to
// asynq's own recovery (about two minutes), and it is applied once.
func TestWorkerKilledMidTask(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the dead worker's lease to expire (about 35 s)")
	}
	b := setup(t, setupOpts{sweepEvery: 500 * time.Millisecond})
	ctx := context.Background()
	d := &tickets.Delivery{Source: "test", Topic: "orders/create", Key: "kill-1", Body: []byte(`{}`)}
	if _, err := b.pipe.Accept(ctx, d); err != nil {
		t.Fatal(err)
	}

	marker := filepath.Join(t.TempDir(), "started")
	child := exec.Command(os.Args[0], "-test.run=^TestWorkerChild$")
	child.Env = append(os.Environ(),
		"HUB_TEST_CHILD_DB="+b.dbURL, "HUB_TEST_CHILD_QUEUE="+b.queue, "HUB_TEST_CHILD_MARKER="+marker)
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "child worker to pick up the task", func() bool { _, err := os.Stat(marker); return err == nil })
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()

	if st := deliveryStatus(t, b, d.ID); st != tickets.DeliveryReceived {
		t.Fatalf("after the kill the delivery is %s, want still received", st)
	}
	if n := countTickets(t, b); n != 0 {
		t.Fatalf("the killed worker left %d tickets", n)
	}

	// A healthy worker takes over once asynq sees the dead worker's lease
	// expire, and the delivery is processed exactly once.
	var runBy atomic.Value
	b.pipe.Handle("test", webhooks.DecoderFunc(func(ctx context.Context, d tickets.Delivery) (webhooks.Decoded, error) {
		id, _ := asynq.GetTaskID(ctx)
		runBy.Store(id)
		return webhooks.Decoded{Commands: []tickets.Command{tickets.NewTicket{
			Subject: "Order never arrived", Source: tickets.SourceAPI, ExternalRef: "kill-1",
			Customer: tickets.CustomerInput{Email: "kim@example.com"},
		}}}, nil
	}))
	b.startWorker(t)
	waitLong(t, 4*time.Minute, "the orphaned task to be recovered", func() bool {
		return deliveryStatus(t, b, d.ID) == tickets.DeliveryProcessed
	})
	if n := countTickets(t, b); n != 1 {
		t.Fatalf("%d tickets, want 1", n)
	}
	if id, _ := runBy.Load().(string); id != webhooks.DeliveryTaskID(d.ID)+"~r" {
		t.Errorf("processed by task %q; want the sweeper's take-over %q", id, webhooks.DeliveryTaskID(d.ID)+"~r")
	}
}
