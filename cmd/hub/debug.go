package main

import (
	"context"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
)

// serveDebug serves Go's profiler on addr (HUB_DEBUG_ADDR) until ctx ends:
// a listener of its own, never the public one, for finding where the time
// goes (`go tool pprof http://ADDR/debug/pprof/profile`).
func (a *App) serveDebug(ctx context.Context, addr string) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	a.log.Info("debug listener (pprof)", "addr", ln.Addr().String())
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// queryCounter counts the statements the hub sends to Postgres
// (hub_db_queries_total), so that queries per ticket can be read off a
// load test: a pgx tracer on the pool.
type queryCounter struct{ n prometheus.Counter }

func newQueryCounter(reg prometheus.Registerer) *queryCounter {
	c := &queryCounter{n: prometheus.NewCounter(prometheus.CounterOpts{
		Name: "hub_db_queries_total",
		Help: "Statements sent to PostgreSQL (each statement of a batch counts).",
	})}
	reg.MustRegister(c.n)
	return c
}

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Inc()
	return ctx
}

func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *queryCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	if d.Batch != nil {
		c.n.Add(float64(d.Batch.Len()))
	}
	return ctx
}

func (c *queryCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (c *queryCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}
