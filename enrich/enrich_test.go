package enrich_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hub/enrich"
	"hub/tickets"
	"hub/tickets/postgres"
	"hub/tickets/postgres/pgtest"
	"hub/webhooks"
)

// storeSource is an in-memory store on the far side of enrich.Source; the
// real sources (Shopify, WooCommerce) are tested against their vendors'
// fake APIs in their own packages.
type storeSource struct {
	key       string
	orders    []tickets.OrderRef
	customers []tickets.StoreCustomer
	err       error
	calls     atomic.Int32
}

func (s *storeSource) Store() string { return s.key }

func (s *storeSource) FindOrders(ctx context.Context, q enrich.Query) ([]tickets.OrderRef, error) {
	s.calls.Add(1)
	if s.err != nil {
		return nil, s.err
	}
	var out []tickets.OrderRef
	for _, o := range s.orders {
		if len(q.OrderNumbers) == 0 && o.CustomerEmail == q.Email {
			out = append(out, o)
		}
		for _, n := range q.OrderNumbers {
			if o.OrderNumber == n {
				out = append(out, o)
			}
		}
	}
	return out, nil
}

func (s *storeSource) FindCustomers(ctx context.Context, q enrich.Query) ([]tickets.StoreCustomer, error) {
	var out []tickets.StoreCustomer
	for _, c := range s.customers {
		if c.Email == q.Email {
			out = append(out, c)
		}
	}
	return out, nil
}

type throttled struct{}

func (throttled) Error() string             { return "429 Too Many Requests" }
func (throttled) RetryAfter() time.Duration { return 2 * time.Second }

func order(store, id, number, email string, at time.Time) tickets.OrderRef {
	return tickets.OrderRef{Store: store, OrderID: id, OrderNumber: number, FinancialStatus: "paid",
		Total: "10.00", Currency: "EUR", CustomerEmail: email, SourceUpdatedAt: at}
}

func setup(t *testing.T, sources ...enrich.Source) (*postgres.Store, *enrich.Enricher) {
	t.Helper()
	t.Parallel()
	store := postgres.New(pgtest.New(t), postgres.Options{})
	en := enrich.New(store, func(context.Context) ([]enrich.Source, error) { return sources, nil }, enrich.Options{CacheTTL: -1})
	return store, en
}

func TestEnrichLinksOrdersFromEveryStoreAndSavesProfiles(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	shop := &storeSource{key: "shopify:acme.myshopify.com",
		orders:    []tickets.OrderRef{order("shopify:acme.myshopify.com", "5001", "1001", "ada@example.com", t0)},
		customers: []tickets.StoreCustomer{{CustomerID: "77", Email: "ada@example.com", Name: "Ada L", OrdersCount: ptr(3), TotalSpent: "99.00", Currency: "EUR"}}}
	woo := &storeSource{key: "woocommerce:shop.example.com",
		orders:    []tickets.OrderRef{order("woocommerce:shop.example.com", "812", "812", "ada@example.com", t0)},
		customers: []tickets.StoreCustomer{{CustomerID: "5", Email: "ada@example.com", Name: "Ada Lovelace", OrdersCount: ptr(1), TotalSpent: "20.00", Currency: "GBP"}}}
	store, en := setup(t, shop, woo)
	ctx := context.Background()
	tk, _, err := store.CreateTicket(ctx, tickets.Actor{Kind: tickets.ActorSystem, ID: "t"}, tickets.NewTicket{
		Subject: "Hello", Source: tickets.SourceAPI, Customer: tickets.CustomerInput{Email: "ada@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a second run changes nothing
		if err := en.Ticket(ctx, tk.ID); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := store.GetTicket(ctx, tk.ID)
	if len(got.Orders) != 2 {
		t.Fatalf("orders %+v: want the latest order of each store", got.Orders)
	}
	if len(got.Customer.Stores) != 2 || *got.Customer.Stores[0].OrdersCount+*got.Customer.Stores[1].OrdersCount != 4 {
		t.Errorf("store profiles %+v", got.Customer.Stores)
	}
	evs, _ := store.ListEvents(ctx, tk.ID)
	links := 0
	for _, e := range evs {
		if e.Type == tickets.EventOrderLinked {
			links++
			if e.Actor.ID != "enrich" {
				t.Errorf("link by %+v", e.Actor)
			}
		}
	}
	if links != 2 {
		t.Errorf("%d order.linked events, want 2", links)
	}
}

func TestEnrichShowsAmbiguityAndNotFoundOnce(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	a := &storeSource{key: "shopify:a.myshopify.com", orders: []tickets.OrderRef{order("shopify:a.myshopify.com", "1", "1001", "x@example.com", t0)}}
	b := &storeSource{key: "shopify:b.myshopify.com", orders: []tickets.OrderRef{order("shopify:b.myshopify.com", "2", "1001", "y@example.com", t0)}}
	store, en := setup(t, a, b)
	ctx := context.Background()
	tk, _, _ := store.CreateTicket(ctx, tickets.Actor{Kind: tickets.ActorSystem, ID: "t"}, tickets.NewTicket{
		Subject: "Order #1001 and order 4040", Source: tickets.SourceAPI})
	for range 3 {
		if err := en.Ticket(ctx, tk.ID); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := store.GetTicket(ctx, tk.ID)
	if len(got.Orders) != 0 {
		t.Errorf("an ambiguous order was linked: %+v", got.Orders)
	}
	msgs, _ := store.ListMessages(ctx, tk.ID)
	var notes []string
	for _, m := range msgs {
		notes = append(notes, m.Body)
	}
	if len(notes) != 2 || !strings.Contains(notes[0], "matches 2 orders") || !strings.Contains(notes[1], "#4040 was not found") {
		t.Errorf("notes %q", notes)
	}
}

func TestEnrichThrottledStoreRetriesAfterItsDelay(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	ok := &storeSource{key: "shopify:ok.myshopify.com", orders: []tickets.OrderRef{order("shopify:ok.myshopify.com", "1", "1001", "", t0)}}
	slow := &storeSource{key: "woocommerce:slow.example.com", err: fmt.Errorf("woocommerce: list orders: %w", throttled{})}
	store, en := setup(t, ok, slow)
	ctx := context.Background()
	tk, _, _ := store.CreateTicket(ctx, tickets.Actor{Kind: tickets.ActorSystem, ID: "t"}, tickets.NewTicket{
		Subject: "Order #1001", Source: tickets.SourceAPI})
	err := en.Ticket(ctx, tk.ID)
	if d, isWait := webhooks.RetryAfterOf(err); !isWait || d != 2*time.Second {
		t.Fatalf("error %v: want one carrying the store's Retry-After", err)
	}
	got, _ := store.GetTicket(ctx, tk.ID)
	if len(got.Orders) != 1 {
		t.Errorf("the answering store's order was not linked: %+v", got.Orders)
	}
	msgs, _ := store.ListMessages(ctx, tk.ID)
	if len(msgs) != 0 {
		t.Errorf("notes written while a store had not answered: %+v", msgs)
	}
}

func TestEnrichNotFoundScopeIsShownNotRetried(t *testing.T) {
	gone := &storeSource{key: "shopify:old.myshopify.com", err: fmt.Errorf("shopify: order: ACCESS_DENIED read_all_orders: %w", enrich.ErrNotFound)}
	store, en := setup(t, gone)
	ctx := context.Background()
	tk, _, _ := store.CreateTicket(ctx, tickets.Actor{Kind: tickets.ActorSystem, ID: "t"}, tickets.NewTicket{
		Subject: "Order #1001 from last year", Source: tickets.SourceAPI})
	if err := en.Ticket(ctx, tk.ID); err != nil {
		t.Fatalf("a not-found store must not fail the task: %v", err)
	}
	msgs, _ := store.ListMessages(ctx, tk.ID)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Body, "not found") {
		t.Errorf("notes %+v", msgs)
	}
}

func TestEnrichCachesLookups(t *testing.T) {
	src := &storeSource{key: "shopify:c.myshopify.com"}
	store := postgres.New(pgtest.New(t), postgres.Options{})
	en := enrich.New(store, func(context.Context) ([]enrich.Source, error) { return []enrich.Source{src}, nil }, enrich.Options{})
	ctx := context.Background()
	tk, _, _ := store.CreateTicket(ctx, tickets.Actor{Kind: tickets.ActorSystem, ID: "t"}, tickets.NewTicket{
		Subject: "Order #1001", Source: tickets.SourceAPI})
	for range 3 {
		if err := en.Ticket(ctx, tk.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := src.calls.Load(); n != 1 {
		t.Errorf("store asked %d times, want 1 (cached)", n)
	}
	if err := en.Ticket(ctx, "00000000-0000-0000-0000-000000000000"); tickets.ErrorCode(err) != tickets.ENOTFOUND {
		t.Errorf("unknown ticket: %v", err)
	}
}

func TestFollowups(t *testing.T) {
	tk := tickets.Ticket{ID: "t1"}
	tests := []struct {
		ev   tickets.Event
		want int
	}{
		{tickets.Event{Type: tickets.EventCreated}, 1},
		{tickets.Event{Type: tickets.EventMessageCreated, After: map[string]any{"kind": "customer"}}, 1},
		{tickets.Event{Type: tickets.EventMessageCreated, After: map[string]any{"kind": "note"}}, 0},
		{tickets.Event{Type: tickets.EventStatusChanged}, 0},
	}
	for _, tt := range tests {
		got := enrich.Followups(tk, tt.ev)
		if len(got) != tt.want {
			t.Errorf("%s %v: %d follow-ups, want %d", tt.ev.Type, tt.ev.After, len(got), tt.want)
		}
		if len(got) == 1 && (got[0].Type != enrich.TypeEnrichTicket || got[0].Unique != "t1") {
			t.Errorf("follow-up %+v", got[0])
		}
	}
}

func ptr(n int) *int { return &n }
