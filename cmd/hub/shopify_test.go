package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hub/connectors/shopify/shopifytest"
	"hub/tickets"
	"hub/tickets/postgres/pgtest"
)

const (
	testShop       = "acme.myshopify.com"
	testShopSecret = "shopify-app-secret-for-tests"
)

func TestShopifyConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		bad  string // the variable named in the error, "" for none
	}{
		{"nothing set", nil, ""},
		{"custom app", map[string]string{"SHOPIFY_SHOP": "Acme", "SHOPIFY_ACCESS_TOKEN": "shpat_x", "SHOPIFY_API_SECRET": "s"}, ""},
		{"foreign shop", map[string]string{"SHOPIFY_SHOP": "evil.example/x"}, "SHOPIFY_SHOP"},
		{"token without shop", map[string]string{"SHOPIFY_ACCESS_TOKEN": "shpat_x"}, "SHOPIFY_ACCESS_TOKEN"},
		{"app without secret", map[string]string{"SHOPIFY_API_KEY": "k", "SHOPIFY_API_SECRET": "  "}, "SHOPIFY_API_SECRET"},
		{"relative base URL", map[string]string{"SHOPIFY_API_BASE_URL": "localhost:9000"}, "SHOPIFY_API_BASE_URL"},
		{"bad version", map[string]string{"SHOPIFY_API_VERSION": "latest"}, "SHOPIFY_API_VERSION"},
		{"bad opening rule", map[string]string{"SHOPIFY_OPEN_TICKETS": "refunds"}, "SHOPIFY_OPEN_TICKETS"},
		{"bad rate", map[string]string{"SHOPIFY_RATE_LIMIT": "0"}, "SHOPIFY_RATE_LIMIT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LoadConfig(envOf(tc.env))
			if tc.bad == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.Shopify.APIVersion != "2025-10" || !c.Shopify.Open["fraud"] || len(c.Shopify.Scopes) != 3 {
					t.Errorf("defaults %+v", c.Shopify)
				}
				if tc.env["SHOPIFY_SHOP"] != "" && c.Shopify.Shop != testShop {
					t.Errorf("shop %q", c.Shopify.Shop)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.bad) {
				t.Fatalf("err %v, want one naming %s", err, tc.bad)
			}
			for _, v := range tc.env {
				if strings.TrimSpace(v) != "" && len(v) > 3 && strings.Contains(err.Error(), v) {
					t.Errorf("the error shows the value %q", v)
				}
			}
		})
	}
}

// shopifyHub boots a hub connected to a fake Shopify shop from the
// environment, the way a store owner with a custom app token runs it.
func shopifyHub(t *testing.T, extra map[string]string) (*testHub, *shopifytest.Server) {
	t.Helper()
	fake := shopifytest.New("client-id", testShopSecret)
	t.Cleanup(fake.Close)
	fake.AddShop(testShop, "shpat_acme")
	env := map[string]string{
		"SHOPIFY_SHOP": testShop, "SHOPIFY_ACCESS_TOKEN": "shpat_acme",
		"SHOPIFY_API_SECRET": testShopSecret, "SHOPIFY_API_BASE_URL": fake.URL,
	}
	for k, v := range extra {
		env[k] = v
	}
	return bootHub(t, env), fake
}

var purchaseSeq atomic.Int64

// newPurchase is a new customer's order in the fake shop.
func newPurchase(fake *shopifytest.Server) (shopifytest.Purchase, shopifytest.Hooks) {
	n := purchaseSeq.Add(1)
	p := shopifytest.Purchase{
		OrderID: 5843224000000 + n, Number: 2000 + int(n), CustomerID: 7392120000000 + n,
		Email: fmt.Sprintf("lin.%d@example.com", n), FirstName: "Lin", LastName: fmt.Sprintf("Tester%d", n),
		Item: "Babbage Calculator Kit", Quantity: 2, Price: "17.50", Currency: "EUR",
		PlacedAt: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Carrier: "DHL", Tracking: fmt.Sprintf("00340434%06d", n),
	}
	return p, fake.AddPurchase(testShop, p)
}

func (h *testHub) shopifyWebhook(t testing.TB, topic string, body []byte) int {
	t.Helper()
	id := fmt.Sprintf("%d", time.Now().UnixNano())
	req, err := shopifytest.WebhookRequest(context.Background(), h.base+"/webhooks/shopify", testShop, topic, body, testShopSecret, "wh-"+id, "ev-"+id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// writeIn is the customer writing in through the ticket intake webhook.
func (h *testHub) writeIn(t testing.TB, email, subject string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"subject": subject, "email": email})
	req, _ := http.NewRequest(http.MethodPost, h.base+"/webhooks/zapier", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+h.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("intake: %d", resp.StatusCode)
	}
}

// ticketWithContext returns the customer's ticket once it shows the order
// and the shop's profile of the customer, or false.
func (h *testHub) ticketWithContext(email string) (tickets.Ticket, bool) {
	ctx := context.Background()
	c, list, err := h.app.store.CustomerByEmail(ctx, email)
	if err != nil || len(list) != 1 || len(list[0].Orders) == 0 {
		return tickets.Ticket{}, false
	}
	for _, sc := range c.Stores {
		if sc.OrdersCount != nil && *sc.OrdersCount > 0 && sc.TotalSpent != "" {
			tk := list[0]
			tk.Customer.Stores = c.Stores
			return tk, true
		}
	}
	return tickets.Ticket{}, false
}

// A signed orders/create, then its customer writes in: one ticket, showing
// that customer with their order count and spend, and that order; then
// the fulfilment reaches the ticket's timeline.
func TestShopifyOrderThenCustomerWritesIn(t *testing.T) {
	h, fake := shopifyHub(t, nil)
	p, hooks := newPurchase(fake)
	if code := h.shopifyWebhook(t, "orders/create", hooks.Create); code != 200 {
		t.Fatalf("orders/create: %d", code)
	}
	h.writeIn(t, p.Email, "Has my parcel left yet?")
	var tk tickets.Ticket
	deadline := time.Now().Add(30 * time.Second)
	for ok := false; !ok; tk, ok = h.ticketWithContext(p.Email) {
		if time.Now().After(deadline) {
			t.Fatal("no ticket with the order and the customer's profile after 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	o := tk.Orders[0]
	if o.OrderNumber != fmt.Sprint(p.Number) || o.Total != "35.00" || o.Store != "shopify:"+testShop {
		t.Errorf("order %+v", o)
	}
	sc := tk.Customer.Stores[0]
	if sc.OrdersCount == nil || *sc.OrdersCount != 1 || sc.TotalSpent != "35.00" || sc.Name != "Lin "+p.LastName || sc.AdminURL == "" {
		t.Errorf("profile %+v", sc)
	}
	if code := h.shopifyWebhook(t, "orders/fulfilled", hooks.Fulfilled); code != 200 {
		t.Fatalf("orders/fulfilled: %d", code)
	}
	want := fmt.Sprintf("Order #%d fulfilled — DHL %s", p.Number, p.Tracking)
	waitShopify(t, "the fulfilment on the timeline", func() bool {
		msgs, _ := h.app.store.ListMessages(context.Background(), tk.ID)
		for _, m := range msgs {
			if m.Body == want {
				return true
			}
		}
		return false
	})
	if _, list, _ := h.app.store.CustomerByEmail(context.Background(), p.Email); len(list) != 1 {
		t.Errorf("%d tickets for the customer, want 1", len(list))
	}
}

func waitShopify(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchmarkShopifyOrderToTicket measures, on this machine, the time from a
// customer writing in (their order having arrived by a signed webhook) to
// their ticket showing that order and their order count and spend: intake,
// the worker, the outbox relay, the enrichment's GraphQL look-ups against
// the local fake, and the commit. One customer at a time, so ns/op is the
// latency an agent waits for. The shop's call budget is raised so that it
// measures latency, not the pacing of 50 customers in a row (at the
// default 50 points a second, one customer's look-ups cost about 50).
//
//	go test -run '^$' -bench ShopifyOrderToTicket -benchtime 50x ./cmd/hub/
func BenchmarkShopifyOrderToTicket(b *testing.B) {
	h, fake := shopifyHubB(b)
	var worst time.Duration
	for range b.N {
		b.StopTimer()
		p, hooks := newPurchase(fake)
		if code := h.shopifyWebhook(b, "orders/create", hooks.Create); code != 200 {
			b.Fatalf("orders/create: %d", code)
		}
		b.StartTimer()
		start := time.Now()
		h.writeIn(b, p.Email, "Where is my parcel?")
		for _, ok := h.ticketWithContext(p.Email); !ok; _, ok = h.ticketWithContext(p.Email) {
			if time.Since(start) > 30*time.Second {
				b.Fatal("no ticket with context after 30s")
			}
			time.Sleep(2 * time.Millisecond)
		}
		worst = max(worst, time.Since(start))
	}
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms")
}

func shopifyHubB(b *testing.B) (*testHub, *shopifytest.Server) {
	fake := shopifytest.New("client-id", testShopSecret)
	b.Cleanup(fake.Close)
	fake.AddShop(testShop, "shpat_acme")
	return bootHub(b, map[string]string{
		"HUB_LOG_LEVEL": "error", "SHOPIFY_SHOP": testShop, "SHOPIFY_ACCESS_TOKEN": "shpat_acme",
		"SHOPIFY_API_SECRET": testShopSecret, "SHOPIFY_API_BASE_URL": fake.URL, "SHOPIFY_RATE_LIMIT": "10000",
	}), fake
}

func TestConnectShopifyCommand(t *testing.T) {
	dbURL := pgtest.URL(t)
	open := func(secretKey string) *App {
		env := map[string]string{"DATABASE_URL": dbURL, "HUB_QUEUE": "hubtest-connect-shopify", "HUB_SECRET_KEY": secretKey}
		cfg, err := LoadConfig(envOf(env))
		if err != nil {
			t.Fatal(err)
		}
		a, err := Open(context.Background(), cfg, newLogger(&bytes.Buffer{}, "error"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(a.Close)
		return a
	}
	ctx := context.Background()
	var out bytes.Buffer
	noKey := open("")
	err := noKey.connectShopify(ctx, []string{"--shop", "acme", "--token", "shpat_secret_token"}, &out)
	if err == nil || !strings.Contains(err.Error(), "HUB_SECRET_KEY") {
		t.Fatalf("without HUB_SECRET_KEY: %v", err)
	}
	for _, args := range [][]string{{"--shop", "evil.example/x", "--token", "t"}, {"--shop", "acme"}, {"--shop", "acme", "--token", "t", "extra"}} {
		var ue usageError
		if err := noKey.connectShopify(ctx, args, &out); !asUsage(err, &ue) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	a := open("a-long-random-hub-secret-key-0123456789")
	if err := a.connectShopify(ctx, []string{"--shop", "Acme", "--token", "shpat_secret_token", "--secret", "custom-app-secret"}, &out); err != nil {
		t.Fatal(err)
	}
	c, err := a.store.GetConnection(ctx, tickets.SourceShopify, testShop)
	if err != nil || !c.Active || c.Secrets["access_token"] != "shpat_secret_token" || c.Secrets["webhook_secret"] != "custom-app-secret" {
		t.Fatalf("connection %+v, %v", c, err)
	}
	var raw []byte
	if err := a.pool.QueryRow(ctx, `select secrets from connections where key = $1`, testShop).Scan(&raw); err != nil ||
		bytes.Contains(raw, []byte("shpat_secret_token")) {
		t.Errorf("the token is not sealed at rest (%v)", err)
	}
	if !strings.Contains(out.String(), "Connected acme.myshopify.com") || strings.Contains(out.String(), "shpat_secret_token") {
		t.Errorf("output %q", out.String())
	}
}

// Through the command line: exit 2 for bad usage, 1 (with the reason)
// without HUB_SECRET_KEY.
func TestConnectShopifyExitCodes(t *testing.T) {
	env := envOf(map[string]string{"DATABASE_URL": pgtest.URL(t), "HUB_QUEUE": "hubtest-connect-shopify-cli"})
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"connect", "shopify", "--shop", "evil.example/x", "--token", "t"}, env, &out, &errb); code != 2 {
		t.Errorf("bad shop: exit %d, want 2 (%s)", code, errb.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"connect", "shopify", "--shop", "acme", "--token", "shpat_x"}, env, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "HUB_SECRET_KEY") || strings.Contains(errb.String(), "shpat_x") {
		t.Errorf("without HUB_SECRET_KEY: exit %d, %q", code, errb.String())
	}
}

func asUsage(err error, ue *usageError) bool {
	u, ok := err.(usageError)
	if ok {
		*ue = u
	}
	return ok
}
