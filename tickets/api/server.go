package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"hub/tickets"
)

// TicketStore is what the API needs from the ticket store. The signatures are
// those of *postgres.Store.
type TicketStore interface {
	CreateTicket(ctx context.Context, actor tickets.Actor, in tickets.NewTicket) (t tickets.Ticket, created bool, err error)
	GetTicket(ctx context.Context, ref string) (tickets.Ticket, error)
	ListTickets(ctx context.Context, f tickets.Filter) (list []tickets.Ticket, next string, err error)
	UpdateTicket(ctx context.Context, actor tickets.Actor, ref string, p tickets.Patch) (tickets.Ticket, error)
	AddMessage(ctx context.Context, actor tickets.Actor, ref string, m tickets.NewMessage) (tickets.Message, tickets.Ticket, error)
	ListMessages(ctx context.Context, ref string) ([]tickets.Message, error)
	ListEvents(ctx context.Context, ref string) ([]tickets.Event, error)
	LinkOrder(ctx context.Context, actor tickets.Actor, ref string, o tickets.OrderRef) (tickets.Ticket, error)
	CustomerByEmail(ctx context.Context, email string) (tickets.Customer, []tickets.Ticket, error)
	Summary(ctx context.Context, from, to time.Time) (tickets.Summary, error)
}

// DeliveryStore lists the inbox of webhook deliveries.
type DeliveryStore interface {
	ListDeliveries(ctx context.Context, status tickets.DeliveryStatus, limit int) ([]tickets.Delivery, error)
}

// Store is everything the API reads and writes.
type Store interface {
	TicketStore
	DeliveryStore
}

// Replayer puts a failed or ignored delivery back into the pipeline. The
// pipeline owns it because a replay must also re-queue the work.
type Replayer interface {
	Replay(ctx context.Context, id int64) (tickets.Delivery, error)
}

// Config is what a Server is built from. Store and Keys are required.
type Config struct {
	Store    Store
	Keys     Authenticator
	Replayer Replayer   // nil: replay answers 503
	Replies  ReplyStore // nil: /replies and saved replies answer 503
	// SurveyURL turns a survey token into the link a customer opens (the
	// hub's public URL + /survey/{token}); nil: replies cannot ask for a
	// rating.
	SurveyURL func(token string) string
	// KnownStore reports whether a store key ("shopify:acme.myshopify.com")
	// is a connected store; linking an order to any other is 404, since the
	// enrichment could never fill it in. nil accepts every store.
	KnownStore func(ctx context.Context, store string) (bool, error)
	// Policy computes the SLA state shown on tickets; the zero value means
	// tickets.DefaultPolicy().
	Policy tickets.Policy
	Now    func() time.Time // nil means time.Now
	Logger *slog.Logger     // nil discards
	// IsUnavailable reports errors that mean the database is unreachable;
	// they answer 503 so that callers retry. cmd/hub passes
	// postgres.IsUnavailable.
	IsUnavailable func(error) bool
	// Reach, when set, names the channels a public reply on a ticket would
	// reach its customer by; a public reply with none is refused (409)
	// rather than recorded as answered while going nowhere.
	Reach func(ctx context.Context, t tickets.Ticket) []string
	// Attachments, when set, lists and serves the files that came with
	// customers' messages.
	Attachments AttachmentStore
}

// AttachmentStore reads the files customers sent (*postgres.Store).
type AttachmentStore interface {
	ListAttachments(ctx context.Context, ref string) ([]tickets.Attachment, error)
	GetAttachment(ctx context.Context, ref string, id int64) (tickets.Attachment, error)
}

// Server serves the API.
type Server struct {
	store         Store
	keys          Authenticator
	replayer      Replayer
	replies       ReplyStore
	surveyURL     func(string) string
	knownStore    func(ctx context.Context, store string) (bool, error)
	policy        tickets.Policy
	now           func() time.Time
	log           *slog.Logger
	isUnavailable func(error) bool
	reach         func(ctx context.Context, t tickets.Ticket) []string
	attachments   AttachmentStore
}

// New returns a Server. It panics without a Store or Keys: that is a wiring
// bug in cmd/hub, not something to serve around.
func New(cfg Config) *Server {
	if cfg.Store == nil || cfg.Keys == nil {
		panic("api: Config.Store and Config.Keys are required")
	}
	s := &Server{
		store:         cfg.Store,
		keys:          cfg.Keys,
		replayer:      cfg.Replayer,
		replies:       cfg.Replies,
		surveyURL:     cfg.SurveyURL,
		knownStore:    cfg.KnownStore,
		policy:        cfg.Policy,
		now:           cfg.Now,
		log:           cfg.Logger,
		isUnavailable: cfg.IsUnavailable,
		reach:         cfg.Reach,
		attachments:   cfg.Attachments,
	}
	if s.policy.FirstResponse == nil && s.policy.Resolution == nil {
		s.policy = tickets.DefaultPolicy()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.isUnavailable == nil {
		s.isUnavailable = func(error) bool { return false }
	}
	return s
}

// Routes returns the API's router, to be mounted at /api/v1. Every route,
// unknown ones included, requires an API key.
func (s *Server) Routes() chi.Router {
	r := chi.NewRouter()
	// Set before any route so that sub-routers inherit them.
	r.NotFound(s.handle(func(http.ResponseWriter, *http.Request) error {
		return tickets.Errorf(tickets.ENOTFOUND, "no such endpoint")
	}))
	r.MethodNotAllowed(s.handle(func(http.ResponseWriter, *http.Request) error {
		return errMethod
	}))
	r.Use(s.RequireKey)

	r.Get("/me", s.handle(s.me))
	r.Route("/tickets", func(r chi.Router) {
		r.Post("/", s.handle(s.createTicket))
		r.Get("/", s.handle(s.listTickets))
		r.Get("/{id}", s.handle(s.getTicket))
		r.Patch("/{id}", s.handle(s.patchTicket))
		r.Post("/{id}/messages", s.handle(s.addMessage))
		r.Get("/{id}/messages", s.handle(s.listMessages))
		r.Get("/{id}/events", s.handle(s.listEvents))
		r.Post("/{id}/orders", s.handle(s.linkOrder))
		r.Get("/{id}/attachments", s.handle(s.listAttachments))
		r.Get("/{id}/attachments/{aid}", s.handle(s.getAttachment))
	})
	r.Route("/replies", s.replyRoutes)
	r.Get("/customers", s.handle(s.getCustomer))
	r.Post("/customer_messages", s.handle(s.addCustomerMessage))
	r.Get("/reports/summary", s.handle(s.summary))
	r.Get("/deliveries", s.handle(s.listDeliveries))
	r.Post("/deliveries/{id}/replay", s.handle(s.replayDelivery))
	return r
}

// handlerFunc is an HTTP handler that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	id, _ := IdentityFrom(r.Context())
	return s.reply(w, r, http.StatusOK, id)
}
