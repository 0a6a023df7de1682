package webhooks_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"hub/tickets"
	"hub/tickets/postgres"
	"hub/tickets/postgres/pgtest"
	"hub/webhooks"
	"hub/webhooks/faulttest"
)

// bundle is one pipeline on its own database and its own asynq queue, so
// tests (and test packages) never pick up each other's tasks.
type bundle struct {
	store  *postgres.Store
	pipe   *webhooks.Pipeline
	client *asynq.Client
	insp   *asynq.Inspector
	redis  asynq.RedisClientOpt
	queue  string
	dbURL  string
}

type setupOpts struct {
	redisDB    int
	redisAddr  string // default: the machine's Redis
	staleAfter time.Duration
	sweepEvery time.Duration
	maxRetry   int                   // default 3
	queueRedis *asynq.RedisClientOpt // where the pipeline enqueues (default: redis)
	// pgProxy, when set, is the way the store reaches Postgres, so that a
	// test can take the database away.
	pgProxy *faulttest.Proxy
}

func setup(t testing.TB, o setupOpts) *bundle {
	t.Helper()
	dbURL := pgtest.URL(t)
	storeURL := dbURL
	if o.pgProxy != nil {
		u, _ := url.Parse(dbURL)
		u.Host = o.pgProxy.Addr()
		q := u.Query()
		q.Set("connect_timeout", "2")
		u.RawQuery = q.Encode()
		storeURL = u.String()
	}
	pool, err := pgxpool.New(context.Background(), storeURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if o.redisAddr == "" {
		o.redisAddr = "localhost:6379"
	}
	if o.maxRetry == 0 {
		o.maxRetry = 3
	}
	b := &bundle{
		store: postgres.New(pool, postgres.Options{}),
		redis: asynq.RedisClientOpt{Addr: o.redisAddr, DB: o.redisDB},
		queue: "test-" + randomHex(6),
		dbURL: dbURL,
	}
	b.client = asynq.NewClient(b.redis)
	b.insp = asynq.NewInspector(b.redis)
	t.Cleanup(func() {
		// Every key of the queue, not only its tasks: a test's dead worker
		// leaves an active task that DeleteQueue refuses.
		rdb := b.redis.MakeRedisClient().(redis.UniversalClient)
		_ = webhooks.RemoveQueue(context.Background(), rdb, b.queue)
		rdb.Close()
		b.client.Close()
		b.insp.Close()
	})
	var q webhooks.Queue = b.client
	if o.queueRedis != nil {
		qc := asynq.NewClient(*o.queueRedis)
		t.Cleanup(func() { qc.Close() })
		q = qc
	}
	b.pipe = webhooks.New(b.store, q, b.insp, webhooks.Options{
		Queue:         b.queue,
		StaleAfter:    o.staleAfter,
		SweepEvery:    o.sweepEvery,
		RelayEvery:    50 * time.Millisecond,
		MaxRetry:      o.maxRetry,
		IsUnavailable: postgres.IsUnavailable,
		Marks:         redisMarks{redis.NewClient(&redis.Options{Addr: o.redisAddr, DB: o.redisDB})},
	})
	b.pipe.Handle(tickets.SourceZapier, webhooks.IntakeDecoder())
	return b
}

// startWorker runs an asynq server and the relay/sweeper for b's queue until
// the test ends or stop is called.
func (b *bundle) startWorker(t testing.TB) (stop func()) {
	t.Helper()
	srv := asynq.NewServer(b.redis, asynq.Config{
		Concurrency:              4,
		Queues:                   map[string]int{b.queue: 1},
		TaskCheckInterval:        20 * time.Millisecond,
		DelayedTaskCheckInterval: 100 * time.Millisecond,
		RetryDelayFunc:           webhooks.RetryDelay,
		IsFailure:                webhooks.IsFailure,
		LogLevel:                 asynq.FatalLevel,
		ShutdownTimeout:          5 * time.Second,
	})
	mux := asynq.NewServeMux()
	mux.Use(b.pipe.Middleware)
	b.pipe.Register(mux)
	if err := srv.Start(mux); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.pipe.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			srv.Shutdown()
			cancel()
			<-done
		})
	}
	t.Cleanup(stop)
	return stop
}

// redisMarks is the hub's take-over marks, as cmd/hub keeps them.
type redisMarks struct{ rdb *redis.Client }

func (m redisMarks) Mark(ctx context.Context, key string, ttl time.Duration) error {
	return m.rdb.Set(ctx, key, 1, ttl).Err()
}

func (m redisMarks) Marked(ctx context.Context, key string) (bool, error) {
	n, err := m.rdb.Exists(ctx, key).Result()
	return n > 0, err
}

func randomHex(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
}

// waitFor polls cond until it holds; the generous limit is for slow shared
// machines, and a passing test never waits it out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitLong(t, 60*time.Second, what, cond)
}

func waitLong(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func intakeDelivery(key, subject string) *tickets.Delivery {
	return &tickets.Delivery{
		Source:  tickets.SourceZapier,
		Tenant:  "key-1",
		Topic:   "ticket.create",
		Key:     "key-1:" + key,
		Headers: map[string]string{"Idempotency-Key": key, "X-Actor": "key-1", "X-Actor-Name": "test key"},
		Body:    []byte(fmt.Sprintf(`{"subject":%q,"customer":{"email":"ada@example.com","name":"Ada"},"priority":"high"}`, subject)),
	}
}

func deliveryStatus(t testing.TB, b *bundle, id int64) tickets.DeliveryStatus {
	t.Helper()
	d, err := b.store.GetDelivery(context.Background(), id)
	if err != nil {
		t.Fatalf("get delivery %d: %v", id, err)
	}
	return d.Status
}

func countTickets(t *testing.T, b *bundle) int {
	t.Helper()
	list, _, err := b.store.ListTickets(context.Background(), tickets.Filter{Limit: 100})
	if err != nil {
		t.Fatalf("list tickets: %v", err)
	}
	return len(list)
}

func TestSameDeliveryTwiceAtOnceMakesOneTicket(t *testing.T) {
	b := setup(t, setupOpts{})
	ctx := context.Background()

	const n = 20
	var wg sync.WaitGroup
	dups := make([]bool, n)
	ids := make([]int64, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := intakeDelivery("same-key", "Where is my parcel?")
			dups[i], errs[i] = b.pipe.Accept(ctx, d)
			ids[i] = d.ID
		}()
	}
	wg.Wait()
	fresh := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("accept %d: %v", i, errs[i])
		}
		if !dups[i] {
			fresh++
		}
		if ids[i] != ids[0] {
			t.Errorf("accept %d recorded delivery %d, want the same id %d", i, ids[i], ids[0])
		}
	}
	if fresh != 1 {
		t.Fatalf("%d deliveries recorded as new, want exactly 1", fresh)
	}

	b.startWorker(t)
	waitFor(t, "delivery processed", func() bool { return deliveryStatus(t, b, ids[0]) == tickets.DeliveryProcessed })
	// Run the task again by hand, as a duplicate asynq task would: nothing changes.
	if err := b.pipe.HandleDelivery(ctx, asynq.NewTask(webhooks.TypeDeliveryProcess, []byte(fmt.Sprint(ids[0])))); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if got := countTickets(t, b); got != 1 {
		t.Fatalf("%d tickets, want 1", got)
	}
}

func TestRedisFlushedBetweenRecordAndProcess(t *testing.T) {
	// A Redis database of its own, since this test flushes it.
	b := setup(t, setupOpts{redisDB: 14, staleAfter: 300 * time.Millisecond, sweepEvery: 100 * time.Millisecond})
	ctx := context.Background()
	d := intakeDelivery("flush-me", "Refund please")
	if _, err := b.pipe.Accept(ctx, d); err != nil {
		t.Fatal(err)
	}
	// The task is in Redis; then Redis loses everything.
	if _, err := b.insp.GetTaskInfo(b.queue, webhooks.DeliveryTaskID(d.ID)); err != nil {
		t.Fatalf("task should be queued before the flush: %v", err)
	}
	flushRedis(t, b.redis)
	if _, err := b.insp.GetTaskInfo(b.queue, webhooks.DeliveryTaskID(d.ID)); err == nil {
		t.Fatal("task still in Redis after the flush")
	}

	b.startWorker(t)
	waitFor(t, "sweeper to recover the delivery", func() bool { return deliveryStatus(t, b, d.ID) == tickets.DeliveryProcessed })
	if got := countTickets(t, b); got != 1 {
		t.Fatalf("%d tickets, want 1", got)
	}
}

func TestRedisDownAtIntakeLosesNothing(t *testing.T) {
	dead := asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond}
	b := setup(t, setupOpts{staleAfter: 200 * time.Millisecond, sweepEvery: 100 * time.Millisecond, queueRedis: &dead})
	ctx := context.Background()
	d := intakeDelivery("redis-down", "Damaged item")
	dup, err := b.pipe.Accept(ctx, d)
	if err != nil || dup {
		t.Fatalf("Accept with Redis down = (dup %v, %v); want recorded without error", dup, err)
	}
	if st := deliveryStatus(t, b, d.ID); st != tickets.DeliveryReceived {
		t.Fatalf("status %s, want received", st)
	}
	// Redis comes back: a pipeline enqueueing to the live Redis sweeps it up.
	live := setupOn(t, b)
	live.startWorker(t)
	waitFor(t, "delivery processed after Redis returns", func() bool { return deliveryStatus(t, b, d.ID) == tickets.DeliveryProcessed })
	if got := countTickets(t, b); got != 1 {
		t.Fatalf("%d tickets, want 1", got)
	}
}

// setupOn is a second pipeline on b's database, queue and live Redis.
func setupOn(t *testing.T, b *bundle) *bundle {
	c := *b
	c.pipe = webhooks.New(b.store, b.client, b.insp, webhooks.Options{
		Queue: b.queue, StaleAfter: 200 * time.Millisecond, SweepEvery: 100 * time.Millisecond, RelayEvery: 50 * time.Millisecond,
		EnqueueTimeout: 5 * time.Second, // a slow shared machine must not fail an enqueue here
	})
	c.pipe.Handle(tickets.SourceZapier, webhooks.IntakeDecoder())
	return &c
}

func TestMalformedDeliveryFailsWithReasonAndReplays(t *testing.T) {
	b := setup(t, setupOpts{})
	ctx := context.Background()
	var fixed sync.Mutex
	broken := true
	b.pipe.Handle("test", webhooks.DecoderFunc(func(ctx context.Context, d tickets.Delivery) (webhooks.Decoded, error) {
		fixed.Lock()
		defer fixed.Unlock()
		if broken {
			return webhooks.Decoded{}, webhooks.Permanent(errors.New("order payload has no id"))
		}
		return webhooks.Decoded{Commands: []tickets.Command{tickets.NewTicket{Subject: "Fixed", Source: tickets.SourceAPI, ExternalRef: "replayed"}}}, nil
	}))
	b.startWorker(t)
	d := &tickets.Delivery{Source: "test", Topic: "orders/create", Key: "m-1", Body: []byte(`{}`)}
	if _, err := b.pipe.Accept(ctx, d); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "delivery failed", func() bool { return deliveryStatus(t, b, d.ID) == tickets.DeliveryFailed })
	got, _ := b.store.GetDelivery(ctx, d.ID)
	if got.Error != "order payload has no id" {
		t.Errorf("failure reason %q", got.Error)
	}
	if n := countTickets(t, b); n != 0 {
		t.Fatalf("a failed delivery made %d tickets", n)
	}

	fixed.Lock()
	broken = false
	fixed.Unlock()
	if _, err := b.pipe.Replay(ctx, d.ID); err != nil {
		t.Fatalf("replay: %v", err)
	}
	waitFor(t, "replayed delivery processed", func() bool { return deliveryStatus(t, b, d.ID) == tickets.DeliveryProcessed })
	if n := countTickets(t, b); n != 1 {
		t.Fatalf("%d tickets after replay, want 1", n)
	}
}

// rateLimited is a vendor error carrying Retry-After, as connectors return.
type rateLimited struct{ after time.Duration }

func (e rateLimited) Error() string             { return "429 too many requests" }
func (e rateLimited) RetryAfter() time.Duration { return e.after }

func TestRetryAfterDelaysWithoutUsingARetry(t *testing.T) {
	b := setup(t, setupOpts{})
	ctx := context.Background()
	var mu sync.Mutex
	var calls []time.Time
	b.pipe.Handle("test", webhooks.DecoderFunc(func(ctx context.Context, d tickets.Delivery) (webhooks.Decoded, error) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, time.Now())
		if len(calls) <= 4 { // more throttles than MaxRetry (3) allows failures
			return webhooks.Decoded{}, fmt.Errorf("shopify: get order: %w", rateLimited{time.Second})
		}
		return webhooks.Decoded{Ignore: "nothing to do"}, nil
	}))
	b.startWorker(t)
	d := &tickets.Delivery{Source: "test", Topic: "orders/updated", Key: "ra-1", Body: []byte(`{}`)}
	if _, err := b.pipe.Accept(ctx, d); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "delivery done after throttling", func() bool { return deliveryStatus(t, b, d.ID) == tickets.DeliveryIgnored })
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(calls); i++ {
		if gap := calls[i].Sub(calls[i-1]); gap < time.Second {
			t.Errorf("attempt %d came %v after the previous one; Retry-After asked for 1s", i+1, gap)
		}
	}
}

func TestRetryDelayAndIsFailure(t *testing.T) {
	throttled := fmt.Errorf("wrapped: %w", rateLimited{3 * time.Second})
	tests := []struct {
		name      string
		n         int
		err       error
		min, max  time.Duration
		isFailure bool
	}{
		{"retry-after honoured", 0, throttled, 4 * time.Second, 4 * time.Second, false},
		{"retry-after capped at an hour", 0, rateLimited{5 * time.Hour}, time.Hour + time.Second, time.Hour + time.Second, false},
		{"lease expired retries at once", 4, asynq.ErrLeaseExpired, time.Second, time.Second, true},
		{"first backoff", 0, errors.New("boom"), 500 * time.Millisecond, time.Second, true},
		{"backoff grows", 3, errors.New("boom"), 4 * time.Second, 8 * time.Second, true},
		{"backoff capped", 30, errors.New("boom"), 5 * time.Minute, 10 * time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := webhooks.RetryDelay(tt.n, tt.err, nil)
			if d < tt.min || d > tt.max {
				t.Errorf("RetryDelay = %v, want within [%v, %v]", d, tt.min, tt.max)
			}
			if got := webhooks.IsFailure(tt.err); got != tt.isFailure {
				t.Errorf("IsFailure = %v, want %v", got, tt.isFailure)
			}
		})
	}
}

func flushRedis(t *testing.T, opt asynq.RedisClientOpt) {
	t.Helper()
	rc := redis.NewClient(&redis.Options{Addr: opt.Addr, DB: opt.DB})
	defer rc.Close()
	if err := rc.FlushDB(context.Background()).Err(); err != nil {
		t.Fatalf("flush redis: %v", err)
	}
}

func TestWait(t *testing.T) {
	cause := errors.New("channel paced")
	err := webhooks.Wait(2*time.Second, cause)
	if d, ok := webhooks.RetryAfterOf(err); !ok || d != 2*time.Second || !errors.Is(err, cause) || webhooks.IsFailure(err) {
		t.Errorf("Wait(2s): RetryAfterOf = %v %v, wraps cause %v, IsFailure %v", d, ok, errors.Is(err, cause), webhooks.IsFailure(err))
	}
	if err := webhooks.Wait(0, cause); err != cause || !webhooks.IsFailure(err) {
		t.Errorf("Wait(0) = %v: want the cause itself, an ordinary failure", err)
	}
}
