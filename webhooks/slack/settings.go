package slack

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	slackapi "hub/connectors/slack"
	"hub/tickets"
)

// Workspace is the connected Slack workspace as the hub uses it.
type Workspace struct {
	TeamID    string // learned from auth.test; "" until Slack has answered
	BotUserID string // the hub's own bot user: its messages are never notes
	BotID     string
	// SigningSecrets verify requests: the current secret and, during a
	// rotation, the previous one.
	SigningSecrets []string
	Channel        string // the default triage channel
	Fallback       string // where cards go when their channel fails
	Routes         Routes
	Client         *slackapi.Client
}

// Settings tells the current workspace; ok is false when Slack is not
// configured, which is normal: the hub runs without Slack.
type Settings interface {
	Workspace(ctx context.Context) (ws Workspace, ok bool, err error)
	// Peek is Workspace without calling Slack: the bot's identity is what
	// is known already (it is fetched in the background when it is not).
	// The receivers use it, since an unverified request must not be able to
	// make the hub call Slack, nor wait on it.
	Peek(ctx context.Context) (ws Workspace, ok bool, err error)
}

// Config is Slack configured from the environment (SLACK_*). It wins over
// a workspace connected with `hub connect slack`.
type Config struct {
	Token          string
	SigningSecrets []string
	Channel        string
	Fallback       string
	Routes         Routes
	APIURL         string // SLACK_API_URL; "" is Slack itself
}

// Configured reports whether the environment configures Slack.
func (c Config) Configured() bool { return c.Token != "" }

// Connections lists the stored Slack connections (tickets/postgres).
type Connections func(ctx context.Context, kind tickets.Source) ([]tickets.Connection, error)

// Connection secrets and settings keys of a Slack workspace.
const (
	SecretBotToken      = "bot_token"
	SecretSigningSecret = "signing_secret"
	SecretPrevious      = "previous_signing_secret"
	SettingChannel      = "channel"
	SettingFallback     = "fallback_channel"
	SettingRoutes       = "routes"
)

// NewSettings returns the Settings of the environment's Slack, or else of
// the active Slack connection in the store (re-read every ttl, so
// `hub connect slack` reaches a running hub). conns may be nil.
func NewSettings(env Config, conns Connections, ttl time.Duration, log *slog.Logger) Settings {
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &settings{env: env, conns: conns, ttl: ttl, log: log, ids: map[string]identity{}, fetching: map[string]bool{}}
}

type settings struct {
	env   Config
	conns Connections
	ttl   time.Duration
	log   *slog.Logger

	mu     sync.Mutex
	conn   *Config // from the store, cached
	connAt time.Time
	ids    map[string]identity // by token
	// fetching marks tokens whose identity a background auth.test is
	// fetching, so a burst of requests starts one call, not one each.
	fetching map[string]bool
}

type identity struct {
	id     slackapi.Identity
	at     time.Time
	failed bool
}

func (s *settings) Workspace(ctx context.Context) (Workspace, bool, error) {
	return s.workspace(ctx, s.identity)
}

func (s *settings) Peek(ctx context.Context) (Workspace, bool, error) {
	return s.workspace(ctx, s.knownIdentity)
}

func (s *settings) workspace(ctx context.Context, identity func(context.Context, string, *slackapi.Client) slackapi.Identity) (Workspace, bool, error) {
	cfg := s.env
	if !cfg.Configured() {
		c, err := s.stored(ctx)
		if err != nil || c == nil {
			return Workspace{}, false, err
		}
		cfg = *c
	}
	client := slackapi.New(cfg.Token, cfg.APIURL)
	id := identity(ctx, cfg.Token, client)
	return Workspace{
		TeamID: id.TeamID, BotUserID: id.BotUserID, BotID: id.BotID,
		SigningSecrets: cfg.SigningSecrets, Channel: cfg.Channel, Fallback: cfg.Fallback,
		Routes: cfg.Routes, Client: client,
	}, true, nil
}

// stored returns the active Slack connection, cached for ttl.
func (s *settings) stored(ctx context.Context) (*Config, error) {
	if s.conns == nil {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.connAt.IsZero() && time.Since(s.connAt) < s.ttl {
		return s.conn, nil
	}
	list, err := s.conns(ctx, tickets.SourceSlack)
	if err != nil {
		return nil, err
	}
	s.conn, s.connAt = nil, time.Now()
	var newest time.Time
	for _, c := range list {
		if !c.Active || c.Secrets[SecretBotToken] == "" || !c.UpdatedAt.After(newest) && s.conn != nil {
			continue
		}
		routes, err := ParseRoutes(c.Settings[SettingRoutes])
		if err != nil {
			s.log.Warn("slack connection: bad routes ignored", "team", c.Key, "err", err)
		}
		s.conn = &Config{
			Token:          c.Secrets[SecretBotToken],
			SigningSecrets: nonEmpty(c.Secrets[SecretSigningSecret], c.Secrets[SecretPrevious]),
			Channel:        c.Settings[SettingChannel],
			Fallback:       c.Settings[SettingFallback],
			Routes:         routes,
			APIURL:         s.env.APIURL,
		}
		newest = c.UpdatedAt
	}
	return s.conn, nil
}

// identity asks auth.test who the token is, once; a failure is retried a
// minute later, and meanwhile the workspace works without it (the card
// sync then meets the same error and records it on the ticket).
func (s *settings) identity(ctx context.Context, token string, c *slackapi.Client) slackapi.Identity {
	s.mu.Lock()
	cached, ok := s.ids[token]
	s.mu.Unlock()
	if ok && (!cached.failed || time.Since(cached.at) < time.Minute) {
		return cached.id
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	id, err := c.AuthTest(ctx)
	if err != nil {
		s.log.Warn("slack: auth.test failed", "err", err)
	}
	s.mu.Lock()
	s.ids[token] = identity{id: id, at: time.Now(), failed: err != nil}
	s.mu.Unlock()
	return id
}

// knownIdentity returns the identity known for token without waiting; when
// there is none (or the last try failed over a minute ago) one background
// auth.test fetches it.
func (s *settings) knownIdentity(_ context.Context, token string, c *slackapi.Client) slackapi.Identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	cached, ok := s.ids[token]
	if (!ok || cached.failed && time.Since(cached.at) >= time.Minute) && !s.fetching[token] {
		s.fetching[token] = true
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s.identity(ctx, token, c)
			s.mu.Lock()
			delete(s.fetching, token)
			s.mu.Unlock()
		}()
	}
	return cached.id
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
