package shopify_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"hub/connectors/shopify"
	"hub/connectors/shopify/shopifytest"
	"hub/tickets"
	"hub/tickets/postgres"
	"hub/tickets/postgres/pgtest"
	"hub/webhooks"
	whshopify "hub/webhooks/shopify"
)

const (
	shop      = "acme.myshopify.com"
	appKey    = "test-client-id"
	appSecret = "test-app-secret"
	oldSecret = "test-app-secret-before-rotation"
)

// bundle is a Shopify front door on its own database and asynq queue, with
// a fake Shopify behind SHOPIFY_API_BASE_URL.
type bundle struct {
	pool     *pgxpool.Pool
	store    *postgres.Store
	pipe     *webhooks.Pipeline
	shops    *whshopify.Shops
	fake     *shopifytest.Server
	hub      *httptest.Server
	rejected *rejections
	queue    string
	redis    asynq.RedisClientOpt
	client   *asynq.Client
	seq      int
}

type rejections struct {
	mu      sync.Mutex
	reasons []string
}

func (r *rejections) Rejected(_ tickets.Source, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reasons = append(r.reasons, reason)
}

func (r *rejections) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reasons) == 0 {
		return ""
	}
	return r.reasons[len(r.reasons)-1]
}

type setupOpts struct {
	appSecret string            // default appSecret; "-" for none
	open      map[string]bool   // default all
	envShop   bool              // connect shop from the environment instead of the store
	connect   map[string]string // extra secrets on the stored connection
	now       func() time.Time  // the hub's clock (default time.Now)
}

func setup(t *testing.T, o setupOpts) *bundle {
	t.Helper()
	b := &bundle{rejected: &rejections{}, redis: asynq.RedisClientOpt{Addr: "localhost:6379"}}
	b.pool = pgtest.New(t)
	b.store = postgres.New(b.pool, postgres.Options{SecretKey: "test-hub-secret-key-0123456789"})
	b.fake = shopifytest.New(appKey, appSecret)
	t.Cleanup(b.fake.Close)
	b.fake.AddShop(shop, "shpat_acme")

	b.queue = "shopify-test-" + randomHex(6)
	b.client = asynq.NewClient(b.redis)
	insp := asynq.NewInspector(b.redis)
	t.Cleanup(func() {
		// Every key of the queue, not only its tasks (webhooks.RemoveQueue).
		rdb := b.redis.MakeRedisClient().(redis.UniversalClient)
		_ = webhooks.RemoveQueue(context.Background(), rdb, b.queue)
		rdb.Close()
		insp.Close()
		b.client.Close()
	})
	b.pipe = webhooks.New(b.store, b.client, insp, webhooks.Options{Queue: b.queue, RelayEvery: 50 * time.Millisecond, MaxRetry: 3})

	secret := appSecret
	if o.appSecret == "-" {
		secret = ""
	} else if o.appSecret != "" {
		secret = o.appSecret
	}
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	t.Cleanup(func() { rdb.Close() })
	cfg := whshopify.Config{
		App:            shopify.App{APIKey: appKey, APISecret: secret, Scopes: []string{"read_orders"}, BaseURL: b.fake.URL},
		PreviousSecret: oldSecret,
		Limiter:        shopify.NewRedisLimiter(rdb, shopify.DefaultBudget, b.queue+":"),
		Locker:         shopify.NewRedisLocker(rdb, b.queue+":"),
		Now:            o.now,
	}
	if secret == "" {
		cfg.PreviousSecret = ""
	}
	if o.envShop {
		cfg.EnvShop, cfg.EnvToken = shop, "shpat_acme"
	}
	r := chi.NewRouter()
	b.hub = httptest.NewServer(r)
	t.Cleanup(b.hub.Close)
	cfg.App.RedirectURL = b.hub.URL + "/shopify/callback"
	b.shops = whshopify.NewShops(b.store, cfg)
	if !o.envShop {
		secrets := map[string]string{whshopify.SecretAccessToken: "shpat_acme"}
		for k, v := range o.connect {
			secrets[k] = v
		}
		_, err := b.store.SaveConnection(context.Background(), tickets.Connection{
			Kind: tickets.SourceShopify, Key: shop, Name: shop, Active: true, Secrets: secrets,
			InstalledAt: time.Now().Add(-time.Hour),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	open := o.open
	if open == nil {
		open, _ = whshopify.ParseOpenTickets("")
	}
	b.pipe.Handle(tickets.SourceShopify, whshopify.NewDecoder(b.shops, b.store, open, nil))
	r.Post("/webhooks/shopify", whshopify.NewReceiver(b.pipe, b.shops, b.rejected, nil).ServeHTTP)
	whshopify.NewInstaller(b.shops, func(ctx context.Context, shop string) error {
		_, err := b.client.EnqueueContext(ctx, whshopify.NewSubscribeTask(shop), asynq.Queue(b.queue))
		return err
	}, nil).Routes(r)
	return b
}

// startWorker runs the pipeline's tasks and the Shopify tasks.
func (b *bundle) startWorker(t *testing.T) {
	t.Helper()
	srv := asynq.NewServer(b.redis, asynq.Config{
		Concurrency: 4, Queues: map[string]int{b.queue: 1},
		TaskCheckInterval: 20 * time.Millisecond, DelayedTaskCheckInterval: 100 * time.Millisecond,
		RetryDelayFunc: webhooks.RetryDelay, IsFailure: webhooks.IsFailure, LogLevel: asynq.FatalLevel,
	})
	mux := asynq.NewServeMux()
	mux.Use(b.pipe.Middleware)
	b.pipe.Register(mux)
	mux.Handle(whshopify.TypeSubscribe, whshopify.SubscribeHandler(b.check()))
	mux.Handle(whshopify.TypeCheckSubscriptions, b.check().Handler())
	mux.Handle(whshopify.TypeFraudCheck, whshopify.NewFraudCheck(b.shops, b.store, nil))
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.pipe.Run(ctx); close(done) }()
	t.Cleanup(func() { srv.Shutdown(); cancel(); <-done })
}

// check is the subscription check of the hub's address.
func (b *bundle) check() *whshopify.SubscriptionCheck {
	return &whshopify.SubscriptionCheck{Shops: b.shops, CallbackURL: b.hub.URL + "/webhooks/shopify"}
}

// send posts a recorded (or given) body as Shopify would, signed with
// secret, and returns the status and body of the answer.
func (b *bundle) send(t *testing.T, topic string, body []byte, mut ...func(*http.Request)) (int, string) {
	t.Helper()
	b.seq++
	req, err := shopifytest.WebhookRequest(context.Background(), b.hub.URL+"/webhooks/shopify", shop, topic, body, appSecret,
		fmt.Sprintf("wh-%s-%d", randomHex(4), b.seq), fmt.Sprintf("ev-%s-%d", randomHex(4), b.seq), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mut {
		m(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	return resp.StatusCode, out.String()
}

// deliveries counts the rows of the inbox.
func (b *bundle) deliveries(t *testing.T) int {
	t.Helper()
	var n int
	if err := b.pool.QueryRow(context.Background(), `select count(*) from deliveries`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitProcessed waits until every delivery is done.
func (b *bundle) waitProcessed(t *testing.T) {
	t.Helper()
	waitFor(t, "deliveries processed", func() bool {
		var n int
		_ = b.pool.QueryRow(context.Background(), `select count(*) from deliveries where status = 'received'`).Scan(&n)
		return n == 0
	})
}

// waitFollowups waits until every follow-up of that type is done.
func (b *bundle) waitFollowups(t *testing.T, typ string) {
	t.Helper()
	waitFor(t, typ+" follow-ups done", func() bool {
		var n int
		_ = b.pool.QueryRow(context.Background(), `select count(*) from outbox where type = $1 and done_at is null`, typ).Scan(&n)
		return n == 0
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// withHeader sets a header on the request.
func withHeader(k, v string) func(*http.Request) {
	return func(r *http.Request) {
		if v == "" {
			r.Header.Del(k)
		} else {
			r.Header.Set(k, v)
		}
	}
}

// listTickets lists every ticket, newest first.
func (b *bundle) listTickets(t *testing.T) []tickets.Ticket {
	t.Helper()
	list, _, err := b.store.ListTickets(context.Background(), tickets.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// messages returns the ticket's message bodies of a kind.
func (b *bundle) messages(t *testing.T, ref string, kind tickets.MessageKind) []string {
	t.Helper()
	msgs, err := b.store.ListMessages(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		if m.Kind == kind {
			out = append(out, m.Body)
		}
	}
	return out
}

func contains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
