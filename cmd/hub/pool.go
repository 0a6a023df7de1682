package main

import (
	"context"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// openPool opens the Postgres pool DATABASE_URL describes. The URL's own
// pool settings (pool_max_conns, pool_min_conns, ...; see pgxpool) win;
// without them the hub sizes the pool for its work rather than taking
// pgx's default of max(4, CPUs), which starved a 2-core machine: intake,
// workers and relay all wait on the same connections.
func openPool(ctx context.Context, url string, tracer pgx.QueryTracer) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.Tracer = tracer
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = defaultPoolSize()
	}
	// A database that hangs (rather than refusing) must not hold a request
	// or a worker forever: connecting gives up after a few seconds.
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// defaultPoolSize is the pool size without pool_max_conns: 8 per CPU, at
// least 16. Postgres on the same machine serves that many busy
// connections well; more only queue inside Postgres instead of the pool.
func defaultPoolSize() int32 {
	return int32(max(16, 8*runtime.GOMAXPROCS(0)))
}
