package pgtest_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"hub/tickets/postgres/pgtest"
)

func TestNewGivesEachTestItsOwnMigratedDatabase(t *testing.T) {
	ctx := context.Background()
	var names []string
	for range 2 {
		t.Run("db", func(t *testing.T) {
			pool := pgtest.New(t)
			var name string
			var tables int
			err := pool.QueryRow(ctx, `select current_database(),
				(select count(*) from pg_tables where schemaname = 'public' and tablename = 'tickets')`).Scan(&name, &tables)
			if err != nil || tables != 1 || name == "postgres" {
				t.Fatalf("database %q has %d tickets tables: %v", name, tables, err)
			}
			names = append(names, name)
		})
	}
	if names[0] == names[1] {
		t.Errorf("both tests got %s", names[0])
	}
	// Dropped when the tests ended.
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		url = pgtest.DefaultURL
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Skip(err)
	}
	defer conn.Close(ctx)
	var n int
	conn.QueryRow(ctx, "select count(*) from pg_database where datname = any($1)", names).Scan(&n)
	if n != 0 {
		t.Errorf("%d test databases left behind", n)
	}
}
