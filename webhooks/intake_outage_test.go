package webhooks_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"

	"hub/tickets"
	"hub/tickets/postgres"
	"hub/webhooks"
)

// With Postgres unreachable nothing can be recorded, so the sender must be
// told to retry: 503 with Retry-After, never a 2xx.
func TestPostgresDownAnswers503(t *testing.T) {
	pool, err := pgxpool.New(context.Background(), "postgres://postgres@127.0.0.1:1/hub?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := postgres.New(pool, postgres.Options{})
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: "localhost:6379"})
	defer client.Close()
	pipe := webhooks.New(store, client, nil, webhooks.Options{Queue: "test-pgdown-" + randomHex(4)})

	accept := func(context.Context, string) (tickets.Actor, error) {
		return tickets.Actor{Kind: tickets.ActorAPIKey, ID: "k"}, nil
	}
	srv := httptest.NewServer(pipe.ServeIntake(accept))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"subject":"Lost parcel","email":"a@example.com"}`))
	req.Header.Set("Idempotency-Key", "pg-down-1")
	client2 := &http.Client{Timeout: 30 * time.Second}
	resp, err := client2.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// The key check comes first and needs the database too: with it down the
// intake answers 503 with Retry-After, not a bare 503 or a 401.
func TestIntakeKeyCheckDownAnswers503WithRetryAfter(t *testing.T) {
	pipe := webhooks.New(nil, nil, nil, webhooks.Options{})
	down := func(context.Context, string) (tickets.Actor, error) {
		return tickets.Actor{}, errors.New("postgres: authenticate: dial tcp 127.0.0.1:5432: connection refused")
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/zapier", strings.NewReader(`{"subject":"x","email":"a@example.com"}`))
	req.Header.Set("X-API-Key", "whatever-key-1234")
	pipe.ServeIntake(down).ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
}
