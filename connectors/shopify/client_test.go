package shopify_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"hub/connectors/shopify"
	"hub/connectors/shopify/shopifytest"
)

const shop = "acme.myshopify.com"

// pathRecorder records the paths the client calls, to check the pinned
// API version.
type pathRecorder struct {
	mu    sync.Mutex
	paths []string
}

func (p *pathRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	p.mu.Lock()
	p.paths = append(p.paths, r.URL.Path)
	p.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func newClient(t *testing.T, fake *shopifytest.Server, token string, opts ...func(*shopify.Config)) *shopify.Client {
	t.Helper()
	cfg := shopify.Config{Shop: shop, Tokens: shopify.StaticToken(token), BaseURL: fake.URL}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := shopify.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClientReadsOrdersAndCustomers(t *testing.T) {
	fake := shopifytest.New("key", "secret")
	defer fake.Close()
	fake.AddShop(shop, "shpat_custom")
	rec := &pathRecorder{}
	c := newClient(t, fake, "shpat_custom", func(cfg *shopify.Config) { cfg.HTTPClient = &http.Client{Transport: rec} })
	ctx := context.Background()

	o, err := c.Order(ctx, "gid://shopify/Order/5843223773234")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "graphql_order_1001", o)
	if o.Customer == nil || o.Customer.ID != "7392119275570" || o.Email != "ada.lovelace@example.com" || o.UpdatedAt.IsZero() {
		t.Errorf("order %+v", o)
	}

	byNumber, err := c.OrdersByNumber(ctx, []string{"#1003", "1004", "9999"})
	if err != nil || len(byNumber) != 2 {
		t.Fatalf("OrdersByNumber = %d orders, %v", len(byNumber), err)
	}
	for _, o := range byNumber {
		switch o.Number {
		case "1003":
			if o.CancelReason != "customer" || o.CancelledAt == nil || len(o.Refunds) != 1 || o.Refunds[0].Amount != "42.00" {
				t.Errorf("#1003 %+v", o)
			}
		case "1004":
			if o.FraudRisk != "high" {
				t.Errorf("#1004 fraud risk %q", o.FraudRisk)
			}
		}
	}
	byEmail, err := c.OrdersByEmail(ctx, "ada.lovelace@example.com", 5)
	if err != nil || len(byEmail) != 2 {
		t.Errorf("OrdersByEmail = %d, %v", len(byEmail), err)
	}

	cs, err := c.CustomersByEmail(ctx, "Ada.Lovelace@Example.com")
	if err != nil || len(cs) != 1 {
		t.Fatalf("CustomersByEmail = %v, %v", cs, err)
	}
	golden(t, "graphql_customer_ada", cs[0])
	same := func(a, b string) bool { return strings.ReplaceAll(a, " ", "") == strings.ReplaceAll(b, " ", "") }
	if cs, err := c.CustomersByPhone(ctx, "+49301234567", same); err != nil || len(cs) != 1 || cs[0].Name() != "Ada Lovelace" {
		t.Errorf("CustomersByPhone = %v, %v", cs, err)
	}
	if cs, err := c.CustomersByEmail(ctx, "nobody@example.com"); err != nil || len(cs) != 0 {
		t.Errorf("unknown email = %v, %v", cs, err)
	}
	for _, p := range rec.paths {
		if p != "/admin/api/"+shopify.APIVersion+"/graphql.json" {
			t.Errorf("called %s; every call must pin the API version", p)
		}
	}
}

func TestClientErrors(t *testing.T) {
	fake := shopifytest.New("key", "secret")
	defer fake.Close()
	fake.AddShop(shop, "shpat_custom")
	fake.DenyOrder(shop, "5843223789618")
	ctx := context.Background()
	c := newClient(t, fake, "shpat_custom")

	if _, err := c.Order(ctx, "1"); !shopify.IsNotFound(err) {
		t.Errorf("unknown order: %v, want not found", err)
	}
	if _, err := c.Order(ctx, "5843223789618"); !shopify.IsNotFound(err) || !strings.Contains(err.Error(), "read_all_orders") {
		t.Errorf("order without read_all_orders: %v, want not found naming the scope", err)
	}
	if _, err := newClient(t, fake, "revoked").Order(ctx, "5843223773234"); !shopify.IsUnauthorized(err) {
		t.Errorf("revoked token: %v, want unauthorized", err)
	}

	fake.Throttle(1)
	_, err := c.Order(ctx, "5843223773234")
	var rl interface{ RetryAfter() time.Duration }
	// The fake's throttle status: 150 points asked (HubOrder's requested
	// cost), 10 available, 100/s back.
	if !errors.As(err, &rl) || rl.RetryAfter() != 1400*time.Millisecond {
		t.Errorf("THROTTLED: %v, want a RetryAfter of 1.4s", err)
	}
	fake.TooManyRequests(1, "2.5")
	_, err = c.Order(ctx, "5843223773234")
	if !errors.As(err, &rl) || rl.RetryAfter() != 2500*time.Millisecond {
		t.Errorf("429: %v, want a RetryAfter of 2.5s (fractions kept)", err)
	}
	if _, err := c.Order(ctx, "5843223773234"); err != nil {
		t.Errorf("after the throttling: %v", err)
	}

	if _, err := shopify.NewClient(shopify.Config{Shop: "evil.example/myshopify.com", Tokens: shopify.StaticToken("t")}); err == nil {
		t.Error("NewClient accepted a foreign host as shop")
	}
}

func TestRegisterWebhooksIsIdempotent(t *testing.T) {
	fake := shopifytest.New("key", "secret")
	defer fake.Close()
	fake.AddShop(shop, "shpat_custom")
	c := newClient(t, fake, "shpat_custom")
	uri := "https://hub.example/webhooks/shopify"
	n, err := c.RegisterWebhooks(context.Background(), uri, shopify.Topics)
	if err != nil || n != len(shopify.Topics) {
		t.Fatalf("first registration: %d, %v", n, err)
	}
	n, err = c.RegisterWebhooks(context.Background(), uri, shopify.Topics)
	if err != nil || n != 0 {
		t.Fatalf("second registration: %d, %v", n, err)
	}
	subs := fake.Subscriptions(shop)
	if len(subs) != len(shopify.Topics) || subs[0] != "ORDERS_CREATE "+uri {
		t.Errorf("subscriptions %v", subs)
	}
}

// A topic Shopify refuses is a *SubscriptionRefused with Shopify's words;
// Subscriptions names topics as the hub does.
func TestSubscribeRefusedAndListed(t *testing.T) {
	fake := shopifytest.New("key", "secret")
	defer fake.Close()
	fake.AddShop(shop, "shpat_custom")
	fake.RefuseSubscription(shop, "ORDERS_PAID", "Address is an invalid domain")
	fake.AddSubscription(shop, "ORDERS_CREATE", "https://old.example/webhooks/shopify")
	c := newClient(t, fake, "shpat_custom")
	ctx := context.Background()
	uri := "https://hub.example/webhooks/shopify"
	var refused *shopify.SubscriptionRefused
	if created, err := c.Subscribe(ctx, uri, "orders/paid"); created || !errors.As(err, &refused) || refused.Message != "Address is an invalid domain" {
		t.Fatalf("refused topic: %v, %v", created, err)
	}
	if created, err := c.Subscribe(ctx, uri, "orders/create"); !created || err != nil {
		t.Fatalf("orders/create: %v, %v", created, err)
	}
	if created, err := c.Subscribe(ctx, uri, "orders/create"); created || err != nil {
		t.Fatalf("orders/create again: %v, %v", created, err)
	}
	subs, err := c.Subscriptions(ctx)
	if err != nil || len(subs) != 2 || subs[0].Topic != "orders/create" || subs[0].URI != "https://old.example/webhooks/shopify" ||
		subs[1].Topic != "orders/create" || subs[1].URI != uri || subs[0].ID == subs[1].ID {
		t.Errorf("subscriptions %+v, %v", subs, err)
	}
}
