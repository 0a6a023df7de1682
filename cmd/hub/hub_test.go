package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"hub/tickets/postgres/pgtest"
	"hub/webhooks"
)

// testHub is a whole hub (web and workers) on port 0, with its own database
// and asynq queue.
type testHub struct {
	app  *App
	base string
	key  string
}

func bootHub(t testing.TB, extra map[string]string) *testHub {
	t.Helper()
	env := map[string]string{
		"DATABASE_URL": pgtest.URL(t),
		// Unique per run: two test processes (or -count=N) never share tasks.
		"HUB_QUEUE":   "hubtest-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		"HUB_API_KEY": "test-admin-key-0123456789",
	}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := LoadConfig(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	app, err := Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	_ = app.insp.DeleteQueue(cfg.Queue, true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.serve(ctx, ln, true) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("hub stopped with %v", err)
		}
		_ = webhooks.RemoveQueue(context.Background(), app.redis, cfg.Queue)
		app.Close()
	})
	return &testHub{app: app, base: "http://" + ln.Addr().String(), key: env["HUB_API_KEY"]}
}

func (h *testHub) call(t testing.TB, method, path, body string, header map[string]string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func TestHubTicketFromIntakeToAPI(t *testing.T) {
	h := bootHub(t, nil)
	auth := map[string]string{"Authorization": "Bearer " + h.key, "Idempotency-Key": "e2e-1"}
	body := `{"subject":"Parcel arrived damaged","email":"Lin@Example.com","name":"Lin","priority":"urgent","tags":"shipping, damage"}`

	code, _, resp := h.call(t, http.MethodPost, "/webhooks/zapier", body, auth)
	if code != http.StatusCreated {
		t.Fatalf("intake: %d %s", code, resp)
	}
	code, _, resp = h.call(t, http.MethodPost, "/webhooks/zapier", body, auth)
	if code != http.StatusOK || !bytes.Contains(resp, []byte(`"duplicate":true`)) {
		t.Fatalf("repeat intake: %d %s", code, resp)
	}

	var page struct {
		Tickets []struct {
			Ref      string   `json:"ref"`
			Priority string   `json:"priority"`
			Source   string   `json:"source"`
			Tags     []string `json:"tags"`
			Customer struct {
				Email string `json:"email"`
			} `json:"customer"`
			SLA struct {
				FirstResponseDue time.Time `json:"first_response_due"`
			} `json:"sla"`
		} `json:"tickets"`
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(page.Tickets) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		_, _, raw := h.call(t, http.MethodGet, "/api/v1/tickets", "", map[string]string{"X-API-Key": h.key})
		if err := json.Unmarshal(raw, &page); err != nil {
			t.Fatalf("list: %v: %s", err, raw)
		}
	}
	if len(page.Tickets) != 1 {
		t.Fatalf("%d tickets, want 1", len(page.Tickets))
	}
	tk := page.Tickets[0]
	if tk.Priority != "urgent" || tk.Source != "zapier" || tk.Customer.Email != "lin@example.com" ||
		strings.Join(tk.Tags, ",") != "damage,shipping" || !strings.HasPrefix(tk.Ref, "T-") {
		t.Errorf("ticket %+v", tk)
	}
	if tk.SLA.FirstResponseDue.IsZero() {
		t.Error("no first-response due time")
	}
}

func TestHubOperationsEndpoints(t *testing.T) {
	h := bootHub(t, nil)
	if code, _, b := h.call(t, http.MethodGet, "/healthz", "", nil); code != 200 {
		t.Errorf("healthz %d %s", code, b)
	}
	if code, _, b := h.call(t, http.MethodGet, "/readyz", "", nil); code != 200 || !bytes.Contains(b, []byte(`"redis":"ok"`)) {
		t.Errorf("readyz %d %s", code, b)
	}
	// Something for the counters to count, then the series exist.
	h.call(t, http.MethodPost, "/webhooks/zapier", `{"subject":"x"}`, map[string]string{"X-API-Key": "wrong"})
	h.call(t, http.MethodGet, "/api/v1/me", "", map[string]string{"X-API-Key": h.key})
	code, _, metrics := h.call(t, http.MethodGet, "/metrics", "", nil)
	if code != 200 {
		t.Fatalf("metrics %d", code)
	}
	for _, want := range []string{
		`hub_http_request_duration_seconds_count{method="GET",route="/api/v1/me",status="200"}`,
		`hub_deliveries_rejected_total{reason="unauthorized",source="zapier"} 1`,
		`hub_queue_tasks{`,
		`go_goroutines`,
	} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	code, hdr, _ := h.call(t, http.MethodGet, "/admin/queues", "", nil)
	if code != http.StatusUnauthorized || !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("admin without key: %d %q", code, hdr.Get("WWW-Authenticate"))
	}
	req, _ := http.NewRequest(http.MethodGet, h.base+"/admin/queues", nil)
	req.SetBasicAuth("admin", h.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(page, []byte("<html")) {
		t.Errorf("admin with key: %d %.200s", resp.StatusCode, page)
	}
}

func TestReadyzSaysWhichDependencyIsDown(t *testing.T) {
	h := bootHub(t, map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0"})
	code, _, b := h.call(t, http.MethodGet, "/readyz", "", nil)
	if code != http.StatusServiceUnavailable || !bytes.Contains(b, []byte(`"redis":"unreachable"`)) || !bytes.Contains(b, []byte(`"postgres":"ok"`)) {
		t.Errorf("readyz %d %s", code, b)
	}
}

func TestAPIKeyCreateAndDeliveriesCommands(t *testing.T) {
	env := envOf(map[string]string{"DATABASE_URL": pgtest.URL(t), "HUB_QUEUE": "hubtest-cmd"})
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"apikey", "create", "--name", "zapier"}, env, &out, &errb); code != 0 {
		t.Fatalf("apikey create: exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if key := lines[len(lines)-1]; !strings.HasPrefix(key, "hub_") || strings.Contains(key, " ") {
		t.Errorf("last line %q is not the key alone", key)
	}
	out.Reset()
	if code := run(context.Background(), []string{"deliveries", "list", "--status", "failed"}, env, &out, &errb); code != 0 {
		t.Fatalf("deliveries list: exit %d: %s", code, errb.String())
	}
	if !strings.HasPrefix(out.String(), "ID") {
		t.Errorf("list output %q", out.String())
	}
	if code := run(context.Background(), []string{"deliveries", "replay", "12345"}, env, &out, &errb); code != 1 {
		t.Errorf("replay of an unknown delivery: exit %d, want 1", code)
	}
	if code := run(context.Background(), []string{"deliveries", "replay", "abc"}, env, &out, &errb); code != 2 {
		t.Errorf("replay abc: exit %d, want 2", code)
	}
}

func TestDemoTellsTheStory(t *testing.T) {
	dbURL := pgtest.URL(t)
	// The demo makes "<database>_demo", a database of this test's own, and
	// a queue named after it; twice in a row, each run leaves neither.
	demoDB := dbName(dbURL) + "_demo"
	queue := "demo-" + demoDB
	for run_ := range 2 {
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"demo"}, envOf(map[string]string{"DATABASE_URL": dbURL}), &out, &errb)
		if code != 0 {
			t.Fatalf("demo %d: exit %d: %s\n%s", run_+1, code, errb.String(), out.String())
		}
		for _, want := range []string{"T-1001", "urgent", "ada.lovelace@example.com", "ticket.status_changed", "duplicate\":true"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("demo output lacks %q:\n%s", want, out.String())
			}
		}
		if errb.Len() > 0 {
			t.Errorf("demo %d stderr: %s", run_+1, errb.String())
		}
		assertDemoLeftNothing(t, dbURL, demoDB, queue)
	}
}

// assertDemoLeftNothing fails unless the demo's database, its asynq queue
// and every Redis key of that queue are gone.
func assertDemoLeftNothing(t *testing.T, dbURL, db, queue string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `select exists (select 1 from pg_database where datname = $1)`, db).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("database %s is left behind", db)
	}
	cfg, err := LoadConfig(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	rdb := cfg.Redis.MakeRedisClient().(redis.UniversalClient)
	defer rdb.Close()
	insp := asynq.NewInspectorFromRedisClient(rdb)
	queues, err := insp.Queues()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(queues, queue) {
		t.Errorf("queue %s is left behind", queue)
	}
	keys, err := rdb.Keys(ctx, "asynq:{"+queue+"}:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) > 0 {
		t.Errorf("Redis keys of queue %s left behind: %v", queue, keys)
	}
}
