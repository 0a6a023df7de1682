package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/webhooks"
)

// demoEnv is a hub running in this process for the demo, and a client for
// it that speaks only HTTP, like any real sender.
type demoEnv struct {
	app    *App
	base   string
	key    string
	client *http.Client
	out    io.Writer
}

// demoStory is one part of the demo; each connector adds its own.
type demoStory struct {
	title string
	run   func(ctx context.Context, e *demoEnv) error
}

func demoStories() []demoStory {
	return []demoStory{
		{"Tickets arrive from a workflow (the Zapier intake webhook)", storyIntake},
		{"Shopify: an order, then its customer writes in", storyShopify},
		{"WooCommerce: a failed payment opens a ticket", storyWooCommerce},
		{"Slack: the live ticket card and its thread", storySlack},
		{"Zapier: workflows react to ticket events", storyZapier},
		{"Email: a customer writes, Slack answers, the answer threads back", storyEmail},
	}
}

// runDemo starts a whole hub against a fresh demo database, drives every
// story through its HTTP front door, and prints what an agent would see.
func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	verbose := fs.Bool("v", false, "show the hub's logs")
	if err := parseFlags(fs, args, stdout, "demo [-v]",
		"Run a whole story against built-in fakes of the vendors, in a database and Redis queue of its own that are removed on exit, and print it."); err != nil {
		return err
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	// The demo never touches the hub's own data: it gets a database and a
	// queue of its own, made fresh on each run.
	if cfg.DatabaseURL, err = demoDatabase(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	// Deferred first, so it runs last: after the hub has stopped and closed
	// its connections.
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if err := dropDemoDatabase(cctx, cfg.DatabaseURL); err != nil {
			fmt.Fprintf(stderr, "hub: demo: could not remove its database: %v\n", err)
		}
	}()
	// Its own queue too, named after its database, so two demos (or the
	// demo's test and a developer's run) never take each other's tasks.
	cfg.Queue = "demo-" + dbName(cfg.DatabaseURL)
	cfg.Addr = "127.0.0.1:0"
	// Each connector points the hub at its built-in fake of the vendor.
	for _, setup := range []func(*Config) (func(), error){demoSetupShopify, demoSetupWooCommerce, demoSetupSlack, demoSetupZapier, demoSetupEmail} {
		stopFake, err := setup(&cfg)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer stopFake()
	}
	logw := io.Discard
	if *verbose {
		logw = stderr
	}
	log := newLogger(logw, "info")
	app, err := Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer app.Close()
	// A queue left by a demo that was killed; and, on the way out (once
	// the workers have stopped: deferred before them, it runs after), this
	// demo's own.
	_ = webhooks.RemoveQueue(ctx, app.redis, cfg.Queue)
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if err := webhooks.RemoveQueue(cctx, app.redis, cfg.Queue); err != nil {
			fmt.Fprintf(stderr, "hub: demo: could not remove its queue: %v\n", err)
		}
	}()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- app.serve(runCtx, ln, true) }()
	defer func() { stop(); <-done }()

	key, _, err := app.store.CreateAPIKey(ctx, "demo")
	if err != nil {
		return err
	}
	e := &demoEnv{app: app, base: "http://" + ln.Addr().String(), key: key, client: &http.Client{Timeout: 10 * time.Second}, out: stdout}
	fmt.Fprintf(stdout, "A hub is running at %s on database %q (made for this demo and removed on exit, with its queue).\n", e.base, dbName(cfg.DatabaseURL))
	for i, s := range demoStories() {
		fmt.Fprintf(stdout, "\n== %d. %s ==\n\n", i+1, s.title)
		if err := s.run(ctx, e); err != nil {
			return fmt.Errorf("demo: %s: %w", s.title, err)
		}
	}
	fmt.Fprintln(stdout, "\nDone. Run `hub serve` to start the hub for real; see README.md.")
	return nil
}

func storyIntake(ctx context.Context, e *demoEnv) error {
	intakes := []struct{ key, body string }{
		{"zap-1001", `{"subject":"Where is my order #1001?","description":"Ordered two weeks ago and nothing yet.","customer":{"email":"Ada.Lovelace@example.com","name":"Ada Lovelace"},"priority":"high","tags":"shipping","order_number":"1001"}`},
		{"zap-1002", `{"subject":"Charged twice for one order","email":"grace@example.com","name":"Grace Hopper","priority":"urgent","tags":["billing"]}`},
		{"zap-1003", `{"subject":"Do you ship to Norway?","email":"alan@example.com","name":"Alan Turing","priority":"low","tags":["sales"]}`},
		{"zap-1004", `{"subject":"App crashes at checkout","description":"Safari on iOS 19, every time I tap Pay.","email":"ada.lovelace@example.com","priority":"medium","tags":"technical"}`},
	}
	for _, in := range intakes {
		status, body, err := e.post(ctx, "/webhooks/zapier", in.key, in.body)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.out, "POST /webhooks/zapier (Idempotency-Key %s) → %d %s\n", in.key, status, intakeSummary(body))
	}
	// Zapier retries a step that timed out: the same key is a duplicate.
	status, body, err := e.post(ctx, "/webhooks/zapier", intakes[0].key, intakes[0].body)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "POST /webhooks/zapier (Idempotency-Key %s, a retry) → %d %s\n", intakes[0].key, status, intakeSummary(body))

	list, err := e.waitTickets(ctx, len(intakes))
	if err != nil {
		return err
	}
	fmt.Fprintln(e.out, "\nThe workers turned them into tickets (newest first). Ada wrote twice and is one customer:")
	printTickets(e.out, list)

	// An agent works the urgent one through the API.
	var urgent demoTicket
	for _, t := range list {
		if t.Priority == "urgent" {
			urgent = t
		}
	}
	if _, err := e.do(ctx, http.MethodPatch, "/api/v1/tickets/"+urgent.Ref, `{"assignee":"sam@shop.example","status":"pending"}`); err != nil {
		return err
	}
	if _, err := e.do(ctx, http.MethodPost, "/api/v1/tickets/"+urgent.Ref+"/messages", `{"body":"Refund issued; waiting for the customer to confirm.","visibility":"internal"}`); err != nil {
		return err
	}
	raw, err := e.do(ctx, http.MethodGet, "/api/v1/tickets/"+urgent.Ref+"/events", "")
	if err != nil {
		return err
	}
	var ev struct {
		Events []struct {
			Type  string                          `json:"type"`
			Actor struct{ Kind, ID, Name string } `json:"actor"`
			After map[string]any                  `json:"after"`
			At    time.Time                       `json:"at"`
		} `json:"events"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "\nAn agent assigned %s, set it pending (its SLA clock pauses) and left an internal note. Its audit trail:\n", urgent.Ref)
	tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tEVENT\tBY\tCHANGE")
	for _, x := range ev.Events {
		who := x.Actor.Kind + " " + x.Actor.Name
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", x.At.UTC().Format("15:04:05"), x.Type, who, compactJSON(x.After))
	}
	return tw.Flush()
}

// intakeSummary shortens an intake answer to what matters here: the
// delivery, whether it was a duplicate, and the ticket it made.
func intakeSummary(body string) string {
	var r struct {
		DeliveryID int64  `json:"delivery_id"`
		Duplicate  bool   `json:"duplicate"`
		Status     string `json:"status"`
		Ticket     *struct {
			Ref string `json:"ref"`
		} `json:"ticket"`
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return cut(strings.TrimSpace(body), 120)
	}
	out := fmt.Sprintf(`{"delivery_id":%d,"duplicate":%t`, r.DeliveryID, r.Duplicate)
	if r.Ticket != nil {
		out += `,"ticket":{"ref":"` + r.Ticket.Ref + `",…}`
	} else if r.Status != "" {
		out += `,"status":"` + r.Status + `"`
	}
	return out + "}"
}

type demoTicket struct {
	Ref      string   `json:"ref"`
	Subject  string   `json:"subject"`
	Status   string   `json:"status"`
	Priority string   `json:"priority"`
	Tags     []string `json:"tags"`
	Source   string   `json:"source"`
	Customer struct {
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"customer"`
	SLA struct {
		FirstResponseDue time.Time `json:"first_response_due"`
		ResolutionDue    time.Time `json:"resolution_due"`
	} `json:"sla"`
}

func printTickets(out io.Writer, list []demoTicket) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TICKET\tPRIORITY\tSTATUS\tCUSTOMER\tTAGS\tSUBJECT\tFIRST RESPONSE DUE\tRESOLUTION DUE")
	for _, t := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Ref, t.Priority, t.Status, t.Customer.Email,
			strings.Join(t.Tags, ","), cut(t.Subject, 40),
			t.SLA.FirstResponseDue.UTC().Format("Mon 02 Jan 15:04"), t.SLA.ResolutionDue.UTC().Format("Mon 02 Jan 15:04"))
	}
	_ = tw.Flush()
}

// waitTickets polls the API until n tickets exist: the workers process
// deliveries asynchronously, as they do in production.
func (e *demoEnv) waitTickets(ctx context.Context, n int) ([]demoTicket, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		raw, err := e.do(ctx, http.MethodGet, "/api/v1/tickets?limit=100", "")
		if err != nil {
			return nil, err
		}
		var page struct {
			Tickets []demoTicket `json:"tickets"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			return nil, err
		}
		if len(page.Tickets) >= n {
			return page.Tickets, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("only %d of %d tickets after 30s: are the workers running?", len(page.Tickets), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (e *demoEnv) post(ctx context.Context, path, idemKey, body string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.base+path, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.key)
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// do calls the API and fails on any non-2xx answer.
func (e *demoEnv) do(ctx context.Context, method, path, body string) ([]byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", e.key)
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s → %d %s", method, path, resp.StatusCode, bytes.TrimSpace(b))
	}
	return b, nil
}

func compactJSON(v map[string]any) string {
	if len(v) == 0 {
		return ""
	}
	b, _ := json.Marshal(v)
	return cut(string(b), 70)
}

// demoDatabase recreates the database "<name>_demo" next to the one dbURL
// names ("hub_demo" by default) and returns its URL.
func demoDatabase(ctx context.Context, dbURL string) (string, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", err
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		name = "hub"
	}
	name += "_demo"
	if len(name) > 63 {
		return "", fmt.Errorf("demo: database name %q is too long", name)
	}
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return "", fmt.Errorf("demo: connect to postgres: %w", err)
	}
	defer conn.Close(ctx)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+ident+` WITH (FORCE)`); err != nil {
		return "", fmt.Errorf("demo: drop old demo database: %w", err)
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+ident); err != nil {
		return "", fmt.Errorf("demo: create demo database: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

func dbName(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "?"
	}
	return strings.TrimPrefix(u.Path, "/")
}
