package shopify_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"hub/connectors/shopify/shopifytest"
	"hub/tickets"
	whshopify "hub/webhooks/shopify"
)

// fakeClock is the fake Admin API's time, moved by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// highRisk is orders/create for #1004, which Shopify rates a high fraud
// risk (the REST payload does not say so; GraphQL does).
func highRisk() []byte {
	return []byte(strings.NewReplacer(`"id":5843223773234`, `"id":5843223838770`, `"name":"#1001"`, `"name":"#1004"`,
		`"admin_graphql_api_id":"gid://shopify/Order/5843223773234"`, `"admin_graphql_api_id":"gid://shopify/Order/5843223838770"`).
		Replace(string(shopifytest.Webhook("orders_create"))))
}

// With the Admin API answering 500 for five minutes, orders/create is
// recorded from the webhook alone: a customer-cancelled order's ticket opens
// at once. The fraud check is a task of its own that catches up when the
// API is back, and opens the high-risk order's ticket then.
func TestOrdersCreateDoesNotWaitForTheAdminAPI(t *testing.T) {
	b := setup(t, setupOpts{})
	clk := &fakeClock{t: time.Now()}
	b.fake.SetClock(clk.Now)
	b.fake.FailFor(5*time.Minute, http.StatusInternalServerError)
	b.startWorker(t)

	cancelled := shopifytest.Webhook("orders_cancelled") // #1003, cancelled by the customer when created
	for _, body := range [][]byte{cancelled, highRisk()} {
		if status, resp := b.send(t, "orders/create", body); status != 200 {
			t.Fatalf("orders/create: %d %s", status, resp)
		}
	}
	b.waitProcessed(t)
	var failed int
	if err := b.pool.QueryRow(context.Background(), `select count(*) from deliveries where status <> 'processed'`).Scan(&failed); err != nil {
		t.Fatal(err)
	}
	var orders int
	if err := b.pool.QueryRow(context.Background(), `select count(*) from orders where order_id in ('5843223806002', '5843223838770')`).Scan(&orders); err != nil {
		t.Fatal(err)
	}
	list := b.listTickets(t)
	if failed != 0 || orders != 2 || len(list) != 1 || list[0].Subject != "Order #1003 cancelled by the customer" {
		t.Fatalf("during the outage: %d deliveries not processed, %d orders recorded, tickets %+v", failed, orders, list)
	}

	// The fraud check has tried and met the outage; the API comes back.
	waitFor(t, "the fraud check to meet the outage", func() bool { return b.fake.Refused("500") > 0 })
	clk.Add(5 * time.Minute)
	waitFor(t, "the fraud ticket", func() bool { return len(b.listTickets(t)) == 2 })
	list = b.listTickets(t)
	fraud := list[0]
	if fraud.Subject != "Order #1004 flagged as high fraud risk" || fraud.Priority != tickets.PriorityHigh ||
		fraud.Customer.Email == "" || len(fraud.Orders) != 1 || fraud.Orders[0].OrderID != "5843223838770" {
		t.Errorf("fraud ticket %+v", fraud)
	}
	// A cancelled order is not checked: it opens no fraud ticket.
	var checks int
	if err := b.pool.QueryRow(context.Background(), `select count(*) from outbox where type = $1`, whshopify.TypeFraudCheck).Scan(&checks); err != nil {
		t.Fatal(err)
	}
	if checks != 1 {
		t.Errorf("%d fraud checks asked for, want 1", checks)
	}
}
