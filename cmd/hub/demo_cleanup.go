package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
)

// The demo shares Redis with the real hub (REDIS_URL), so what it leaves
// there would show in the hub's queue metrics and in asynqmon: it removes
// its queue on exit, and its database too. Both are named after the demo
// database, so a demo that was killed has them removed by the next one.

// cleanupTimeout bounds the clean-up, which runs after Ctrl-C too.
const cleanupTimeout = 30 * time.Second

// dropDemoDatabase drops the demo's database, closing any session left on it.
func dropDemoDatabase(ctx context.Context, dbURL string) error {
	u, err := url.Parse(dbURL)
	if err != nil {
		return err
	}
	name := dbName(dbURL)
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop %s: %w", name, err)
	}
	return nil
}
