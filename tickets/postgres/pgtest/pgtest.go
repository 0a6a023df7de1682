// Package pgtest gives tests a fresh, migrated PostgreSQL database of their
// own on the server named by TEST_DATABASE_URL (default: the local server).
//
// The schema is migrated once into a template database per version of the
// migrations, shared by every test process; each test then gets a cheap copy
// (CREATE DATABASE ... TEMPLATE) that is dropped when the test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"hub/migrations"
)

// DefaultURL is the server used when TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@localhost:5432/postgres?sslmode=disable"

// lockKey serialises building the template across test processes.
const lockKey = int64(0x6875627465737431) // "hubtest1"

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// New returns a pool on a fresh migrated database. The pool is closed and the
// database dropped when the test ends.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := URL(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	// Registered after URL's cleanup, so it runs first: close, then drop.
	t.Cleanup(pool.Close)
	return pool
}

// URL returns the URL of a fresh migrated database, dropped when the test
// ends. Close every connection to it before then (t.Cleanup functions run
// last-registered first, so register closing after calling URL).
func URL(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	admin := adminConfig(t)
	tmpl, err := template(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	name := "hub_test_" + randomHex(8)
	if err := execAdmin(ctx, admin, "create database "+ident(name)+" template "+ident(tmpl)); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := execAdmin(ctx, admin, "drop database if exists "+ident(name)+" with (force)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return withDatabase(adminURL(), name)
}

// adminConfig is the connection to the server's maintenance database.
func adminConfig(t testing.TB) *pgx.ConnConfig {
	t.Helper()
	cfg, err := pgx.ParseConfig(adminURL())
	if err != nil {
		t.Fatalf("pgtest: TEST_DATABASE_URL: %v", err)
	}
	return cfg
}

func adminURL() string {
	if url := os.Getenv("TEST_DATABASE_URL"); url != "" {
		return url
	}
	return DefaultURL
}

// withDatabase returns the connection string dsn (a URL or keyword/value
// string) naming database name instead. (pgx.ConnConfig.ConnString returns
// the string it was parsed from, so changing Database there is not enough.)
func withDatabase(dsn, name string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			u.Path = "/" + name
			u.RawPath = ""
			return u.String()
		}
	}
	return dsn + " dbname=" + name
}

// template returns the name of the migrated template database, building it
// the first time any process needs it.
func template(ctx context.Context, admin *pgx.ConnConfig) (string, error) {
	templateOnce.Do(func() {
		templateName, templateErr = buildTemplate(ctx, admin)
	})
	return templateName, templateErr
}

func buildTemplate(ctx context.Context, admin *pgx.ConnConfig) (string, error) {
	sum, err := migrationsHash()
	if err != nil {
		return "", err
	}
	name := "hub_test_tmpl_" + sum

	conn, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// Other test processes build the same template: one builds, the rest
	// wait and find it.
	if _, err := conn.Exec(ctx, "select pg_advisory_lock($1)", lockKey); err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "select pg_advisory_unlock($1)", lockKey)

	var exists bool
	if err := conn.QueryRow(ctx, "select exists (select 1 from pg_database where datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		// Mark it used now, so another checkout's cleanup leaves it alone
		// while this run goes on.
		if _, err := conn.Exec(ctx, "comment on database "+ident(name)+" is '"+templateMark()+"'"); err != nil {
			return "", fmt.Errorf("mark template: %w", err)
		}
		return name, nil
	}
	// Templates of earlier migrations are of no further use once nobody runs
	// them: those last used more than a day ago go (their comment says when
	// a test run last started from them). A younger one may belong to a test
	// run of another checkout with other migrations, running right now, and
	// so may one without the comment (made by an older pgtest): those are
	// left alone.
	rows, err := conn.Query(ctx, `select datname from pg_database
		where datname like 'hub_test_tmpl_%' and datname <> $1
		and substring(shobj_description(oid, 'pg_database')
			from '^used (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$')::timestamptz < now() - interval '1 day'`, name)
	if err != nil {
		return "", err
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	for _, old := range stale {
		_, _ = conn.Exec(ctx, "drop database if exists "+ident(old)+" with (force)")
	}

	// Build under a scratch name and rename when complete, so a crash midway
	// never leaves a half-migrated template behind under the real name.
	scratch := "hub_test_build_" + randomHex(6)
	if _, err := conn.Exec(ctx, "create database "+ident(scratch)); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	if err := migrations.ApplyURL(ctx, withDatabase(adminURL(), scratch)); err != nil {
		conn.Exec(context.WithoutCancel(ctx), "drop database if exists "+ident(scratch)+" with (force)")
		return "", err
	}
	if _, err := conn.Exec(ctx, "comment on database "+ident(scratch)+" is '"+templateMark()+"'"); err != nil {
		return "", fmt.Errorf("date template: %w", err)
	}
	if _, err := conn.Exec(ctx, "alter database "+ident(scratch)+" rename to "+ident(name)); err != nil {
		return "", fmt.Errorf("rename template: %w", err)
	}
	return name, nil
}

// templateMark is a template's comment: when a test run last used it.
func templateMark() string { return "used " + time.Now().UTC().Format("2006-01-02T15:04:05Z") }

// migrationsHash names the template after the migrations' content, so a
// changed migration gets a new template.
func migrationsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.Files(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.Files(), path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func execAdmin(ctx context.Context, admin *pgx.ConnConfig, sql string) error {
	conn, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for attempt := 0; ; attempt++ {
		_, err = conn.Exec(ctx, sql)
		// 55006 object_in_use: the template is briefly busy (a concurrent
		// CREATE DATABASE from it in another process); try again.
		var pgErr *pgconn.PgError
		if err == nil || attempt >= 50 || !errors.As(err, &pgErr) || pgErr.Code != "55006" {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
