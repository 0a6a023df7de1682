package woocommerce_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/hibiken/asynq"
	goredis "github.com/redis/go-redis/v9"

	wc "hub/connectors/woocommerce"
	"hub/connectors/woocommerce/wootest"
	"hub/tickets"
	"hub/tickets/postgres"
	"hub/tickets/postgres/pgtest"
	"hub/webhooks"
	woo "hub/webhooks/woocommerce"
)

const webhookSecret = "hub-chosen-Url_safe-secret-0123456789abcdefghij"

// bundle is a pipeline with the WooCommerce receiver and decoder on its own
// database and asynq queue, and a fake store (the env-configured one).
type bundle struct {
	store    *postgres.Store
	pipe     *webhooks.Pipeline
	stores   *woo.Stores
	shop     *wootest.Store
	hub      *httptest.Server
	client   *asynq.Client
	queue    string
	metrics  *woo.Metrics
	storeKey string
	rejected *rejections
}

// rejections records the reasons the receiver counts refusals under.
type rejections struct {
	mu      sync.Mutex
	reasons []string
}

func (r *rejections) Rejected(_ tickets.Source, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reasons = append(r.reasons, reason)
}

// last is the most recent reason, "" when none since the last call.
func (r *rejections) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reasons) == 0 {
		return ""
	}
	last := r.reasons[len(r.reasons)-1]
	r.reasons = nil
	return last
}

func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	b := &bundle{queue: "test-woo-" + randomHex(6), metrics: woo.NewMetrics(nil)}
	b.store = postgres.New(pgtest.New(t), postgres.Options{SecretKey: "test-secret-key-for-sealing-0123456789"})
	redis := asynq.RedisClientOpt{Addr: "localhost:6379"}
	b.client = asynq.NewClient(redis)
	insp := asynq.NewInspector(redis)
	t.Cleanup(func() {
		// Every key of the queue, not only its tasks (webhooks.RemoveQueue).
		rdb := redis.MakeRedisClient().(goredis.UniversalClient)
		_ = webhooks.RemoveQueue(context.Background(), rdb, b.queue)
		rdb.Close()
		insp.Close()
		b.client.Close()
	})
	b.pipe = webhooks.New(b.store, b.client, insp, webhooks.Options{Queue: b.queue, RelayEvery: 50 * time.Millisecond, MaxRetry: 3})

	b.shop = wootest.New()
	t.Cleanup(b.shop.Close)
	var err error
	b.stores, err = woo.NewStores(b.store, woo.StoresOptions{
		Env: &woo.EnvStore{URL: b.shop.URL(), ConsumerKey: b.shop.Key, ConsumerSecret: b.shop.Secret, WebhookSecret: webhookSecret},
	})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := wc.NormaliseStoreURL(b.shop.URL())
	b.storeKey = woo.KeyPrefix + key
	b.pipe.Handle(tickets.SourceWooCommerce, &woo.Decoder{Stores: b.stores})

	r := chi.NewRouter()
	b.rejected = &rejections{}
	r.Post(woo.Path, (&woo.Receiver{Pipeline: b.pipe, Stores: b.stores, Metrics: b.rejected}).ServeHTTP)
	b.hub = httptest.NewServer(r)
	t.Cleanup(b.hub.Close)
	_ = ctx
	return b
}

// subscribe registers the hub's webhooks on the fake store, as hub connect
// does (each creation pings the receiver).
func (b *bundle) subscribe(t *testing.T) {
	t.Helper()
	st, err := b.stores.Get(context.Background(), b.storeKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, topic := range wc.Topics {
		if _, err := st.Client.CreateWebhook(context.Background(), wc.Webhook{Name: "hub " + topic, Topic: topic,
			DeliveryURL: b.hub.URL + woo.Path, Secret: webhookSecret, Status: "active"}); err != nil {
			t.Fatal(err)
		}
	}
}

// startWorker processes the pipeline's tasks until the test ends.
func (b *bundle) startWorker(t *testing.T, register ...func(*asynq.ServeMux)) {
	t.Helper()
	srv := asynq.NewServer(asynq.RedisClientOpt{Addr: "localhost:6379"}, asynq.Config{
		Concurrency: 4, Queues: map[string]int{b.queue: 1},
		TaskCheckInterval: 20 * time.Millisecond, DelayedTaskCheckInterval: 100 * time.Millisecond,
		RetryDelayFunc: webhooks.RetryDelay, IsFailure: webhooks.IsFailure, LogLevel: asynq.FatalLevel,
		ShutdownTimeout: 5 * time.Second,
	})
	mux := asynq.NewServeMux()
	mux.Use(b.pipe.Middleware)
	b.pipe.Register(mux)
	for _, reg := range register {
		reg(mux)
	}
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.pipe.Run(ctx); close(done) }()
	t.Cleanup(func() { srv.Shutdown(); cancel(); <-done })
}

func (b *bundle) deliveries(t *testing.T) []tickets.Delivery {
	t.Helper()
	list, err := b.store.ListDeliveries(context.Background(), "", 500)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func (b *bundle) tickets(t *testing.T) []tickets.Ticket {
	t.Helper()
	list, _, err := b.store.ListTickets(context.Background(), tickets.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func randomHex(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
