package zapier

import (
	"context"
	"encoding/json"

	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	hookclient "hub/connectors/zapier"
	"hub/tickets"
	"hub/tickets/api"
)

// Hook is a REST hook subscription.
type Hook = tickets.Hook

// Store is what this package needs from the hub's store (*postgres.Store).
type Store interface {
	SaveHook(ctx context.Context, h Hook, max int) (Hook, bool, error)
	DeleteHook(ctx context.Context, apiKeyID, id string) error
	RemoveHook(ctx context.Context, id string) error
	ListHooks(ctx context.Context, apiKeyID string) ([]Hook, error)
	HooksFor(ctx context.Context, event string) ([]Hook, error)
	ClaimHookDelivery(ctx context.Context, hookID string, eventID int64, lease time.Duration) (bool, error)
	HookDeliveryHeldUntil(ctx context.Context, hookID string, eventID int64, lease time.Duration) (time.Time, error)
	HookDelivered(ctx context.Context, hookID string, eventID int64) error
	HookFailed(ctx context.Context, hookID string, eventID int64, reason string, pauseAfter int, pauseWindow time.Duration) (bool, error)

	GetEvent(ctx context.Context, id int64) (tickets.Event, error)
	RecentEvents(ctx context.Context, typ, messageKind string, limit int) ([]tickets.Event, error)
	GetMessage(ctx context.Context, id int64) (tickets.Message, error)
	GetTicket(ctx context.Context, ref string) (tickets.Ticket, error)
	ListTickets(ctx context.Context, f tickets.Filter) ([]tickets.Ticket, string, error)
	CustomerByEmail(ctx context.Context, email string) (tickets.Customer, []tickets.Ticket, error)
	TicketByExternalRef(ctx context.Context, source tickets.Source, ref string) (tickets.Ticket, bool, error)
}

// Config builds a Service. Store and Client are required.
type Config struct {
	Store  Store
	Client *hookclient.Client
	Policy tickets.Policy   // for the tickets' SLA state; zero means tickets.DefaultPolicy()
	Now    func() time.Time // nil means time.Now
	Logger *slog.Logger
	// MaxHooks caps the subscriptions of one API key (default 50).
	MaxHooks int
	// PauseAfter and PauseWindow: a hook whose deliveries have failed
	// PauseAfter times in a row over more than PauseWindow is paused
	// (defaults 10 and 1 hour).
	PauseAfter  int
	PauseWindow time.Duration
	// Lease is how long a delivery claim protects a POST in flight
	// (default 45 seconds, three times the hub's 15 s client timeout). It
	// is also how long a worker's death mid-POST delays that hook's event.
	Lease time.Duration
	// IsUnavailable reports errors that mean the database is unreachable
	// (answered 503 so Zapier retries).
	IsUnavailable func(error) bool
	Metrics       *Metrics
}

// Service serves the Zapier routes and runs the delivery task.
type Service struct {
	cfg Config
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Store == nil || cfg.Client == nil {
		panic("zapier: Config.Store and Config.Client are required")
	}
	if cfg.Policy.FirstResponse == nil && cfg.Policy.Resolution == nil {
		cfg.Policy = tickets.DefaultPolicy()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxHooks <= 0 {
		cfg.MaxHooks = 50
	}
	if cfg.PauseAfter <= 0 {
		cfg.PauseAfter = 10
	}
	if cfg.PauseWindow <= 0 {
		cfg.PauseWindow = time.Hour
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 45 * time.Second
	}
	if cfg.IsUnavailable == nil {
		cfg.IsUnavailable = func(error) bool { return false }
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	return &Service{cfg: cfg}
}

// Routes mounts the Zapier routes next to the API's /api/v1 mount (chi
// prefers these static paths to the mount's wildcard). requireKey is the
// API's key check, which puts the key's identity in the context.
func (s *Service) Routes(requireKey func(http.Handler) http.Handler, keyID func(context.Context) string) func(chi.Router) {
	return func(r chi.Router) {
		r.Group(func(r chi.Router) {
			r.Use(middleware.Timeout(30*time.Second), requireKey)
			r.Route("/api/v1/hooks", func(r chi.Router) {
				r.NotFound(s.handle(func(http.ResponseWriter, *http.Request) error {
					return tickets.Errorf(tickets.ENOTFOUND, "no such endpoint")
				}))
				r.MethodNotAllowed(s.handle(func(http.ResponseWriter, *http.Request) error { return api.ErrMethodNotAllowed }))
				r.Post("/", s.handle(s.subscribe(keyID)))
				r.Get("/", s.handle(s.listHooks(keyID)))
				r.Delete("/{id}", s.handle(s.unsubscribe(keyID)))
			})
			r.Get("/api/v1/events", s.handle(s.listEvents))
			r.Get("/api/v1/search/tickets", s.handle(s.searchTickets))
			r.Get("/api/v1/search/customers", s.handle(s.searchCustomers))
		})
	}
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle answers a handler's error in the API's one error shape.
func (s *Service) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			api.WriteError(w, r, err, s.cfg.Logger, s.cfg.IsUnavailable)
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
