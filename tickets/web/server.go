package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"

	"hub/tickets"
)

// Store is what the dashboard reads and writes. The signatures are those of
// *postgres.Store.
type Store interface {
	GetTicket(ctx context.Context, ref string) (tickets.Ticket, error)
	ListTickets(ctx context.Context, f tickets.Filter) (list []tickets.Ticket, next string, err error)
	CountViews(ctx context.Context, me string, now time.Time) (tickets.ViewCounts, error)
	UpdateTicket(ctx context.Context, actor tickets.Actor, ref string, p tickets.Patch) (tickets.Ticket, error)
	AddMessage(ctx context.Context, actor tickets.Actor, ref string, m tickets.NewMessage) (tickets.Message, tickets.Ticket, error)
	ListMessages(ctx context.Context, ref string) ([]tickets.Message, error)
	ListEvents(ctx context.Context, ref string) ([]tickets.Event, error)
	EmailReplyStatuses(ctx context.Context, ticketID string) (map[int64]tickets.ReplyDelivery, error)
	LinkOrder(ctx context.Context, actor tickets.Actor, ref string, o tickets.OrderRef) (tickets.Ticket, error)
	SearchOrders(ctx context.Context, q string, limit int) ([]tickets.OrderRef, error)
	ListReplies(ctx context.Context) ([]tickets.SavedReply, error)
	GetReply(ctx context.Context, name string) (tickets.SavedReply, error)
	CustomerByEmail(ctx context.Context, email string) (tickets.Customer, []tickets.Ticket, error)
	CustomerOrders(ctx context.Context, customerID, email string) ([]tickets.OrderRef, error)

	Summary(ctx context.Context, from, to time.Time) (tickets.Summary, error)
	FirstResponseHistogram(ctx context.Context, from, to time.Time) ([]int, error)

	ListDeliveries(ctx context.Context, status tickets.DeliveryStatus, limit int) ([]tickets.Delivery, error)
	DeliveryHealth(ctx context.Context, since time.Time) ([]tickets.SourceHealth, error)
	ListConnections(ctx context.Context, kind tickets.Source) ([]tickets.Connection, error)
	AllHooks(ctx context.Context) ([]tickets.Hook, error)

	Account(ctx context.Context, email string) (tickets.Account, error)
	ListAccounts(ctx context.Context) ([]tickets.Account, error)
	CreateAccount(ctx context.Context, a tickets.Account) (tickets.Account, error)
	DisableAccount(ctx context.Context, email string) error
	LoginFailures(ctx context.Context, key string, since time.Time) (int, error)
	RecordLoginFailure(ctx context.Context, at time.Time, keys ...string) error
	ClearLoginFailures(ctx context.Context, key string) error

	CreateLoginLink(ctx context.Context, email string, tokenHash []byte, now, expires time.Time) error
	CheckLoginLink(ctx context.Context, tokenHash []byte, now time.Time) (string, error)
	UseLoginLink(ctx context.Context, tokenHash []byte, now time.Time) (string, error)
}

// Replayer puts a failed delivery back into the pipeline.
type Replayer interface {
	Replay(ctx context.Context, id int64) (tickets.Delivery, error)
}

// Config is what a Server is built from. Store and Sessions are required.
type Config struct {
	Store Store
	// Sessions is the session manager (cmd/hub gives it scs's pgx store);
	// its cookie settings are set by New.
	Sessions *scs.SessionManager
	Replayer Replayer
	// Keys, when set, lets admins make and revoke API keys on the Team
	// page.
	Keys KeyStore
	// ReplyRoutes names where a public reply on t goes beyond the hub; an
	// empty answer means the customer cannot be reached from the hub.
	ReplyRoutes func(ctx context.Context, t tickets.Ticket) []string
	// SurveyURL turns a survey token into the link a customer opens; nil
	// when the hub has no public URL (a reply then cannot ask for a rating).
	SurveyURL func(token string) string
	// SecureCookies marks the session cookie Secure (the hub is served
	// over HTTPS: HUB_PUBLIC_URL starts with https).
	SecureCookies bool
	Policy        tickets.Policy
	Now           func() time.Time
	Logger        *slog.Logger
	// PollEvery is how often the live list asks for new tickets (default 2s).
	PollEvery time.Duration
	// Login limits: failures per email and per client address within
	// LoginWindow (defaults 5, 30 and 15 minutes).
	LoginPerEmail, LoginPerAddr int
	LoginWindow                 time.Duration
	// Mailer, when set (email sending is configured), offers agents an
	// emailed sign-in link; LoginLinkURL then turns a link's token into the
	// URL the mail carries (required with Mailer).
	Mailer       Mailer
	LoginLinkURL func(token string) string
}

// Server serves the dashboard.
type Server struct {
	cfg      Config
	store    Store
	sessions *scs.SessionManager
	pages    *pages
	now      func() time.Time
	log      *slog.Logger
	counts   *countCache
	// mails are sign-in link mails still being sent (see Wait).
	mails sync.WaitGroup
}

// New returns a Server. It panics without a Store or Sessions: a wiring bug.
func New(cfg Config) *Server {
	if cfg.Store == nil || cfg.Sessions == nil {
		panic("web: Config.Store and Config.Sessions are required")
	}
	if cfg.Mailer != nil && cfg.LoginLinkURL == nil {
		panic("web: Config.LoginLinkURL is required with a Mailer")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Policy.FirstResponse == nil && cfg.Policy.Resolution == nil {
		cfg.Policy = tickets.DefaultPolicy()
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = 2 * time.Second
	}
	if cfg.LoginPerEmail <= 0 {
		cfg.LoginPerEmail = 5
	}
	if cfg.LoginPerAddr <= 0 {
		cfg.LoginPerAddr = 30
	}
	if cfg.LoginWindow <= 0 {
		cfg.LoginWindow = 15 * time.Minute
	}
	if cfg.ReplyRoutes == nil {
		cfg.ReplyRoutes = func(context.Context, tickets.Ticket) []string { return nil }
	}
	sm := cfg.Sessions
	sm.Cookie.Name = "hub_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.SecureCookies
	sm.Cookie.Path = "/"
	// A working day, absolute. No idle timeout: scs would then write the
	// session row on every request to move its expiry, a database commit
	// per page view.
	if sm.Lifetime == 24*time.Hour { // scs's default
		sm.Lifetime = 12 * time.Hour
	}
	return &Server{cfg: cfg, store: cfg.Store, sessions: sm, pages: mustParsePages(), now: cfg.Now,
		log: cfg.Logger, counts: newCountCache(5 * time.Second)}
}

// Routes adds the dashboard's pages to r. Every route but the sign-in page
// and the assets needs a signed-in agent; every POST needs the session's
// CSRF token and a same-origin request.
func (s *Server) Routes(r chi.Router) {
	r.Handle("/static/*", staticHandler())
	r.Group(func(r chi.Router) {
		r.Use(s.sessions.LoadAndSave, s.csrf)
		r.Get("/login", s.handle(s.loginPage))
		r.Post("/login", s.handle(s.login))
		r.Post("/logout", s.handle(s.logout))
		if s.cfg.Mailer != nil {
			r.Post("/login/link", s.handle(s.requestLink))
			r.Get("/login/link/{token}", s.handle(s.linkPage))
			r.Post("/login/link/{token}", s.handle(s.useLink))
		}
		r.Group(func(r chi.Router) {
			r.Use(s.requireAgent)
			r.Get("/", s.handle(s.listPage))
			r.Get("/tickets/{ref}", s.handle(s.ticketPage))
			r.Post("/tickets/{ref}/reply", s.handle(s.reply))
			r.Post("/tickets/{ref}/note", s.handle(s.note))
			r.Post("/tickets/{ref}/update", s.handle(s.update))
			r.Post("/tickets/{ref}/orders", s.handle(s.linkOrder))
			r.Get("/customers", s.handle(s.customerPage))
			r.Get("/reports", s.handle(s.reportsPage))
			r.Get("/reports.csv", s.handle(s.reportsCSV))
			r.Group(func(r chi.Router) {
				r.Use(s.requireAdmin)
				r.Get("/integrations", s.handle(s.integrationsPage))
				r.Post("/integrations/deliveries/{id}/replay", s.handle(s.replay))
				r.Get("/team", s.handle(s.teamPage))
				r.Post("/team/agents", s.handle(s.addAgent))
				r.Post("/team/agents/enable", s.handle(s.enableAgent))
				r.Post("/team/agents/disable", s.handle(s.disableAgent))
				r.Post("/team/keys", s.handle(s.createKey))
				r.Post("/team/keys/{id}/revoke", s.handle(s.revokeKey))
			})
		})
	})
}

// StreamRoutes adds the live list's event stream. It is mounted outside the
// admission limit (cmd/hub): a stream stays open for as long as the page,
// and must not hold one of the request slots meant for short requests.
func (s *Server) StreamRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.sessions.LoadAndSave, s.requireAgent)
		r.Get("/events", s.handle(s.events))
	})
}

// Wait returns once the sign-in link mails under way are sent (or have
// failed); the hub calls it when it stops.
func (s *Server) Wait() { s.mails.Wait() }

// handlerFunc is a handler that returns its error for one place to show.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

// fail shows err as a page: the domain's codes pick the status, and an
// error that is not the user's is logged and shown without detail.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	msg := "Something went wrong on our side. Try again in a moment."
	switch tickets.ErrorCode(err) {
	case tickets.EINVALID:
		status, msg = http.StatusBadRequest, tickets.ErrorMessage(err)
	case tickets.ENOTFOUND:
		status, msg = http.StatusNotFound, tickets.ErrorMessage(err)
	case tickets.EUNAUTHORIZED:
		status, msg = http.StatusForbidden, tickets.ErrorMessage(err)
	case tickets.ECONFLICT:
		status, msg = http.StatusConflict, tickets.ErrorMessage(err)
	default:
		if errors.Is(err, context.Canceled) {
			return
		}
		s.log.Error("web: request failed", "path", r.URL.Path, "err", err)
	}
	s.renderStatus(w, r, status, "error", errorPage{Status: status, Message: msg})
}

type errorPage struct {
	Status  int
	Message string
}
