package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	wc "hub/connectors/woocommerce"
	"hub/connectors/woocommerce/wootest"
)

// The secret as a store owner might type it, with what HTML escaping changes.
const wooSecret = `s3cret&<shop>"quoted"`

func wooEnv(shop *wootest.Store, extra map[string]string) map[string]string {
	env := map[string]string{
		"WOOCOMMERCE_URL": shop.URL(), "WOOCOMMERCE_CONSUMER_KEY": shop.Key,
		"WOOCOMMERCE_CONSUMER_SECRET": shop.Secret, "WOOCOMMERCE_WEBHOOK_SECRET": wooSecret,
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// subscribeFake registers webhooks to h on the fake store, as its owner
// would by hand for the env-configured store.
func subscribeFake(t *testing.T, shop *wootest.Store, base, secret string) {
	t.Helper()
	c, err := wc.New(shop.URL(), shop.Key, shop.Secret, wc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, topic := range wc.Topics {
		if _, err := c.CreateWebhook(context.Background(), wc.Webhook{Topic: topic, DeliveryURL: base + "/webhooks/woocommerce", Secret: secret}); err != nil {
			t.Fatal(err)
		}
	}
}

type apiTicket struct {
	Ref      string `json:"ref"`
	Subject  string `json:"subject"`
	Priority string `json:"priority"`
	Customer struct {
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"customer"`
	Orders []struct {
		Store           string `json:"store"`
		OrderNumber     string `json:"order_number"`
		FinancialStatus string `json:"financial_status"`
		Total           string `json:"total"`
	} `json:"orders"`
}

func (h *testHub) tickets(t *testing.T) []apiTicket {
	t.Helper()
	_, _, raw := h.call(t, http.MethodGet, "/api/v1/tickets?limit=100", "", map[string]string{"X-API-Key": h.key})
	var page struct {
		Tickets []apiTicket `json:"tickets"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		t.Fatalf("list tickets: %v: %s", err, raw)
	}
	return page.Tickets
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestWooCommerceFailedPaymentOpensOneTicket(t *testing.T) {
	shop := wootest.New()
	defer shop.Close()
	h := bootHub(t, wooEnv(shop, nil))
	subscribeFake(t, shop, h.base, wooSecret)

	shop.SetOrderStatus(1234, "failed")
	shop.Deliver("order.updated", 1234) // the same version again
	waitUntil(t, "a ticket", func() bool { return len(h.tickets(t)) > 0 })
	time.Sleep(500 * time.Millisecond) // room for a second ticket, which must not come
	list := h.tickets(t)
	if len(list) != 1 {
		t.Fatalf("%d tickets, want 1", len(list))
	}
	tk := list[0]
	if tk.Subject != "Payment failed for order #1234" || tk.Customer.Email != "maya.patel@example.com" || tk.Customer.Name != "Maya Patel" {
		t.Errorf("ticket %+v", tk)
	}
	if len(tk.Orders) != 1 || tk.Orders[0].OrderNumber != "1234" || tk.Orders[0].FinancialStatus != "failed" || tk.Orders[0].Total != "58.90" {
		t.Errorf("orders %+v", tk.Orders)
	}
	for _, w := range shop.Webhooks() {
		if w.PingStatus != http.StatusOK {
			t.Errorf("ping of %s got %d", w.Topic, w.PingStatus)
		}
	}
}

func TestWooCommerceReconciliationCatchesAMissedChangeOnce(t *testing.T) {
	shop := wootest.New()
	defer shop.Close()
	const every = 2 * time.Second
	h := bootHub(t, wooEnv(shop, map[string]string{"WOOCOMMERCE_RECONCILE_EVERY": every.String()}))
	subscribeFake(t, shop, h.base, wooSecret)

	shop.DropDeliveries(true) // the hub is unreachable: WooCommerce never retries
	changed := time.Now()
	shop.SetOrderStatus(1251, "failed")
	waitUntil(t, "reconciliation to open the ticket", func() bool { return len(h.tickets(t)) == 1 })
	t.Logf("picked up %v after the change (interval %v)", time.Since(changed).Round(100*time.Millisecond), every)

	time.Sleep(3 * every) // more runs: each finds the version already recorded
	if n := len(h.tickets(t)); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
	var n int
	err := h.app.pool.QueryRow(context.Background(),
		`select count(*) from deliveries where source = 'woocommerce' and key like '%|order|1251|%'`).Scan(&n)
	if err != nil || n != 1 {
		t.Errorf("%d deliveries of order 1251 (%v), want exactly 1", n, err)
	}
}

func TestWooCommerceConnectSubscribesAndThePingSucceeds(t *testing.T) {
	shop := wootest.New()
	defer shop.Close()
	const secretKey = "hub-secret-key-for-tests-0123456789"
	h := bootHub(t, map[string]string{"HUB_SECRET_KEY": secretKey})

	// hub connect runs as its own process against the same database while
	// the hub serves at HUB_PUBLIC_URL.
	cli := func(env map[string]string) *App {
		cfg := h.app.cfg
		cfg.SecretKey, cfg.PublicURL = env["HUB_SECRET_KEY"], env["HUB_PUBLIC_URL"]
		app, err := Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(app.Close)
		return app
	}
	args := []string{"--url", shop.URL(), "--key", shop.Key, "--secret", shop.Secret}
	var out bytes.Buffer
	if err := cli(map[string]string{"HUB_PUBLIC_URL": h.base}).connectWooCommerce(context.Background(), args, &out); err == nil || !strings.Contains(err.Error(), "HUB_SECRET_KEY") {
		t.Errorf("without HUB_SECRET_KEY: %v", err)
	}
	if err := cli(map[string]string{"HUB_SECRET_KEY": secretKey}).connectWooCommerce(context.Background(), args, &out); err == nil || !strings.Contains(err.Error(), "HUB_PUBLIC_URL") {
		t.Errorf("without HUB_PUBLIC_URL: %v", err)
	}
	if err := cli(map[string]string{"HUB_SECRET_KEY": secretKey, "HUB_PUBLIC_URL": h.base}).connectWooCommerce(context.Background(), []string{"--url", shop.URL()}, &out); err == nil {
		t.Error("connect without --key succeeded")
	}

	app := cli(map[string]string{"HUB_SECRET_KEY": secretKey, "HUB_PUBLIC_URL": h.base})
	out.Reset()
	if err := app.connectWooCommerce(context.Background(), args, &out); err != nil {
		t.Fatalf("connect: %v\n%s", err, out.String())
	}
	hooks := shop.Webhooks()
	if len(hooks) != len(wc.Topics) {
		t.Fatalf("%d webhooks, want %d:\n%s", len(hooks), len(wc.Topics), out.String())
	}
	var secret string
	for _, w := range hooks {
		if w.PingStatus != http.StatusOK || w.Status != "active" || w.DeliveryURL != h.base+"/webhooks/woocommerce" {
			t.Errorf("webhook %+v", w)
		}
		if secret = w.Secret; len(secret) < 43 || strings.ContainsAny(secret, "&<>\"'+/=") {
			t.Errorf("webhook secret %q is not a strong URL-safe secret", secret)
		}
	}
	// Credentials are stored sealed.
	var sealed []byte
	if err := h.app.pool.QueryRow(context.Background(), `select secrets from connections where kind = 'woocommerce'`).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{shop.Secret, secret, shop.Key} {
		if bytes.Contains(sealed, []byte(plain)) {
			t.Error("a credential is stored in plain text")
		}
	}

	// The serving hub verifies the store's deliveries with the new secret.
	shop.SetOrderStatus(1251, "failed")
	waitUntil(t, "the ticket", func() bool { return len(h.tickets(t)) == 1 })

	// Connecting again replaces the secret rather than adding webhooks.
	if err := app.connectWooCommerce(context.Background(), args, &out); err != nil {
		t.Fatal(err)
	}
	if n := len(shop.Webhooks()); n != len(wc.Topics) {
		t.Errorf("%d webhooks after reconnecting, want %d", n, len(wc.Topics))
	}
	var active bool
	_ = h.app.pool.QueryRow(context.Background(), `select active from connections where kind = 'woocommerce'`).Scan(&active)
	if !active {
		t.Error("connection not active")
	}
}

func TestLoadWooCommerceConfig(t *testing.T) {
	full := map[string]string{"WOOCOMMERCE_URL": "https://shop.example.com", "WOOCOMMERCE_CONSUMER_KEY": "ck_1",
		"WOOCOMMERCE_CONSUMER_SECRET": "cs_1", "WOOCOMMERCE_WEBHOOK_SECRET": "a&b"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range full {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"nothing set", nil, ""},
		{"one store", full, ""},
		{"loopback http store", with("WOOCOMMERCE_URL", "http://127.0.0.1:8081"), ""},
		{"plain http store", with("WOOCOMMERCE_URL", "http://shop.example.com"), "WOOCOMMERCE_URL"},
		{"missing webhook secret", with("WOOCOMMERCE_WEBHOOK_SECRET", ""), "WOOCOMMERCE_WEBHOOK_SECRET"},
		{"bad customer notes", with("WOOCOMMERCE_CUSTOMER_NOTES", "maybe"), "WOOCOMMERCE_CUSTOMER_NOTES"},
		{"bad interval", with("WOOCOMMERCE_RECONCILE_EVERY", "often"), "WOOCOMMERCE_RECONCILE_EVERY"},
		{"interval too short", with("WOOCOMMERCE_HEALTH_EVERY", "10ms"), "WOOCOMMERCE_HEALTH_EVERY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadWooCommerceConfig(envOf(tt.env))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.ReconcileEvery != 5*time.Minute || len(c.OpenOn) != 3 {
					t.Errorf("defaults %+v", c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "cs_1") {
				t.Errorf("error %v, want one naming %s (and no secret)", err, tt.wantErr)
			}
		})
	}
	c, _ := loadWooCommerceConfig(envOf(with("WOOCOMMERCE_OPEN_TICKETS_ON", "failed, wc-On-Hold", "WOOCOMMERCE_CUSTOMER_NOTES", "true")))
	if strings.Join(c.OpenOn, ",") != "failed,on-hold" || !c.CustomerNotes {
		t.Errorf("config %+v", c)
	}
}
