package shopifytest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"hub/connectors/shopify/shopifytest"
)

const shop = "acme.myshopify.com"

type answer struct {
	status int
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code    string `json:"code"`
			Cost    int    `json:"cost"`
			MaxCost int    `json:"maxCost"`
		} `json:"extensions"`
	} `json:"errors"`
	Data       map[string]any `json:"data"`
	Extensions struct {
		Cost struct {
			Requested      int  `json:"requestedQueryCost"`
			Actual         *int `json:"actualQueryCost"`
			ThrottleStatus struct {
				Maximum   float64 `json:"maximumAvailable"`
				Available float64 `json:"currentlyAvailable"`
				Restore   float64 `json:"restoreRate"`
			} `json:"throttleStatus"`
		} `json:"cost"`
	} `json:"extensions"`
}

func post(t *testing.T, fake *shopifytest.Server, query string, vars map[string]any) answer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, fake.URL+"/admin/api/2025-10/graphql.json", bytes.NewReader(body))
	req.Header.Set("X-Shopify-Access-Token", "shpat_x")
	req.Header.Set("X-Shopify-Shop-Domain", shop)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode}
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// The document the hub used to send for an order search: 10 orders with
// every detail (line items, fulfillments × tracking, refunds) each.
const costly = `query HubOrders($query: String!, $first: Int!) {
  orders(first: $first, query: $query) { nodes {
    id name
    lineItems(first: 50) { nodes { title originalUnitPriceSet { shopMoney { amount } } } }
    fulfillments(first: 10) { status trackingInfo(first: 10) { number } }
    refunds(first: 20) { id totalRefundedSet { shopMoney { amount } } }
  } }
}`

// Shopify's accounting, as the fake keeps it: a query over 1,000 requested
// points is refused before it runs; every answer reports its cost and the
// bucket; a query the bucket cannot hold is throttled; the bucket refills
// at its restore rate.
func TestFakeKeepsShopifysAccounting(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	fake := shopifytest.New("key", "secret")
	defer fake.Close()
	fake.SetClock(clk.Now)
	fake.AddShop(shop, "shpat_x")

	a := post(t, fake, costly, map[string]any{"query": "email:ada@example.com", "first": 10})
	if len(a.Errors) != 1 || a.Errors[0].Extensions.Code != "MAX_COST_EXCEEDED" || a.Errors[0].Extensions.Cost <= 1000 ||
		a.Errors[0].Extensions.MaxCost != 1000 || a.Data != nil {
		t.Fatalf("costly query: %+v", a)
	}
	if fake.Calls("HubOrders") != 0 || fake.Refused("MAX_COST_EXCEEDED") != 1 || fake.Available(shop) != 1000 {
		t.Errorf("the refused query ran or was charged")
	}

	const one = `query HubOrder($id: ID!) { order(id: $id) { id name lineItems(first: 10) { nodes { title } } } }`
	a = post(t, fake, one, map[string]any{"id": "gid://shopify/Order/5843223773234"})
	c := a.Extensions.Cost
	if len(a.Errors) != 0 || a.Data["order"] == nil || c.Requested != 13 || c.Actual == nil || *c.Actual != 2 ||
		c.ThrottleStatus.Maximum != 1000 || c.ThrottleStatus.Available != 998 || c.ThrottleStatus.Restore != 100 {
		t.Fatalf("cheap query: %+v", a)
	}

	fake.SetBucket(shop, 20, 10)
	post(t, fake, one, map[string]any{"id": "1"}) // 13 held, 2 charged: 18 left
	const search = `query HubOrderSearch($query: String!, $first: Int!) { orders(first: $first, query: $query) { nodes { id name } } }`
	vars := map[string]any{"query": "name:#1001", "first": 18}
	a = post(t, fake, search, vars)
	if len(a.Errors) != 1 || a.Errors[0].Extensions.Code != "THROTTLED" || a.Extensions.Cost.Requested != 20 ||
		a.Extensions.Cost.Actual != nil || a.Extensions.Cost.ThrottleStatus.Available != 18 {
		t.Fatalf("over the bucket: %+v", a)
	}
	clk.Add(200 * time.Millisecond)
	if a = post(t, fake, search, vars); len(a.Errors) != 0 || a.Data["orders"] == nil {
		t.Fatalf("after the restore: %+v", a)
	}
}

// An outage answers every call with the status until it is over on the
// fake's clock.
func TestFakeOutage(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	fake := shopifytest.New("key", "secret")
	defer fake.Close()
	fake.SetClock(clk.Now)
	fake.AddShop(shop, "shpat_x")
	fake.FailFor(5*time.Minute, http.StatusInternalServerError)
	q := `query HubOrder($id: ID!) { order(id: $id) { id } }`
	if a := post(t, fake, q, map[string]any{"id": "1"}); a.status != 500 {
		t.Fatalf("during the outage: %d", a.status)
	}
	clk.Add(5 * time.Minute)
	if a := post(t, fake, q, map[string]any{"id": "1"}); a.status != 200 {
		t.Fatalf("after the outage: %d", a.status)
	}
	if fake.Refused("500") != 1 || fake.Calls("HubOrder") != 1 {
		t.Errorf("refused %d, answered %d", fake.Refused("500"), fake.Calls("HubOrder"))
	}
}
