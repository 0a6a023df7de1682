package main

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"hub/tickets"
)

// Config is everything the hub reads from its environment, read once at
// start (DESIGN.md, "Contract: configuration").
type Config struct {
	Addr        string
	DatabaseURL string
	RedisURL    string
	Redis       asynq.RedisConnOpt
	APIKey      string
	SecretKey   string
	PublicURL   string
	Policy      tickets.Policy
	LogLevel    string
	// DebugAddr, when set, serves Go's profiler there (HUB_DEBUG_ADDR).
	DebugAddr string
	// WorkerConcurrency is the number of tasks a worker runs at once.
	WorkerConcurrency int
	// Queue is the asynq queue name; hubs sharing one Redis need their own.
	Queue string
	// StaleAfter is how long an unprocessed delivery waits before the
	// sweeper re-enqueues it.
	StaleAfter time.Duration
	// MaxInFlight is how many requests the web role serves at once; more
	// get 503 (HUB_MAX_INFLIGHT).
	MaxInFlight int
	// MaxBacklog is how many tasks may wait for a worker before new
	// deliveries get 503 (HUB_MAX_BACKLOG).
	MaxBacklog int

	// Each connector's settings (cmd/hub/<vendor>.go).
	Shopify     shopifyConfig
	WooCommerce woocommerceConfig
	Slack       slackConfig
	Zapier      zapierConfig
	Email       emailConfig
}

const (
	defaultDatabaseURL = "postgres://postgres@localhost:5432/hub?sslmode=disable"
	defaultRedisURL    = "redis://localhost:6379/0"
)

// configError is a bad or missing setting: one line, never a secret.
type configError struct{ name, msg string }

func (e configError) Error() string { return "config: " + e.name + ": " + e.msg }

// LoadConfig reads the configuration from getenv (os.Getenv in main).
func LoadConfig(getenv func(string) string) (Config, error) {
	env := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		Addr:        env("HUB_ADDR", ":8080"),
		DatabaseURL: env("DATABASE_URL", defaultDatabaseURL),
		RedisURL:    env("REDIS_URL", defaultRedisURL),
		APIKey:      env("HUB_API_KEY", ""),
		SecretKey:   env("HUB_SECRET_KEY", ""),
		PublicURL:   strings.TrimRight(env("HUB_PUBLIC_URL", ""), "/"),
		LogLevel:    env("HUB_LOG_LEVEL", "info"),
		DebugAddr:   env("HUB_DEBUG_ADDR", ""),
		Queue:       env("HUB_QUEUE", "default"),
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return c, configError{"DATABASE_URL", "must be a postgres:// URL"}
	}
	rc, err := parseRedisURL(c.RedisURL)
	if err != nil {
		return c, configError{"REDIS_URL", err.Error()}
	}
	c.Redis = rc
	if c.APIKey != "" && len(c.APIKey) < 16 {
		return c, configError{"HUB_API_KEY", "must be at least 16 characters"}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return c, configError{"HUB_PUBLIC_URL", "must be an absolute http(s) URL"}
		}
	}
	cal, err := tickets.ParseCalendar(env("HUB_TIMEZONE", ""), env("HUB_BUSINESS_DAYS", ""), env("HUB_BUSINESS_HOURS", ""))
	if err != nil {
		return c, configError{"HUB_TIMEZONE/HUB_BUSINESS_DAYS/HUB_BUSINESS_HOURS", tickets.ErrorMessage(err)}
	}
	c.Policy = tickets.DefaultPolicy()
	c.Policy.Calendar = cal
	if c.WorkerConcurrency, err = intEnv(getenv, "HUB_WORKER_CONCURRENCY", 32); err != nil {
		return c, err
	}
	if c.StaleAfter, err = durationEnv(getenv, "HUB_SWEEP_AFTER", time.Minute); err != nil {
		return c, err
	}
	if c.MaxInFlight, err = intEnvMax(getenv, "HUB_MAX_INFLIGHT", 256, 100_000); err != nil {
		return c, err
	}
	if c.MaxBacklog, err = intEnvMax(getenv, "HUB_MAX_BACKLOG", 50_000, 100_000_000); err != nil {
		return c, err
	}
	if c.Shopify, err = loadShopifyConfig(getenv); err != nil {
		return c, err
	}
	if c.WooCommerce, err = loadWooCommerceConfig(getenv); err != nil {
		return c, err
	}
	if c.Slack, err = loadSlackConfig(getenv); err != nil {
		return c, err
	}
	if c.Zapier, err = loadZapierConfig(getenv); err != nil {
		return c, err
	}
	if c.Email, err = loadEmailConfig(getenv); err != nil {
		return c, err
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return c, configError{"HUB_LOG_LEVEL", "must be debug, info, warn or error"}
	}
	return c, nil
}

func intEnv(getenv func(string) string, name string, def int) (int, error) {
	return intEnvMax(getenv, name, def, 1000)
}

func intEnvMax(getenv func(string) string, name string, def, max int) (int, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	var n int
	if _, err := fmt.Sscan(v, &n); err != nil || n <= 0 || n > max {
		return 0, configError{name, fmt.Sprintf("must be a whole number from 1 to %d", max)}
	}
	return n, nil
}

func durationEnv(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, configError{name, "must be a duration such as 30s or 2m"}
	}
	return d, nil
}
