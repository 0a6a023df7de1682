package slack

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"hub/tickets"
	"hub/webhooks"
)

// Store is what the Slack side reads and records (tickets/postgres).
type Store interface {
	GetTicket(ctx context.Context, ref string) (tickets.Ticket, error)
	ListTickets(ctx context.Context, f tickets.Filter) ([]tickets.Ticket, string, error)
	ListMessages(ctx context.Context, ref string) ([]tickets.Message, error)
	TicketBySlackThread(ctx context.Context, channel, ts string) (tickets.Ticket, error)
	SetSlackCard(ctx context.Context, ref string, card tickets.SlackCard) error
	TicketsWithoutSlackCard(ctx context.Context, notConfigured string, before time.Time, limit int) ([]string, error)
	SlackDeliveryBody(ctx context.Context, altKey string) ([]byte, bool, error)
	CompleteOutbox(ctx context.Context, id int64) error
}

// Agent is a member of the support team as the Slack side knows them.
type Agent struct {
	Email       string
	Name        string
	SlackUserID string
}

// Agents maps Slack users to agents. Saving one is an idempotent cache of
// Slack's directory, not a ticket change, so the decoder may do it.
type Agents interface {
	AgentBySlackUser(ctx context.Context, slackUserID string) (Agent, error)
	SaveAgent(ctx context.Context, a Agent) (Agent, error)
	// SetAway marks an agent away (`/ticket away`) or back; changed is
	// false when they already were.
	SetAway(ctx context.Context, email string, away bool) (changed bool, err error)
	// SlackUserIDs maps agents' emails to their Slack user ids, for the
	// SLA escalation's mentions; agents never seen in Slack are missing.
	SlackUserIDs(ctx context.Context, emails []string) (map[string]string, error)
}

// ReplyRouter says where a public reply on the ticket will be delivered
// (a WooCommerce order note, Zapier's ticket.message_created hooks), so
// the reply modal can show it before anything is sent.
type ReplyRouter interface {
	ReplyRoutes(ctx context.Context, t tickets.Ticket) []string
}

// SavedReplies are the reply templates the reply modal offers
// (tickets/postgres).
type SavedReplies interface {
	ListReplies(ctx context.Context) ([]tickets.SavedReply, error)
	GetReply(ctx context.Context, name string) (tickets.SavedReply, error)
}

// StoreKeys lists the connected stores ("shopify:acme.myshopify.com"),
// among which an order number is looked for when a ticket names none.
type StoreKeys func(ctx context.Context) ([]string, error)

// Rate is a pace: one call per Every on average, and up to Burst at once
// after a quiet spell, as Slack's own limits allow.
type Rate struct {
	Every time.Duration
	Burst int
}

// Pacer hands out turns within Slack's rate limits, shared by every
// worker process. Reserve asks for a turn in bucket for holder (the task
// asking). ok is false when the turn would come later than maxWait: then
// nothing is reserved. Otherwise the turn is the holder's, due after wait
// (zero: now); a holder that asks again gets the turn it already holds,
// so a task that waits for its turn and comes back never queues twice.
type Pacer interface {
	Reserve(ctx context.Context, bucket string, r Rate, holder string, maxWait time.Duration) (wait time.Duration, ok bool, err error)
}

// Locker serialises the work on one ticket's card across workers, so two
// syncs never post two cards or land their updates out of order. It is
// not Postgres: holding a pooled connection across Slack calls would let
// busy workers starve the pool. TryLock does not wait; ok is false when
// someone else holds key. The lock expires after ttl if its holder dies.
type Locker interface {
	TryLock(ctx context.Context, key string, ttl time.Duration) (unlock func(), ok bool, err error)
}

// Enqueuer is the part of asynq the sweep uses.
type Enqueuer interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// Options configure the Service. Store, Agents, Settings and Pipeline are
// required.
type Options struct {
	Store    Store
	Agents   Agents
	Settings Settings
	Pipeline *webhooks.Pipeline
	Replies  ReplyRouter // nil: replies are only recorded
	// Saved offers saved replies in the reply modal (nil: none).
	Saved SavedReplies
	// SurveyURL turns a survey token into its link; nil: the modal does
	// not offer to ask for a rating.
	SurveyURL func(token string) string
	Stores    StoreKeys // nil: no connected stores
	Pacer     Pacer     // nil: no pacing (one process, tests)
	Locker    Locker    // nil: no card lock (one process, tests)
	Queue     Enqueuer  // for the sweep; nil disables it
	// QueueName is the asynq queue the sweep enqueues to.
	QueueName string
	Policy    tickets.Policy
	// SyncDelay coalesces a burst of changes into one card update
	// (default 1.5s). A new ticket's first card does not wait for it.
	SyncDelay time.Duration
	// PostRate paces messages per channel (default one a second, bursts of
	// three: Slack's chat.postMessage allows about one a second per channel
	// with short bursts); UpdateRate paces card updates per workspace
	// (default 50 a minute, bursts of 20: chat.update is Tier 3).
	PostRate, UpdateRate Rate
	// CardWait is the longest a new ticket's card waits for its channel's
	// turn (default 2s). A channel busier than that gets digests: one post
	// listing the tickets that did not get a turn, instead of a queue of
	// cards lagging further and further behind.
	CardWait time.Duration
	Now      func() time.Time
	Logger   *slog.Logger
	Metrics  *Metrics
}

// Service is the Slack side of the hub: receivers, decoder and tasks.
type Service struct{ opt Options }

// New returns the Service.
func New(opt Options) *Service {
	if opt.SyncDelay <= 0 {
		opt.SyncDelay = 1500 * time.Millisecond
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Metrics == nil {
		opt.Metrics = NewMetrics(nil)
	}
	if opt.Policy.FirstResponse == nil && opt.Policy.Resolution == nil {
		opt.Policy = tickets.DefaultPolicy()
	}
	if opt.QueueName == "" {
		opt.QueueName = "default"
	}
	if opt.PostRate.Every <= 0 {
		opt.PostRate = Rate{Every: time.Second, Burst: 3}
	}
	if opt.UpdateRate.Every <= 0 {
		opt.UpdateRate = Rate{Every: 1200 * time.Millisecond, Burst: 20}
	}
	if opt.CardWait <= 0 {
		opt.CardWait = 2 * time.Second
	}
	return &Service{opt: opt}
}

// Register adds the Slack tasks to mux.
func (s *Service) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TypeSync, s.handleSync)
	mux.HandleFunc(TypeThread, s.handleThread)
	mux.HandleFunc(TypeSweep, s.handleSweep)
	mux.HandleFunc(TypeDigest, s.handleDigest)
	mux.HandleFunc(TypeAlert, s.handleAlert)
	mux.HandleFunc(TypeEscalation, s.handleEscalation)
}

// Metrics are the Slack series.
type Metrics struct {
	cards    *prometheus.CounterVec
	failures *prometheus.CounterVec
	rejected *prometheus.CounterVec
}

// NewMetrics creates the series and registers them with reg (nil: not
// registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		cards: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hub_slack_card_writes_total",
			Help: "Slack ticket cards posted or updated, by action (posted, updated, thread, digest, digest_queued).",
		}, []string{"action"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hub_slack_failures_total",
			Help: "Slack calls that failed for good, by Slack's error code (channel_not_found, token_revoked, ...).",
		}, []string{"error"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hub_slack_rejected_total",
			Help: "Slack requests refused before recording, by reason (signature, too_large, unreadable).",
		}, []string{"reason"}),
	}
	if reg != nil {
		reg.MustRegister(m.cards, m.failures, m.rejected)
	}
	return m
}

// later asks the pipeline to run the task again after d (at least a
// second), without using up a retry.
func later(why string, d time.Duration) error {
	return webhooks.Wait(max(d, time.Second), errors.New("slack: "+why))
}

// ticket loads the ticket a task is about; found is false when it was
// erased since (a redacted customer, an erased store): nothing to do.
func (s *Service) ticket(ctx context.Context, id string) (t tickets.Ticket, found bool, err error) {
	t, err = s.opt.Store.GetTicket(ctx, id)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return t, false, nil
	}
	return t, err == nil, err
}
