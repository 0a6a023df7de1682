// Package postgres is the pgx store for the ticket domain: tickets,
// customers, messages, the audit trail, the durable inbox of webhook
// deliveries, the outbox of follow-up work, and API keys. Every domain change
// is one transaction that also writes its audit events and outbox rows.
package postgres

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"hub/tickets"
)

// errTODO marks methods still being written. (Removed when the store is done.)
var errTODO = errors.New("postgres: not implemented")

// Options configure a Store.
type Options struct {
	Policy    tickets.Policy     // SLA policy; zero value means tickets.DefaultPolicy()
	Now       func() time.Time   // clock; nil means time.Now
	Followups tickets.Followups  // follow-up work per event; nil means none
	Logger    *slog.Logger
}

// Store implements the hub's persistence on a pgx pool.
type Store struct {
	pool *pgxpool.Pool
	opt  Options
}

// New returns a Store on pool.
func New(pool *pgxpool.Pool, opt Options) *Store {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Store{pool: pool, opt: opt}
}

// Ping reports whether Postgres answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// --- tickets ---

// CreateTicket opens a ticket. With ExternalRef set it is idempotent on
// (Source, ExternalRef): a repeat returns the existing ticket and created=false.
func (s *Store) CreateTicket(ctx context.Context, actor tickets.Actor, in tickets.NewTicket) (t tickets.Ticket, created bool, err error) {
	return t, false, errTODO
}

// GetTicket finds a ticket by UUID, number (1042) or display number (T-1042).
func (s *Store) GetTicket(ctx context.Context, ref string) (tickets.Ticket, error) {
	return tickets.Ticket{}, errTODO
}

// ListTickets lists tickets newest first; next is "" on the last page.
func (s *Store) ListTickets(ctx context.Context, f tickets.Filter) (list []tickets.Ticket, next string, err error) {
	return nil, "", errTODO
}

// UpdateTicket applies a patch through the domain's lifecycle rules.
func (s *Store) UpdateTicket(ctx context.Context, actor tickets.Actor, ref string, p tickets.Patch) (tickets.Ticket, error) {
	return tickets.Ticket{}, errTODO
}

// AddMessage adds a message to a ticket (a customer message may reopen it or
// open a follow-up; a first public reply stops the first-response clock).
// It returns the message and the ticket it landed on.
func (s *Store) AddMessage(ctx context.Context, actor tickets.Actor, ref string, m tickets.NewMessage) (tickets.Message, tickets.Ticket, error) {
	return tickets.Message{}, tickets.Ticket{}, errTODO
}

// ListMessages lists a ticket's messages, oldest first.
func (s *Store) ListMessages(ctx context.Context, ref string) ([]tickets.Message, error) {
	return nil, errTODO
}

// ListEvents lists a ticket's audit trail, oldest first.
func (s *Store) ListEvents(ctx context.Context, ref string) ([]tickets.Event, error) {
	return nil, errTODO
}

// LinkOrder links an order to a ticket (idempotent).
func (s *Store) LinkOrder(ctx context.Context, actor tickets.Actor, ref string, o tickets.OrderRef) (tickets.Ticket, error) {
	return tickets.Ticket{}, errTODO
}

// CustomerByEmail returns the customer with that email and their tickets.
func (s *Store) CustomerByEmail(ctx context.Context, email string) (tickets.Customer, []tickets.Ticket, error) {
	return tickets.Customer{}, nil, errTODO
}
