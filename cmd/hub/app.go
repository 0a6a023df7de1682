package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"hub/cmd/hub/logthrottle"
	"hub/enrich"
	"hub/migrations"
	"hub/tickets"
	"hub/tickets/api"
	"hub/tickets/postgres"
	"hub/tickets/rules"
	"hub/tickets/web"
	"hub/webhooks"
)

// App is the whole hub, constructed from a Config: the one place things are
// built and wired. Tests boot it on port 0 with their own database.
type App struct {
	cfg Config
	log *slog.Logger
	// asynqLogs throttles the asynq server's and scheduler's log lines.
	asynqLogs *logthrottle.Throttle
	pool      *pgxpool.Pool
	store     *postgres.Store
	redis     redis.UniversalClient // shared by the asynq client and inspector
	client    *asynq.Client
	insp      *asynq.Inspector
	pipeline  *webhooks.Pipeline
	// admission sheds requests past HUB_MAX_INFLIGHT; backlog is the
	// queue's tasks waiting for a worker, read every second by the web
	// role, for shedding deliveries past HUB_MAX_BACKLOG.
	admission *webhooks.Admission
	backlog   atomic.Int64
	api       *api.Server
	reg       *prometheus.Registry
	metrics   *httpMetrics
	now       func() time.Time
	// rules are the rules in force, reloaded on SIGHUP (cmd/hub/rules.go).
	rules *rules.Current

	// What the connectors add as they are wired (cmd/hub/<vendor>.go).
	routes    []func(chi.Router)
	tasks     []func(*asynq.ServeMux)
	followups []tickets.Followups
	periodic  []periodicTask
	workers   []func(context.Context) // long-running loops of the worker role
	// web are servers of the web role besides HTTP (the SMTP listener);
	// each runs until its context ends.
	web []func(context.Context) error
	// email is the wired email channel, nil when it is off.
	email *emailChannel
	// replies say where a public reply goes beyond the ticket (a
	// WooCommerce order note, Zapier workflows), for Slack's reply modal.
	replies []func(context.Context, tickets.Ticket) []string
	// dashboard is the web dashboard; streams are its long-lived routes,
	// mounted outside the admission limit (cmd/hub/web.go).
	dashboard *web.Server
	streams   streamRoutes
	// closers release what the connectors opened, on Close.
	closers []func()
	// sources are the connected stores the enrichment asks, by kind.
	sources []func(context.Context) ([]enrich.Source, error)
}

// periodicTask is a task the scheduler enqueues on a cron schedule.
// asynq.Unique keeps two schedulers (two hub processes) from doubling it.
type periodicTask struct {
	spec string
	task *asynq.Task
}

// Open connects to Postgres (creating and migrating the database if needed)
// and Redis, and builds every part of the hub.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	// The rules first: a broken file stops the start before anything is
	// touched.
	rs, err := loadRules(cfg.RulesFile)
	if err != nil {
		return nil, fmt.Errorf("rules: the file is refused:\n%w", err)
	}
	redisLog.Store(log.With("component", "redis"))
	if err := migrations.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := migrations.ApplyURL(ctx, cfg.DatabaseURL); err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	pool, err := openPool(ctx, cfg.DatabaseURL, newQueryCounter(reg))
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	a := &App{cfg: cfg, log: log, pool: pool, now: time.Now, reg: reg, asynqLogs: &logthrottle.Throttle{}, rules: rules.NewCurrent(rs)}
	logRules(log, cfg.RulesFile, rs)
	a.redis = cfg.Redis.MakeRedisClient().(redis.UniversalClient)
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.metrics = newHTTPMetrics(a.reg)

	// Followups are read at call time, so connectors wired below add theirs.
	followups := func(t tickets.Ticket, e tickets.Event) []tickets.Followup {
		return combineFollowups(a.followups...)(t, e)
	}
	a.store = postgres.New(pool, postgres.Options{Policy: cfg.Policy, Logger: log, Followups: followups, SecretKey: cfg.SecretKey,
		// A reply that goes by email stops the first-response clock once
		// the mail server has accepted it (cmd/hub/email.go).
		FirstResponseOnDelivery: a.repliesByEmail, Rules: a.rules.Get})
	if cfg.APIKey != "" {
		if _, err := a.store.EnsureAPIKey(ctx, "HUB_API_KEY", cfg.APIKey); err != nil {
			pool.Close()
			return nil, fmt.Errorf("register HUB_API_KEY: %w", err)
		}
	}

	a.client = asynq.NewClientFromRedisClient(a.redis)
	a.insp = asynq.NewInspectorFromRedisClient(a.redis)
	a.reg.MustRegister(webhooks.NewQueueCollector(a.insp, a.cfg.Queue))
	metrics := webhooks.NewMetrics(a.reg)
	a.admission = webhooks.NewAdmission(cfg.MaxInFlight, admissionWait, metrics)
	// Concurrent webhooks share a commit (one WAL flush for a group).
	batchCtx, stopBatch := context.WithCancel(context.Background())
	a.closers = append(a.closers, stopBatch)
	batcher := a.store.NewIntakeBatcher(batchCtx, intakeWriters, intakeGroup)
	a.pipeline = webhooks.New(a.store, a.client, a.insp, webhooks.Options{
		StaleAfter:    cfg.StaleAfter,
		Queue:         cfg.Queue,
		Logger:        log,
		Metrics:       metrics,
		IsUnavailable: postgres.IsUnavailable,
		Marks:         redisMarks{a.redis},
		Backlog:       func() int { return int(a.backlog.Load()) },
		MaxBacklog:    cfg.MaxBacklog,
		Recorder:      batcher,
	})
	a.pipeline.Handle(tickets.SourceZapier, webhooks.IntakeDecoder())

	a.api = api.New(api.Config{
		Store:         a.store,
		Keys:          api.AuthenticatorFunc(a.authenticate),
		Replayer:      a.pipeline,
		Replies:       a.store,
		SurveyURL:     surveyURL(cfg),
		KnownStore:    a.knownStore,
		Policy:        cfg.Policy,
		Logger:        log,
		IsUnavailable: postgres.IsUnavailable,
		Attachments:   a.store,
		// Read at call time: the connectors wired below add their channels.
		Reach: func(ctx context.Context, t tickets.Ticket) []string { return replyRouter{a}.ReplyRoutes(ctx, t) },
	})

	for _, wire := range []func(context.Context) error{a.wireCore, a.wireSurvey, a.wireShopify, a.wireWooCommerce, a.wireSlack, a.wireZapier, a.wireEmail, a.wireWeb} {
		if err := wire(ctx); err != nil {
			a.Close()
			return nil, err
		}
	}
	return a, nil
}

// wireCore adds the work every hub does whatever is connected: SLA
// warnings, and the enrichment, which asks whichever stores are connected.
func (a *App) wireCore(context.Context) error {
	en := enrich.New(a.store, a.enrichSources, enrich.Options{Logger: a.log.With("component", "enrich")})
	a.tasks = append(a.tasks, en.Register)
	a.followups = append(a.followups, enrich.Followups)
	a.tasks = append(a.tasks, func(mux *asynq.ServeMux) {
		mux.HandleFunc(typeSLAWarn, func(ctx context.Context, _ *asynq.Task) error {
			n, err := a.store.WarnSLA(ctx, a.now())
			if n > 0 {
				a.log.Info("SLA warnings", "tickets", n)
			}
			return err
		})
	})
	a.periodic = append(a.periodic, periodicTask{"@every 1m", asynq.NewTask(typeSLAWarn, nil)})
	return nil
}

const typeSLAWarn = "sla:warn"

// enrichSources lists every connected store the connectors provide.
func (a *App) enrichSources(ctx context.Context) ([]enrich.Source, error) {
	var all []enrich.Source
	for _, list := range a.sources {
		srcs, err := list(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, srcs...)
	}
	return all, nil
}

// knownStore reports whether store is the key of a store the connectors
// have connected now (the API's check before linking an order to it).
func (a *App) knownStore(ctx context.Context, store string) (bool, error) {
	srcs, err := a.enrichSources(ctx)
	if err != nil {
		return false, err
	}
	for _, s := range srcs {
		if s.Store() == store {
			return true, nil
		}
	}
	return false, nil
}

// Close releases connections.
func (a *App) Close() {
	for _, c := range a.closers {
		c()
	}
	_ = a.client.Close()
	_ = a.insp.Close()
	_ = a.redis.Close()
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
	return func(t tickets.Ticket, e tickets.Event) []tickets.Followup {
		var out []tickets.Followup
		for _, f := range fs {
			out = append(out, f(t, e)...)
		}
		return out
	}
}

// intakeWriters groups of up to intakeGroup deliveries are written at
// once: enough writers that a group is always filling while others commit,
// few enough that groups form under load.
const (
	intakeWriters = 4
	intakeGroup   = 64
)

// admissionWait is how long a request waits for a free slot before 503.
const admissionWait = 25 * time.Millisecond

// watchBacklog reads how many tasks wait for a worker, every second, until
// ctx ends. One cheap Redis read a second per web process.
func (a *App) watchBacklog(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if q, err := a.insp.GetQueueInfo(a.cfg.Queue); err == nil {
			a.backlog.Store(int64(q.Pending))
		} else if isQueueNotFound(err) {
			// After Redis lost its data, asynq's clients do not register
			// the queue again (they remember having done it), so the
			// Inspector, /metrics and /admin/queues would not see tasks
			// waiting in it. Registering it is what an enqueue does.
			a.backlog.Store(0)
			_ = a.redis.SAdd(ctx, "asynq:queues", a.cfg.Queue).Err()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func isQueueNotFound(err error) bool { return errors.Is(err, asynq.ErrQueueNotFound) }

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
	go a.watchBacklog(ctx)
	// The other servers of the web role (the SMTP listener) stop with it.
	webErr := make(chan error, len(a.web))
	webCtx, stopWeb := context.WithCancel(ctx)
	var webDone sync.WaitGroup
	for _, w := range a.web {
		webDone.Add(1)
		go func() { defer webDone.Done(); webErr <- w(webCtx) }()
	}
	defer func() { stopWeb(); webDone.Wait() }()
	select {
	case err := <-errc:
		return err
	case err := <-webErr:
		if err != nil {
			_ = srv.Close()
			return err
		}
		<-ctx.Done()
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
	th := a.asynqLogs
	srv := asynq.NewServer(a.cfg.Redis, asynq.Config{
		Concurrency: a.cfg.WorkerConcurrency,
		Queues:      map[string]int{a.cfg.Queue: 1},
		// Low latency: look for new work every 20ms instead of every second (a
		// new card is posted within a few of these hops after its webhook),
		// and promote retries and scheduled tasks every second.
		TaskCheckInterval:        20 * time.Millisecond,
		DelayedTaskCheckInterval: time.Second,
		RetryDelayFunc:           webhooks.RetryDelay,
		IsFailure:                webhooks.IsFailure,
		ShutdownTimeout:          20 * time.Second,
		Logger:                   asynqLogger{a.log.With("component", "asynq"), th},
		LogLevel:                 asynq.WarnLevel,
	})
	mux := asynq.NewServeMux()
	mux.Use(a.pipeline.Middleware)
	a.pipeline.Register(mux)
	for _, reg := range a.tasks {
		reg(mux)
	}
	if err := srv.Start(mux); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	sched := asynq.NewScheduler(a.cfg.Redis, &asynq.SchedulerOpts{
		Logger:   asynqLogger{a.log.With("component", "scheduler"), th},
		LogLevel: asynq.WarnLevel,
	})
	for _, p := range a.periodic {
		if _, err := sched.Register(p.spec, p.task, asynq.Queue(a.cfg.Queue), asynq.Unique(time.Minute/2), asynq.MaxRetry(0)); err != nil {
			srv.Shutdown()
			return fmt.Errorf("scheduler: %s: %w", p.task.Type(), err)
		}
	}
	if err := sched.Start(); err != nil {
		srv.Shutdown()
		return fmt.Errorf("scheduler: %w", err)
	}
	loopCtx, stopLoops := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, loop := range append([]func(context.Context){a.pipeline.Run}, a.workers...) {
		wg.Add(1)
		go func() { defer wg.Done(); loop(loopCtx) }()
	}
	<-ctx.Done()
	sched.Shutdown()
	srv.Shutdown()
	stopLoops()
	wg.Wait()
	return nil
}

// replyRouter tells the Slack reply modal every outbound channel a public
// reply on a ticket would take, as the connectors report them.
type replyRouter struct{ a *App }

// ReplyRoutes implements the Slack service's ReplyRouter.
func (r replyRouter) ReplyRoutes(ctx context.Context, t tickets.Ticket) []string {
	var out []string
	for _, f := range r.a.replies {
		out = append(out, f(ctx, t)...)
	}
	return out
}
