// Package migrations holds the hub's database schema as numbered,
// forward-only SQL files (001_tickets.sql, 002_..., never edited once
// released) and applies them.
//
// Migrations run under tern's Postgres advisory lock, so any number of hub
// processes may start at once against the same database: one migrates, the
// others wait and then find nothing to do.
package migrations

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed *.sql
var files embed.FS

// versionTable records the applied version.
const versionTable = "public.schema_version"

// Apply brings the database conn is connected to up to the latest schema.
func Apply(ctx context.Context, conn *pgx.Conn) error {
	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if err := m.LoadMigrations(files); err != nil {
		return fmt.Errorf("migrations: load: %w", err)
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrations: migrate: %w", err)
	}
	return nil
}

// ApplyURL connects to databaseURL and applies the migrations. The database
// must exist (see EnsureDatabase). The URL may carry pgxpool's settings
// (pool_max_conns, ...), which are the pool's business, not the server's.
func ApplyURL(ctx context.Context, databaseURL string) error {
	cfg, err := connConfig(databaseURL)
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("migrations: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return Apply(ctx, conn)
}

// EnsureDatabase creates the database named in databaseURL when it does not
// exist yet, by connecting to the "postgres" database of the same server. It
// does nothing when the database can be reached, so it needs no rights beyond
// connecting in the usual case.
func EnsureDatabase(ctx context.Context, databaseURL string) error {
	cfg, err := connConfig(databaseURL)
	if err != nil {
		return err
	}
	name := cfg.Database
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		return conn.Close(ctx)
	}
	if !hasCode(err, "3D000") { // invalid_catalog_name: the database does not exist
		return fmt.Errorf("migrations: connect: %w", err)
	}

	admin := cfg.Copy()
	admin.Database = "postgres"
	conn, err = pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return fmt.Errorf("migrations: connect to create database %q: %w", name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, "create database "+pgx.Identifier{name}.Sanitize())
	// Another process creating it at the same moment shows up as
	// duplicate_database, or, when both pass the catalog check together, as
	// a unique violation on pg_database's name index.
	if err != nil && !hasCode(err, "42P04") && !hasCode(err, "23505") {
		return fmt.Errorf("migrations: create database %q: %w", name, err)
	}
	return nil
}

// connConfig parses a database URL as the hub's pool does, so that pool
// settings in it are understood rather than sent to the server as unknown
// run-time parameters.
func connConfig(databaseURL string) (*pgx.ConnConfig, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("migrations: parse database URL: %w", err)
	}
	return cfg.ConnConfig, nil
}

func hasCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}

// Files returns the embedded migration files.
func Files() fs.FS { return files }
