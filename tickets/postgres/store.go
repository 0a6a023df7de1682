// Package postgres is the pgx store for the ticket domain: tickets,
// customers, messages, the audit trail, the durable inbox of webhook
// deliveries, the outbox of follow-up work, and API keys. Every domain change
// is one transaction that also writes its audit events and outbox rows.
//
// The rules (lifecycle, SLA clock, normalisation) live in package tickets as
// pure functions; the store locks a ticket, applies them to the Go value and
// writes the result back. No rule is re-implemented in SQL.
package postgres

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"hub/tickets"
	"hub/tickets/rules"
)

// Options configure a Store.
type Options struct {
	Policy    tickets.Policy    // SLA policy; zero value means tickets.DefaultPolicy()
	Now       func() time.Time  // clock; nil means time.Now
	Followups tickets.Followups // follow-up work per event; nil means none
	Logger    *slog.Logger
	// SecretKey seals connection secrets at rest (HUB_SECRET_KEY). Without
	// it, connections can be saved only without secrets.
	SecretKey string
	// FirstResponseOnDelivery, when set, reports whether a public reply on
	// a ticket stops the first-response clock only once a channel has
	// delivered it (EmailReplySent) rather than when it is written: a reply
	// the customer never got is no response.
	FirstResponseOnDelivery func(t tickets.Ticket) bool
	// Rules returns the rules in force (the hub reloads them on SIGHUP);
	// nil, or a nil rule set, means no automation.
	Rules func() *rules.RuleSet
}

// Store implements the hub's persistence on a pgx pool.
type Store struct {
	pool *pgxpool.Pool
	opt  Options
	seal *sealer // nil without a secret key
}

// New returns a Store on pool.
func New(pool *pgxpool.Pool, opt Options) *Store {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Policy.FirstResponse == nil && opt.Policy.Resolution == nil {
		opt.Policy = tickets.DefaultPolicy()
	}
	seal, err := newSealer(opt.SecretKey)
	if err != nil {
		// AES-256 with a 32-byte derived key cannot fail to initialise.
		panic("postgres: connection sealer: " + err.Error())
	}
	return &Store{pool: pool, opt: opt, seal: seal}
}

// Ping reports whether Postgres answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// now is the injected clock at the database's precision, so a value written
// and read back compares equal to the one in memory.
func (s *Store) now() time.Time { return s.opt.Now().UTC().Truncate(time.Microsecond) }

// querier is what both the pool and a transaction offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// inTx runs fn in one transaction, committed when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}
