package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5/pgxpool"

	"hub/tickets"
	"hub/tickets/api"
	"hub/tickets/postgres"
	"hub/tickets/postgres/pgtest"
)

// testBundle is one API over a fresh database.
type testBundle struct {
	pool     *pgxpool.Pool
	store    *postgres.Store
	replayer *fakeReplayer
	srv      *httptest.Server
	key      string          // plaintext of a valid API key
	identity postgres.APIKey // that key
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.New(t)
	logger := slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store := postgres.New(pool, postgres.Options{Logger: logger})
	key, k, err := store.CreateAPIKey(ctx, "zapier test")
	if err != nil {
		t.Fatalf("create api key: %v", err)
	}
	tb := &testBundle{pool: pool, store: store, replayer: &fakeReplayer{store: store}, key: key, identity: k}
	s := api.New(api.Config{
		Store:         store,
		Keys:          keysOf(store),
		Replayer:      tb.replayer,
		Replies:       store,
		SurveyURL:     func(token string) string { return "https://hub.example/survey/" + token },
		KnownStore:    knownStores("shopify:acme.myshopify.com", "woocommerce:shop.example.com"),
		Logger:        logger,
		IsUnavailable: postgres.IsUnavailable,
	})
	tb.srv = httptest.NewServer(mount(s))
	t.Cleanup(tb.srv.Close)
	return tb
}

// mount wraps the API the way cmd/hub serves it.
func mount(s *api.Server) http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.RealIP, middleware.Recoverer)
	r.Group(func(r chi.Router) {
		r.Use(middleware.Timeout(30 * time.Second))
		r.Mount("/api/v1", s.Routes())
	})
	return r
}

// knownStores is the connected stores' check with these stores connected.
func knownStores(keys ...string) func(context.Context, string) (bool, error) {
	return func(_ context.Context, store string) (bool, error) { return slices.Contains(keys, store), nil }
}

// keysOf adapts the store's key check, as cmd/hub does.
func keysOf(store *postgres.Store) api.Authenticator {
	return api.AuthenticatorFunc(func(ctx context.Context, key string) (api.Identity, error) {
		k, err := store.AuthenticateAPIKey(ctx, key)
		return api.Identity{ID: k.ID, Name: k.Name}, err
	})
}

// fakeReplayer stands in for the pipeline: it puts the delivery back to
// received and remembers what it was asked to re-queue.
type fakeReplayer struct {
	store *postgres.Store
	mu    sync.Mutex
	ids   []int64
}

func (f *fakeReplayer) Replay(ctx context.Context, id int64) (tickets.Delivery, error) {
	d, err := f.store.ReplayDelivery(ctx, id)
	if err == nil {
		f.mu.Lock()
		f.ids = append(f.ids, id)
		f.mu.Unlock()
	}
	return d, err
}

// tWriter sends the server's log to the test log.
type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request with the bundle's key. body is sent as is when it is a
// string or []byte, else as JSON; hdr is pairs of header names and values
// that replace the defaults (an empty value removes the header).
func (tb *testBundle) do(t *testing.T, method, path string, body any, hdr ...string) response {
	t.Helper()
	res, err := tb.send(method, path, body, hdr...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return res
}

// send is do for goroutines, which must not call t.Fatal.
func (tb *testBundle) send(method, path string, body any, hdr ...string) (response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, tb.srv.URL+"/api/v1"+path, rd)
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Authorization", "Bearer "+tb.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	res, err := tb.srv.Client().Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: raw}, err
}

// want fails the test unless the response has the status, and decodes its
// body into a T.
func want[T any](t *testing.T, res response, status int) T {
	t.Helper()
	var v T
	if res.status != status {
		t.Fatalf("status %d, want %d; body %s", res.status, status, res.body)
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON", ct)
	}
	if err := json.Unmarshal(res.body, &v); err != nil {
		t.Fatalf("decode %s: %v", res.body, err)
	}
	return v
}

// apiError is the error shape.
type apiError struct {
	Error struct {
		Code    string  `json:"code"`
		Message string  `json:"message"`
		Field   *string `json:"field"`
	} `json:"error"`
}

// createTicket creates a ticket through the API.
func (tb *testBundle) createTicket(t *testing.T, body map[string]any, hdr ...string) api.Ticket {
	t.Helper()
	return want[api.Ticket](t, tb.do(t, "POST", "/tickets", body, hdr...), http.StatusCreated)
}

// fixedClock is a clock that stays where it is put.
func fixedClock(at time.Time) func() time.Time { return func() time.Time { return at } }
