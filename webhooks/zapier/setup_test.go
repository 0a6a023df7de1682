package zapier_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/hibiken/asynq"

	hookclient "hub/connectors/zapier"
	"hub/connectors/zapier/zapiertest"
	"hub/tickets"
	"hub/tickets/postgres"
	"hub/tickets/postgres/pgtest"
	"hub/webhooks/zapier"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// bundle is a store on a fresh database whose changes write zapier
// follow-ups, a fake Zapier, and the Service under test.
type bundle struct {
	ctx   context.Context
	store *postgres.Store
	fake  *zapiertest.Server
	svc   *zapier.Service
	clock *clock
	key   postgres.APIKey
	plain string // the key's plaintext
	api   *httptest.Server
}

// start is a Monday morning inside business hours.
var start = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

var agent = tickets.Actor{Kind: tickets.ActorAgent, ID: "sam@shop.example", Name: "Sam"}

func setup(t testing.TB, tune ...func(*zapier.Config)) *bundle {
	t.Helper()
	if tt, ok := t.(*testing.T); ok {
		tt.Parallel()
	}
	b := &bundle{ctx: context.Background(), clock: &clock{now: start}}
	b.store = postgres.New(pgtest.New(t), postgres.Options{Now: b.clock.Now, Followups: zapier.Followups})
	b.fake = zapiertest.NewServer()
	t.Cleanup(b.fake.Close)
	allow, err := hookclient.ParseAllowlist("https://hooks.zapier.com/," + b.fake.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	cfg := zapier.Config{Store: b.store, Client: hookclient.NewClient(allow, 5*time.Second), Now: b.clock.Now}
	for _, f := range tune {
		f(&cfg)
	}
	b.svc = zapier.New(cfg)
	if b.plain, b.key, err = b.store.CreateAPIKey(b.ctx, "zapier"); err != nil {
		t.Fatal(err)
	}
	b.api = httptest.NewServer(b.router())
	t.Cleanup(b.api.Close)
	return b
}

type keyIDKey struct{}

// router mounts the Service's routes behind a key check like the API's.
func (b *bundle) router() http.Handler {
	r := chi.NewRouter()
	requireKey := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			k, err := b.store.AuthenticateAPIKey(r.Context(), r.Header.Get("X-API-Key"))
			if err != nil {
				http.Error(w, `{"error":{"code":"unauthorized"}}`, http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyIDKey{}, k.ID)))
		})
	}
	keyID := func(ctx context.Context) string { s, _ := ctx.Value(keyIDKey{}).(string); return s }
	b.svc.Routes(requireKey, keyID)(r)
	return r
}

// subscribe saves a hook for the bundle's key straight in the store.
func (b *bundle) subscribe(t testing.TB, name, event, kind string) zapier.Hook {
	t.Helper()
	h, _, err := b.store.SaveHook(b.ctx, zapier.Hook{APIKeyID: b.key.ID, TargetURL: b.fake.HookURL(name), Event: event, MessageKind: kind}, 50)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (b *bundle) create(t testing.TB, subject, email string) tickets.Ticket {
	t.Helper()
	b.clock.Advance(time.Minute)
	tk, _, err := b.store.CreateTicket(b.ctx, agent, tickets.NewTicket{
		Subject: subject, Source: tickets.SourceAPI, Priority: tickets.PriorityHigh,
		Customer: tickets.CustomerInput{Email: email, Name: "Ada Lovelace"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// relay runs every pending zapier:deliver task once, as the outbox relay
// and asynq would, and returns their errors; done ones are completed.
func (b *bundle) relay(t *testing.T) []error {
	t.Helper()
	items, err := b.store.PendingOutbox(b.ctx, b.clock.Now().Add(time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	for _, it := range items {
		if it.Type != zapier.TypeDeliver {
			continue
		}
		err := b.svc.ProcessDeliver(b.ctx, asynq.NewTask(it.Type, it.Payload))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := b.store.CompleteOutbox(b.ctx, it.ID); err != nil {
			t.Fatal(err)
		}
	}
	return errs
}
