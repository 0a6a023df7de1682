package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"hub/tickets/postgres/pgtest"
	"hub/webhooks/faulttest"
)

// TestSubcommandHelp: each subcommand's --help prints its own usage and
// only its own flags, on stdout, exit 0, without a database.
func TestSubcommandHelp(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    []string
		notWant []string
	}{
		{[]string{"apikey", "create", "--help"}, []string{"hub apikey create", "-name"}, []string{"-status", "-limit"}},
		{[]string{"deliveries", "list", "-h"}, []string{"hub deliveries list", "-status", "-limit"}, []string{"-name"}},
		{[]string{"deliveries", "replay", "--help"}, []string{"hub deliveries replay ID"}, []string{"-name", "-status", "Flags:"}},
		{[]string{"apikey", "--help"}, []string{"apikey create", "apikey list", "apikey revoke"}, []string{"deliveries"}},
		{[]string{"serve", "--help"}, []string{"Usage: hub serve"}, []string{"-name", "-status", "Flags:"}},
		{[]string{"migrate", "--help"}, []string{"Usage: hub migrate"}, []string{"-name"}},
		{[]string{"demo", "--help"}, []string{"Usage: hub demo", "-v"}, []string{"-name"}},
		{[]string{"connect", "shopify", "--help"}, []string{"hub connect shopify", "-shop", "-token"}, []string{"-url", "-name"}},
		{[]string{"connect", "woocommerce", "--help"}, []string{"hub connect woocommerce", "-url", "-customer-notes"}, []string{"-shop"}},
		{[]string{"bench", "--help"}, []string{"Usage: hub bench", "-phases"}, []string{"-name"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			// An unreachable database: help must not need one.
			env := envOf(map[string]string{"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"})
			if code := run(context.Background(), tc.args, env, &out, &errb); code != 0 {
				t.Fatalf("exit %d; stderr %q", code, errb.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("help lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out.String(), w) {
					t.Errorf("help has another command's %q:\n%s", w, out.String())
				}
			}
			if errb.Len() > 0 {
				t.Errorf("stderr %q, want nothing", errb.String())
			}
		})
	}
}

// TestUnknownFlagReportedOnce: one line saying what is wrong, on stderr.
func TestUnknownFlagReportedOnce(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--bogus"}, {"apikey", "create", "--bogus"}, {"deliveries", "list", "--bogus"},
		{"demo", "--bogus"}, {"bench", "--bogus"}, {"connect", "shopify", "--bogus"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			env := envOf(map[string]string{"DATABASE_URL": pgtest.URL(t)})
			if code := run(context.Background(), args, env, &out, &errb); code != 2 {
				t.Fatalf("exit %d, want 2; stderr %q", code, errb.String())
			}
			if n := strings.Count(errb.String(), "flag provided but not defined: -bogus"); n != 1 {
				t.Errorf("the unknown flag is reported %d times:\n%s", n, errb.String())
			}
			if out.Len() > 0 {
				t.Errorf("stdout %q, want nothing", out.String())
			}
		})
	}
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{arg}, envOf(nil), &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d: %s", arg, code, errb.String())
		}
		if got := out.String(); !strings.HasPrefix(got, "hub ") || strings.Count(got, "\n") != 1 {
			t.Errorf("%s printed %q, want one line starting with \"hub \"", arg, got)
		}
	}
}

// TestAPIKeyListAndRevoke: a revoked key is listed as revoked and the API
// refuses it at once.
func TestAPIKeyListAndRevoke(t *testing.T) {
	h := bootHub(t, nil)
	env := envOf(map[string]string{"DATABASE_URL": h.app.cfg.DatabaseURL, "HUB_QUEUE": h.app.cfg.Queue})
	hub := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, env, &out, &errb); code != 0 {
			t.Fatalf("hub %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
		}
		if errb.Len() > 0 {
			t.Errorf("hub %s logged %q: a command that serves nothing logs nothing", strings.Join(args, " "), errb.String())
		}
		return out.String()
	}
	created := strings.Split(strings.TrimSpace(hub("apikey", "create", "--name", "zapier")), "\n")
	key := created[len(created)-1]
	if code, _, b := h.call(t, http.MethodGet, "/api/v1/me", "", map[string]string{"Authorization": "Bearer " + key}); code != http.StatusOK {
		t.Fatalf("new key: %d %s", code, b)
	}

	var id string
	for line := range strings.Lines(hub("apikey", "list")) {
		if f := strings.Fields(line); len(f) >= 5 && f[1] == "zapier" {
			id = f[0]
			if f[4] != "-" || !strings.HasPrefix(key, strings.TrimSuffix(f[2], "…")) {
				t.Errorf("list line %q: want the key's prefix and not revoked", line)
			}
		}
	}
	if id == "" {
		t.Fatal("apikey list does not show the key")
	}
	if out := hub("apikey", "revoke", id); !strings.Contains(out, id+" revoked") {
		t.Errorf("revoke said %q", out)
	}
	if code, _, b := h.call(t, http.MethodGet, "/api/v1/me", "", map[string]string{"Authorization": "Bearer " + key}); code != http.StatusUnauthorized {
		t.Errorf("revoked key: %d %s, want 401", code, b)
	}
	for line := range strings.Lines(hub("apikey", "list")) {
		if f := strings.Fields(line); len(f) >= 5 && f[0] == id && f[4] == "-" {
			t.Errorf("list line %q: want the revocation time", line)
		}
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"apikey", "revoke", "0b6f1a4e-0000-4000-8000-000000000000"}, env, &out, &errb); code != 1 {
		t.Errorf("revoking an unknown key: exit %d, want 1", code)
	}
}

// lineCounter is a log writer safe for concurrent use.
type lineCounter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lineCounter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lineCounter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestRedisDownIsAFewLogLines runs the worker role against a Redis that is
// not there until asynq has tried to log its failures dozens of times, and
// counts what reached the log.
func TestRedisDownIsAFewLogLines(t *testing.T) {
	routeRedisLogs()
	cfg, err := LoadConfig(envOf(map[string]string{
		"DATABASE_URL": pgtest.URL(t), "REDIS_URL": "redis://127.0.0.1:1/0", "HUB_QUEUE": "hubtest-redis-down",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var logs lineCounter
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app, err := Open(ctx, cfg, newLogger(&logs, "info"))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	done := make(chan error, 1)
	go func() { done <- app.serve(ctx, nil, true) }()

	const held = 30
	deadline := time.Now().Add(3 * time.Minute)
	for app.asynqLogs.Held() < held {
		if time.Now().After(deadline) {
			t.Fatalf("asynq held back only %d lines in 3 minutes; log:\n%s", app.asynqLogs.Held(), logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	cancel()
	<-done
	got := logs.String()
	lines := strings.Count(got, "\n")
	// Started, a line or two per distinct failure (asynq's loops, go-redis's
	// pool, the sweeper), stopped.
	if lines > 20 {
		t.Errorf("%d log lines while asynq alone tried to log %d more:\n%s", lines, held, got)
	}
	if !strings.Contains(got, "connection refused") {
		t.Errorf("the log does not say what is wrong:\n%s", got)
	}
	// The hub's own line, once, in words an operator reads.
	if n := strings.Count(got, "Redis is unreachable"); n != 1 {
		t.Errorf("the hub said Redis is unreachable %d times, want once:\n%s", n, got)
	}
}

// TestLinkOrderNeedsAConnectedStore: the API asks the connectors which
// stores are connected before linking an order (none here).
func TestLinkOrderNeedsAConnectedStore(t *testing.T) {
	h := bootHub(t, nil)
	auth := map[string]string{"Authorization": "Bearer " + h.key}
	code, _, b := h.call(t, http.MethodPost, "/api/v1/tickets", `{"subject":"Where is my order?"}`, auth)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, b)
	}
	var tk struct{ ID string }
	if err := json.Unmarshal(b, &tk); err != nil {
		t.Fatal(err)
	}
	code, _, b = h.call(t, http.MethodPost, "/api/v1/tickets/"+tk.ID+"/orders",
		`{"store":"shopify:nowhere.myshopify.com","order_number":"1001"}`, auth)
	if code != http.StatusNotFound || !strings.Contains(string(b), "not connected") {
		t.Errorf("order of a store not connected: %d %s, want 404", code, b)
	}
}

// TestRedisOutageIsTwoLinesOfTheHubs: Redis goes away and comes back; the
// hub says so once each way.
func TestRedisOutageIsTwoLinesOfTheHubs(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a redis-server")
	}
	rds := faulttest.StartRedis(t)
	cfg, err := LoadConfig(envOf(map[string]string{
		"DATABASE_URL": pgtest.URL(t), "REDIS_URL": rds.URL(), "HUB_QUEUE": "hubtest-redis-outage",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var logs lineCounter
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app, err := Open(ctx, cfg, newLogger(&logs, "info"))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	done := make(chan error, 1)
	go func() { done <- app.serve(ctx, nil, true) }()

	waitFor := func(what string) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		for !strings.Contains(logs.String(), what) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the log:\n%s", what, logs.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	rds.Kill()
	waitFor("Redis is unreachable")
	rds.Start()
	waitFor("Redis is reachable again")
	cancel()
	<-done
	if n := strings.Count(logs.String(), "Redis is unreachable"); n != 1 {
		t.Errorf("said unreachable %d times:\n%s", n, logs.String())
	}
}
