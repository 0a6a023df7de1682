package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"hub/migrations"
	"hub/tickets"
	"hub/tickets/api"
	"hub/tickets/postgres"
	"hub/webhooks"
)

// App is the whole hub, constructed from a Config: the one place things are
// built and wired. Tests boot it on port 0 with their own database.
type App struct {
	cfg      Config
	log      *slog.Logger
	pool     *pgxpool.Pool
	store    *postgres.Store
	client   *asynq.Client
	insp     *asynq.Inspector
	pipeline *webhooks.Pipeline
	api      *api.Server
	reg      *prometheus.Registry
	metrics  *httpMetrics
	now      func() time.Time
}

// Open connects to Postgres (creating and migrating the database if needed)
// and Redis, and builds every part of the hub.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	if err := migrations.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := migrations.ApplyURL(ctx, cfg.DatabaseURL); err != nil {
		return nil, err
	}
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	a := &App{cfg: cfg, log: log, pool: pool, now: time.Now, reg: prometheus.NewRegistry()}
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.metrics = newHTTPMetrics(a.reg)

	followups := combineFollowups() // connectors add theirs here
	a.store = postgres.New(pool, postgres.Options{Policy: cfg.Policy, Logger: log, Followups: followups})
	if cfg.APIKey != "" {
		if _, err := a.store.EnsureAPIKey(ctx, "HUB_API_KEY", cfg.APIKey); err != nil {
			pool.Close()
			return nil, fmt.Errorf("register HUB_API_KEY: %w", err)
		}
	}

	a.client = asynq.NewClient(cfg.Redis)
	a.insp = asynq.NewInspector(cfg.Redis)
	a.reg.MustRegister(webhooks.NewQueueCollector(a.insp))
	a.pipeline = webhooks.New(a.store, a.client, a.insp, webhooks.Options{
		StaleAfter: cfg.StaleAfter,
		Queue:      cfg.Queue,
		Logger:     log,
		Metrics:    webhooks.NewMetrics(a.reg),
	})
	a.pipeline.Handle(tickets.SourceZapier, webhooks.IntakeDecoder())

	a.api = api.New(api.Config{
		Store:         a.store,
		Keys:          api.AuthenticatorFunc(a.authenticate),
		Replayer:      a.pipeline,
		Policy:        cfg.Policy,
		Logger:        log,
		IsUnavailable: postgres.IsUnavailable,
	})
	return a, nil
}

// Close releases connections.
func (a *App) Close() {
	_ = a.client.Close()
	_ = a.insp.Close()
	a.pool.Close()
}

func (a *App) authenticate(ctx context.Context, key string) (api.Identity, error) {
	if key == "" {
		return api.Identity{}, tickets.Errorf(tickets.EUNAUTHORIZED, "an API key is required")
	}
	k, err := a.store.AuthenticateAPIKey(ctx, key)
	if err != nil {
		return api.Identity{}, err
	}
	return api.Identity{ID: k.ID, Name: k.Name}, nil
}

// intakeAuth adapts the API key check to the webhook receivers.
func (a *App) intakeAuth(ctx context.Context, key string) (tickets.Actor, error) {
	id, err := a.authenticate(ctx, key)
	if err != nil {
		return tickets.Actor{}, err
	}
	return id.Actor(), nil
}

func combineFollowups(fs ...tickets.Followups) tickets.Followups {
	if len(fs) == 0 {
		return nil
	}
	return func(t tickets.Ticket, e tickets.Event) []tickets.Followup {
		var out []tickets.Followup
		for _, f := range fs {
			out = append(out, f(t, e)...)
		}
		return out
	}
}

// ServeHTTP runs the web role on ln until ctx ends, then drains requests.
func (a *App) ServeHTTP(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Router(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// RunWorker runs the asynq workers, the outbox relay and the sweeper until
// ctx ends. On shutdown asynq waits for running tasks and hands back the
// unfinished ones to the queue, where another worker picks them up.
func (a *App) RunWorker(ctx context.Context) error {
	srv := asynq.NewServer(a.cfg.Redis, asynq.Config{
		Concurrency: a.cfg.WorkerConcurrency,
		Queues:      map[string]int{a.cfg.Queue: 1},
		// Low latency: look for new work every 100ms instead of every second,
		// and promote retries and scheduled tasks every second.
		TaskCheckInterval:        100 * time.Millisecond,
		DelayedTaskCheckInterval: time.Second,
		RetryDelayFunc:           webhooks.RetryDelay,
		IsFailure:                webhooks.IsFailure,
		ShutdownTimeout:          20 * time.Second,
		Logger:                   asynqLogger{a.log.With("component", "asynq")},
		LogLevel:                 asynq.WarnLevel,
	})
	mux := asynq.NewServeMux()
	mux.Use(a.pipeline.Middleware)
	a.pipeline.Register(mux)
	if err := srv.Start(mux); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	relayCtx, stopRelay := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.pipeline.Run(relayCtx); close(done) }()
	<-ctx.Done()
	srv.Shutdown()
	stopRelay()
	<-done
	return nil
}
