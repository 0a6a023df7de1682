package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	slackapi "hub/connectors/slack"
	"hub/tickets"
	"hub/tickets/postgres"
	whslack "hub/webhooks/slack"
)

// slackConfig is the Slack connector's part of the configuration.
type slackConfig struct {
	Token                 string
	SigningSecret         string
	SigningSecretPrevious string
	Channel, Fallback     string
	Routes                whslack.Routes
	APIURL                string
	SyncDelay             time.Duration
	ReloadEvery           time.Duration // how often a connection saved by `hub connect slack` is re-read
}

func loadSlackConfig(getenv func(string) string) (slackConfig, error) {
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }
	c := slackConfig{
		Token: env("SLACK_BOT_TOKEN"), SigningSecret: env("SLACK_SIGNING_SECRET"),
		SigningSecretPrevious: env("SLACK_SIGNING_SECRET_PREVIOUS"),
		Channel:               env("SLACK_CHANNEL"), Fallback: env("SLACK_FALLBACK_CHANNEL"),
		APIURL: env("SLACK_API_URL"),
	}
	var err error
	if c.Routes, err = whslack.ParseRoutes(env("SLACK_ROUTES")); err != nil {
		return c, configError{"SLACK_ROUTES", err.Error()}
	}
	if c.SyncDelay, err = durationEnv(getenv, "SLACK_SYNC_DELAY", 1500*time.Millisecond); err != nil {
		return c, err
	}
	if c.ReloadEvery, err = durationEnv(getenv, "SLACK_RELOAD_EVERY", 30*time.Second); err != nil {
		return c, err
	}
	if c.APIURL != "" {
		if u, err := url.Parse(c.APIURL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return c, configError{"SLACK_API_URL", "must be an absolute http(s) URL"}
		}
	}
	if c.Fallback != "" && !whslack.ValidChannel(c.Fallback) {
		return c, configError{"SLACK_FALLBACK_CHANNEL", "must be a channel id such as C0123ABCD"}
	}
	switch {
	case c.Token == "" && (c.SigningSecret != "" || c.Channel != ""):
		return c, configError{"SLACK_BOT_TOKEN", "is required with SLACK_SIGNING_SECRET and SLACK_CHANNEL"}
	case c.Token == "":
		return c, nil // Slack is off, or connected with `hub connect slack`
	case !strings.HasPrefix(c.Token, "xoxb-"):
		return c, configError{"SLACK_BOT_TOKEN", "must be a bot token (xoxb-…)"}
	case c.SigningSecret == "":
		return c, configError{"SLACK_SIGNING_SECRET", "is required with SLACK_BOT_TOKEN: it verifies Slack's requests"}
	case !whslack.ValidChannel(c.Channel):
		return c, configError{"SLACK_CHANNEL", "must be the id of the triage channel, such as C0123ABCD"}
	}
	return c, nil
}

// wireSlack connects the Slack connector: routes, decoders, tasks, follow-ups.
func (a *App) wireSlack(ctx context.Context) error {
	c := a.cfg.Slack
	settings := whslack.NewSettings(whslack.Config{
		Token: c.Token, SigningSecrets: slackSecrets(c.SigningSecret, c.SigningSecretPrevious),
		Channel: c.Channel, Fallback: c.Fallback, Routes: c.Routes, APIURL: c.APIURL,
	}, a.store.ListConnections, c.ReloadEvery, a.log.With("component", "slack"))
	// Learn the bot's identity now, in the background, so the first
	// requests find it known (receivers never call Slack themselves).
	_, _, _ = settings.Peek(ctx)
	rdb, ok := a.cfg.Redis.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		return errors.New("slack: the Redis options do not make a go-redis client")
	}
	a.closers = append(a.closers, func() { _ = rdb.Close() })
	svc := whslack.New(whslack.Options{
		Store:     a.store,
		Agents:    slackAgents{a.store},
		Settings:  settings,
		Pipeline:  a.pipeline,
		Replies:   replyRouter{a},
		Saved:     a.store,
		SurveyURL: surveyURL(a.cfg),
		Stores:    a.connectedStores,
		Pacer:     redisPacer{rdb},
		Locker:    redisLocker{rdb},
		Queue:     a.client,
		QueueName: a.cfg.Queue,
		Policy:    a.cfg.Policy,
		SyncDelay: c.SyncDelay,
		Logger:    a.log.With("component", "slack"),
		Metrics:   whslack.NewMetrics(a.reg),
	})
	a.routes = append(a.routes, svc.Routes)
	a.tasks = append(a.tasks, svc.Register)
	a.followups = append(a.followups, svc.Followups)
	a.periodic = append(a.periodic, periodicTask{"@every 1m", whslack.NewSweepTask()})
	a.pipeline.Handle(tickets.SourceSlack, svc.Decoder())
	// Only the stored connection is looked at here: asking Slack who the
	// token is would make every command wait on Slack.
	if c.Token == "" && !a.slackConnected(ctx) {
		a.log.Info("Slack is off: tickets record that no card was posted; set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_CHANNEL or run `hub connect slack` to turn it on")
	}
	return nil
}

// slackConnected reports whether `hub connect slack` stored an active
// workspace.
func (a *App) slackConnected(ctx context.Context) bool {
	list, err := a.store.ListConnections(ctx, tickets.SourceSlack)
	if err != nil {
		return false
	}
	for _, c := range list {
		if c.Active {
			return true
		}
	}
	return false
}

// connectedStores lists the active stores orders can be linked from.
func (a *App) connectedStores(ctx context.Context) ([]string, error) {
	list, err := a.store.ListConnections(ctx, "")
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, c := range list {
		if c.Active && (c.Kind == tickets.SourceShopify || c.Kind == tickets.SourceWooCommerce) {
			keys = append(keys, c.StoreKey())
		}
	}
	return keys, nil
}

// slackAgents adapts the store's agents to the Slack side.
type slackAgents struct{ s *postgres.Store }

func (a slackAgents) AgentBySlackUser(ctx context.Context, id string) (whslack.Agent, error) {
	ag, err := a.s.AgentBySlackUser(ctx, id)
	return whslack.Agent{Email: ag.Email, Name: ag.Name, SlackUserID: ag.SlackUserID}, err
}

func (a slackAgents) SaveAgent(ctx context.Context, ag whslack.Agent) (whslack.Agent, error) {
	saved, err := a.s.SaveAgent(ctx, postgres.Agent{Email: ag.Email, Name: ag.Name, SlackUserID: ag.SlackUserID})
	return whslack.Agent{Email: saved.Email, Name: saved.Name, SlackUserID: saved.SlackUserID}, err
}

// redisPacer hands out turns within Slack's rate limits across every
// worker process: a GCRA bucket per channel or workspace in Redis (one Lua
// script, so taking a turn is atomic), and a key per holder remembering
// the turn it booked, so that a task that waited for its turn and runs
// again takes that turn instead of booking another.
type redisPacer struct{ rdb redis.UniversalClient }

// paceScript: KEYS[1] the bucket's theoretical arrival time, KEYS[2] the
// holder's booked turn; ARGV: interval ms, burst, max wait ms. Time is
// Redis's own, the same for every process. Returns {wait ms, granted}.
var paceScript = redis.NewScript(`
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local held = redis.call("GET", KEYS[2])
if held then
  local at = tonumber(held)
  if at <= now then
    redis.call("DEL", KEYS[2])
    return {0, 1}
  end
  return {at - now, 1}
end
local interval, burst, maxwait = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call("GET", KEYS[1]) or "0")
if tat < now then tat = now end
local wait = tat - (burst - 1) * interval - now
if wait < 0 then wait = 0 end
if wait > maxwait then return {wait, 0} end
local newtat = tat + interval
redis.call("SET", KEYS[1], newtat, "PX", newtat - now + burst * interval)
if wait > 0 then
  redis.call("SET", KEYS[2], now + wait, "PX", wait + 600000)
end
return {wait, 1}`)

func (p redisPacer) Reserve(ctx context.Context, bucket string, r whslack.Rate, holder string, maxWait time.Duration) (time.Duration, bool, error) {
	res, err := paceScript.Run(ctx, p.rdb, []string{"hub:slack:pace:" + bucket, "hub:slack:turn:" + holder},
		r.Every.Milliseconds(), max(r.Burst, 1), maxWait.Milliseconds()).Int64Slice()
	if err != nil {
		return 0, false, err
	}
	return time.Duration(res[0]) * time.Millisecond, res[1] == 1, nil
}

// redisLocker is the card lock: SET NX PX with a random token, released
// only by its holder (a script compares the token), expiring by itself if
// the holder dies.
type redisLocker struct{ rdb redis.UniversalClient }

var unlockScript = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`)

func (l redisLocker) TryLock(ctx context.Context, key string, ttl time.Duration) (func(), bool, error) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token, k := hex.EncodeToString(b), "hub:slack:lock:"+key
	ok, err := l.rdb.SetNX(ctx, k, token, ttl).Result()
	if err != nil || !ok {
		return nil, false, err
	}
	return func() { _ = unlockScript.Run(context.WithoutCancel(ctx), l.rdb, []string{k}, token).Err() }, true, nil
}

func slackSecrets(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

const connectSlackUsage = `hub connect slack --token xoxb-… --signing-secret SECRET --channel C0123ABCD [--fallback-channel C…] [--routes tag:billing=C…,…]

Connects a Slack workspace: the token is checked with Slack (auth.test),
then it and the signing secret are stored encrypted with HUB_SECRET_KEY.
A running hub picks the connection up within 30 seconds, and posts the
cards of open tickets that have none. SLACK_* variables, when set, win.
`

// connectSlack is `hub connect slack`.
func (a *App) connectSlack(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("connect slack", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	token := fs.String("token", "", "the bot token (xoxb-…)")
	secret := fs.String("signing-secret", "", "the app's signing secret")
	channel := fs.String("channel", "", "the triage channel id")
	fallback := fs.String("fallback-channel", "", "where cards go when their channel fails")
	routes := fs.String("routes", "", "routing rules, as SLACK_ROUTES")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(out, connectSlackUsage)
			return err
		}
		return usageError{err.Error()}
	}
	cfg, err := loadSlackConfig(func(name string) string {
		return map[string]string{
			"SLACK_BOT_TOKEN": *token, "SLACK_SIGNING_SECRET": *secret, "SLACK_CHANNEL": *channel,
			"SLACK_FALLBACK_CHANNEL": *fallback, "SLACK_ROUTES": *routes,
		}[name]
	})
	if err == nil && cfg.Token == "" {
		err = configError{"--token", "is required"}
	}
	if err != nil || fs.NArg() > 0 {
		msg := "connect slack takes --token, --signing-secret and --channel"
		var ce configError
		if errors.As(err, &ce) {
			flagOf := map[string]string{"SLACK_BOT_TOKEN": "--token", "SLACK_SIGNING_SECRET": "--signing-secret",
				"SLACK_CHANNEL": "--channel", "SLACK_FALLBACK_CHANNEL": "--fallback-channel", "SLACK_ROUTES": "--routes"}
			msg = flagOf[ce.name] + " " + strings.NewReplacer("SLACK_BOT_TOKEN", "--token", "SLACK_SIGNING_SECRET", "--signing-secret", "SLACK_CHANNEL", "--channel").Replace(ce.msg)
		}
		return usageError{msg}
	}
	id, err := slackapi.New(cfg.Token, a.cfg.Slack.APIURL).AuthTest(ctx)
	if err != nil {
		return fmt.Errorf("slack: the token does not work: %w", err)
	}
	conn := tickets.Connection{
		Kind: tickets.SourceSlack, Key: id.TeamID, Name: id.Team, Active: true,
		Secrets:  map[string]string{whslack.SecretBotToken: cfg.Token, whslack.SecretSigningSecret: cfg.SigningSecret},
		Settings: map[string]string{whslack.SettingChannel: cfg.Channel, whslack.SettingFallback: cfg.Fallback, whslack.SettingRoutes: cfg.Routes.String()},
	}
	// A new signing secret keeps the old one valid for the requests Slack
	// already signed with it.
	if old, err := a.store.GetConnection(ctx, tickets.SourceSlack, id.TeamID); err == nil {
		if prev := old.Secrets[whslack.SecretSigningSecret]; prev != "" && prev != cfg.SigningSecret {
			conn.Secrets[whslack.SecretPrevious] = prev
		}
	}
	if _, err := a.store.SaveConnection(ctx, conn); err != nil {
		return fmt.Errorf("save the Slack connection: %s", tickets.ErrorMessage(err))
	}
	fmt.Fprintf(out, "Connected Slack workspace %q (%s); cards go to %s.\n", id.Team, id.TeamID, cfg.Channel)
	if a.cfg.Slack.Token != "" {
		fmt.Fprintln(out, "Note: SLACK_BOT_TOKEN is set in this environment and wins over the stored connection.")
	}
	return nil
}
