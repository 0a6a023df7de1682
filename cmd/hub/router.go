package main

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/hibiken/asynqmon"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"hub/tickets/api"
	"hub/webhooks"
)

// Router mounts every route of the hub in one place.
func (a *App) Router() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.RealIP, middleware.Recoverer, a.metrics.middleware)

	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		webhooks.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.Get("/readyz", a.ready)
	r.Handle("/metrics", promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{Registry: a.reg}))

	// Everything but the operations endpoints above is admitted or shed
	// (HUB_MAX_INFLIGHT): at capacity a request gets 503 and Retry-After
	// within milliseconds instead of queueing.
	r.Group(func(r chi.Router) {
		r.Use(a.admission.Middleware)
		for _, add := range a.routes {
			add(r)
		}
		r.Group(func(r chi.Router) {
			r.Use(middleware.Timeout(30 * time.Second))
			r.Mount("/api/v1", a.api.Routes())
		})
	})

	for _, add := range a.streams {
		add(r)
	}

	mon := asynqmon.New(asynqmon.Options{RootPath: "/admin/queues", RedisConnOpt: a.cfg.Redis})
	a.closers = append(a.closers, func() { _ = mon.Close() })
	admin := basicAsKey(a.api.RequireKey(mon))
	r.Handle("/admin/queues", admin)
	r.Handle("/admin/queues/*", admin)
	return r
}

// ready answers 200 when Postgres and Redis both answer, else 503 naming
// the one that did not.
func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status := map[string]string{"postgres": "ok", "redis": "ok"}
	code := http.StatusOK
	if err := a.pool.Ping(ctx); err != nil {
		status["postgres"], code = "unreachable", http.StatusServiceUnavailable
	}
	if err := a.client.Ping(); err != nil {
		status["redis"], code = "unreachable", http.StatusServiceUnavailable
	}
	webhooks.WriteJSON(w, code, status)
}

// basicAsKey lets a browser reach /admin/queues: the API key may come as the
// password of HTTP Basic auth, and a missing key asks the browser for it.
func basicAsKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pass, ok := r.BasicAuth(); ok && pass != "" {
			r = r.Clone(r.Context())
			r.Header.Del("Authorization")
			r.Header.Set("X-API-Key", pass)
		} else if api.RequestKey(r) == "" {
			w.Header().Set("WWW-Authenticate", `Basic realm="hub admin (API key as password)"`)
		}
		next.ServeHTTP(w, r)
	})
}

// httpMetrics measures requests by route pattern (never the raw path, whose
// ids would explode the series) and status.
type httpMetrics struct {
	seconds *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hub_http_request_duration_seconds",
		Help:    "HTTP request latency by method, route and status.",
		Buckets: prometheus.DefBuckets,
	}, []string{"method", "route", "status"})}
	reg.MustRegister(m.seconds)
	return m
}

func (m *httpMetrics) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		route := "unmatched"
		if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
			route = rc.RoutePattern()
		}
		status := ww.Status()
		if status == 0 {
			status = http.StatusOK
		}
		m.seconds.WithLabelValues(r.Method, route, strconv.Itoa(status)).Observe(time.Since(start).Seconds())
	})
}
