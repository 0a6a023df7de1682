package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"hub/tickets"
	"hub/tickets/postgres"
	"hub/tickets/postgres/pgtest"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

type testBundle struct {
	ctx   context.Context
	pool  *pgxpool.Pool
	store *postgres.Store
	clock *clock
}

// start is a Monday morning, inside business hours.
var start = time.Date(2025, 3, 3, 9, 30, 0, 0, time.UTC)

func setup(t *testing.T, opt ...func(*postgres.Options)) *testBundle {
	t.Helper()
	t.Parallel()
	b := &testBundle{ctx: context.Background(), pool: pgtest.New(t), clock: &clock{now: start}}
	o := postgres.Options{Now: b.clock.Now}
	for _, f := range opt {
		f(&o)
	}
	b.store = postgres.New(b.pool, o)
	return b
}

var (
	agent   = tickets.Actor{Kind: tickets.ActorAgent, ID: "ann@example.com", Name: "Ann"}
	webhook = tickets.Actor{Kind: tickets.ActorWebhook, ID: "delivery:1"}
)

// create opens a ticket, one minute after the previous one.
func (b *testBundle) create(t *testing.T, in tickets.NewTicket) tickets.Ticket {
	t.Helper()
	b.clock.Advance(time.Minute)
	if in.Source == "" {
		in.Source = tickets.SourceAPI
	}
	tk, created, err := b.store.CreateTicket(b.ctx, agent, in)
	if err != nil {
		t.Fatalf("CreateTicket(%q): %v", in.Subject, err)
	}
	if !created {
		t.Fatalf("CreateTicket(%q): created=false", in.Subject)
	}
	return tk
}

func (b *testBundle) events(t *testing.T, ref string) []tickets.Event {
	t.Helper()
	events, err := b.store.ListEvents(b.ctx, ref)
	if err != nil {
		t.Fatalf("ListEvents: %v", err)
	}
	return events
}

func (b *testBundle) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := b.pool.QueryRow(b.ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func wantCode(t *testing.T, err error, code tickets.Code) {
	t.Helper()
	if got := tickets.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q); want code %q", err, got, code)
	}
}

func ptr[T any](v T) *T { return &v }
