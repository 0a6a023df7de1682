package enrich_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"hub/connectors/shopify"
	"hub/connectors/shopify/shopifytest"
	"hub/enrich"
	"hub/tickets"
	"hub/tickets/postgres"
	"hub/tickets/postgres/pgtest"
)

func shopifySource(t *testing.T, fake *shopifytest.Server, shop, token string) *enrich.Shopify {
	t.Helper()
	c, err := shopify.NewClient(shopify.Config{Shop: shop, Tokens: shopify.StaticToken(token), BaseURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	return enrich.NewShopify(c)
}

func TestShopifySourceFinds(t *testing.T) {
	fake := shopifytest.New("key", "secret")
	defer fake.Close()
	fake.AddShop("acme.myshopify.com", "shpat_acme")
	src := shopifySource(t, fake, "acme.myshopify.com", "shpat_acme")
	ctx := context.Background()
	if src.Store() != "shopify:acme.myshopify.com" {
		t.Errorf("store %q", src.Store())
	}

	byNumber, err := src.FindOrders(ctx, enrich.Query{OrderNumbers: []string{"1001"}})
	if err != nil || len(byNumber) != 1 {
		t.Fatalf("by number: %v, %v", byNumber, err)
	}
	o := byNumber[0]
	var d tickets.OrderDetails
	if err := json.Unmarshal(o.Details, &d); err != nil {
		t.Fatal(err)
	}
	if o.Store != "shopify:acme.myshopify.com" || o.OrderID != "5843223773234" || o.OrderNumber != "1001" ||
		o.FinancialStatus != "paid" || o.FulfillmentStatus != "fulfilled" || o.Total != "59.00" || o.Currency != "EUR" ||
		o.CustomerEmail != "ada.lovelace@example.com" || o.SourceUpdatedAt.IsZero() {
		t.Errorf("order %+v", o)
	}
	if d.Number != "1001" || d.CreatedAt.IsZero() || len(d.LineItems) != 2 || d.LineItems[0].Quantity != 2 ||
		d.ShippingCity != "Berlin" || d.ShippingCountry != "Germany" || len(d.Tracking) != 1 || d.Tracking[0].Company != "UPS" ||
		d.Tracking[0].URL == "" || d.FraudRisk != "low" || d.AdminURL != "https://admin.shopify.com/store/acme/orders/5843223773234" {
		t.Errorf("details %+v", d)
	}

	cancelled, err := src.FindOrders(ctx, enrich.Query{OrderNumbers: []string{"1003"}})
	if err != nil || len(cancelled) != 1 {
		t.Fatalf("#1003: %v, %v", cancelled, err)
	}
	_ = json.Unmarshal(cancelled[0].Details, &d)
	if d.CancelledAt == nil || d.CancelReason != "customer" || len(d.Refunds) != 1 || d.Refunds[0].Amount != "42.00" {
		t.Errorf("#1003 details %+v", d)
	}

	for name, q := range map[string]enrich.Query{"email": {Email: "ada.lovelace@example.com"}, "phone": {Phone: "+49301234567"}} {
		orders, err := src.FindOrders(ctx, q)
		if err != nil || len(orders) != 2 {
			t.Errorf("orders by %s: %d, %v", name, len(orders), err)
		}
		customers, err := src.FindCustomers(ctx, q)
		if err != nil || len(customers) != 1 {
			t.Fatalf("customers by %s: %v, %v", name, customers, err)
		}
		c := customers[0]
		if c.Store != "shopify:acme.myshopify.com" || c.CustomerID != "7392119275570" || c.Name != "Ada Lovelace" ||
			c.OrdersCount == nil || *c.OrdersCount != 2 || c.TotalSpent != "84.00" || c.Currency != "EUR" || c.FirstOrderAt == nil ||
			strings.Join(c.Tags, ",") != "vip,newsletter" || c.Note != "Prefers email" ||
			c.AdminURL != "https://admin.shopify.com/store/acme/customers/7392119275570" || c.UpdatedAt.IsZero() {
			t.Errorf("customer by %s: %+v", name, c)
		}
	}
}

// What Shopify will not show is "not found" (shown, not retried); being
// throttled is not, and carries Shopify's wait.
func TestShopifySourceErrors(t *testing.T) {
	fake := shopifytest.New("key", "secret")
	defer fake.Close()
	fake.AddShop("acme.myshopify.com", "shpat_acme")
	ctx := context.Background()
	revoked := shopifySource(t, fake, "acme.myshopify.com", "shpat_revoked")
	if _, err := revoked.FindOrders(ctx, enrich.Query{OrderNumbers: []string{"1001"}}); !errors.Is(err, enrich.ErrNotFound) {
		t.Errorf("revoked token: %v, want ErrNotFound", err)
	}
	src := shopifySource(t, fake, "acme.myshopify.com", "shpat_acme")
	fake.Throttle(1)
	_, err := src.FindCustomers(ctx, enrich.Query{Email: "ada.lovelace@example.com"})
	var ra interface{ RetryAfter() time.Duration }
	if errors.Is(err, enrich.ErrNotFound) || !errors.As(err, &ra) || ra.RetryAfter() <= 0 {
		t.Errorf("throttled: %v, want a RetryAfter error", err)
	}
}

// The enrichment with two connected shops: the customer's profile and
// latest order from one, and an order number both shops know is shown as
// ambiguous rather than guessed.
func TestEnrichmentWithShopifyShops(t *testing.T) {
	fake := shopifytest.New("key", "secret")
	defer fake.Close()
	fake.AddShop("acme.myshopify.com", "shpat_acme")
	fake.AddShop("acme-outlet.myshopify.com", "shpat_outlet")
	store := postgres.New(pgtest.New(t), postgres.Options{})
	ctx := context.Background()
	acme := shopifySource(t, fake, "acme.myshopify.com", "shpat_acme")
	both := []enrich.Source{acme, shopifySource(t, fake, "acme-outlet.myshopify.com", "shpat_outlet")}
	one := []enrich.Source{acme}
	sources := &one
	en := enrich.New(store, func(context.Context) ([]enrich.Source, error) { return *sources, nil }, enrich.Options{CacheTTL: -1})

	actor := tickets.Actor{Kind: tickets.ActorAPIKey, ID: "k"}
	tk, _, err := store.CreateTicket(ctx, actor, tickets.NewTicket{Subject: "Hello", Source: tickets.SourceAPI,
		Customer: tickets.CustomerInput{Email: "ada.lovelace@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := en.Ticket(ctx, tk.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := store.GetTicket(ctx, tk.ID)
	if len(got.Orders) != 1 || got.Orders[0].OrderNumber != "1002" {
		t.Errorf("linked %+v, want Ada's latest order #1002", got.Orders)
	}
	c, _, err := store.CustomerByEmail(ctx, "ada.lovelace@example.com")
	if err != nil || len(c.Stores) != 1 || *c.Stores[0].OrdersCount != 2 || c.Stores[0].TotalSpent != "84.00" {
		t.Errorf("customer %+v, %v", c, err)
	}

	sources = &both
	tk2, _, err := store.CreateTicket(ctx, actor, tickets.NewTicket{Subject: "Where is order #1004?", Source: tickets.SourceAPI,
		Customer: tickets.CustomerInput{Email: "alan@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := en.Ticket(ctx, tk2.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = store.GetTicket(ctx, tk2.ID)
	msgs, _ := store.ListMessages(ctx, tk2.ID)
	var notes []string
	for _, m := range msgs {
		notes = append(notes, m.Body)
	}
	if len(got.Orders) != 0 || !strings.Contains(strings.Join(notes, "\n"), "Order #1004 matches 2 orders") {
		t.Errorf("orders %+v, notes %q: want the ambiguity shown", got.Orders, notes)
	}
}
