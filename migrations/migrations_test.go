package migrations_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"hub/migrations"
)

func adminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@localhost:5432/postgres?sslmode=disable"
}

// freshURL names a database that does not exist yet and drops it after the test.
func freshURL(t *testing.T) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(adminURL())
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "hub_migrations_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		conn, err := pgx.ConnectConfig(context.Background(), cfg)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "drop database if exists "+name+" with (force)"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(adminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func TestEnsureDatabaseAndApply(t *testing.T) {
	ctx := context.Background()
	url := freshURL(t)
	if err := migrations.ApplyURL(ctx, url); err == nil {
		t.Fatal("ApplyURL before EnsureDatabase: want an error")
	}

	// Twice: the second finds the database there.
	for range 2 {
		if err := migrations.EnsureDatabase(ctx, url); err != nil {
			t.Fatalf("EnsureDatabase: %v", err)
		}
	}

	// Hub processes starting together: tern's advisory lock lets one migrate.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- migrations.ApplyURL(ctx, url)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("ApplyURL: %v", err)
		}
	}

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if conn.Config().Database == "postgres" {
		t.Fatal("test database URL names the maintenance database")
	}
	if err := migrations.Apply(ctx, conn); err != nil {
		t.Fatalf("Apply again: %v", err)
	}
	for _, table := range []string{"tickets", "customers", "customer_stores", "orders", "ticket_orders",
		"messages", "events", "deliveries", "outbox", "api_keys", "agents"} {
		var ok bool
		if err := conn.QueryRow(ctx, "select to_regclass($1) is not null", table).Scan(&ok); err != nil || !ok {
			t.Errorf("table %s missing (err %v)", table, err)
		}
	}
	var number int64
	err = conn.QueryRow(ctx, `insert into tickets (subject, status, priority, source, created_at, updated_at)
		values ('x', 'open', 'medium', 'api', now(), now()) returning number`).Scan(&number)
	if err != nil || number != 1001 {
		t.Errorf("first ticket number = %d, %v; want 1001", number, err)
	}
}

// Hub processes starting together on a machine without the database all try
// to create it; every one of them must carry on (a unique violation on
// pg_database is the race's other face, besides duplicate_database).
func TestEnsureDatabaseConcurrently(t *testing.T) {
	ctx := context.Background()
	for round := range 5 {
		url := freshURL(t)
		var wg sync.WaitGroup
		errs := make(chan error, 6)
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- migrations.EnsureDatabase(ctx, url)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: EnsureDatabase: %v", round, err)
			}
		}
	}
}

func TestEnsureDatabaseBadServer(t *testing.T) {
	err := migrations.EnsureDatabase(context.Background(), "postgres://postgres@127.0.0.1:1/hub?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("EnsureDatabase on a closed port: want an error")
	}
}

// DATABASE_URL may carry the pool's settings: migrations must understand
// them as the pool does instead of sending them to the server.
func TestPoolSettingsInTheURL(t *testing.T) {
	ctx := context.Background()
	url := freshURL(t) + "&pool_max_conns=40&pool_min_conns=2&pool_max_conn_lifetime=1h"
	if err := migrations.EnsureDatabase(ctx, url); err != nil {
		t.Fatalf("EnsureDatabase with pool settings: %v", err)
	}
	if err := migrations.ApplyURL(ctx, url); err != nil {
		t.Fatalf("ApplyURL with pool settings: %v", err)
	}
}
