package enrich_test

import (
	"context"
	"testing"
	"time"

	"hub/connectors/woocommerce"
	"hub/connectors/woocommerce/wootest"
	"hub/enrich"
	"hub/tickets"
)

func wooSource(t *testing.T) (*enrich.WooCommerce, *wootest.Store) {
	t.Helper()
	shop := wootest.New()
	t.Cleanup(shop.Close)
	c, err := woocommerce.New(shop.URL(), shop.Key, shop.Secret, woocommerce.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return enrich.NewWooCommerce("woocommerce:shop.example.com", c), shop
}

func TestCustomerWithOrdersInShopifyAndWooCommerceSeesBoth(t *testing.T) {
	woo, _ := wooSource(t)
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	shop := &storeSource{key: "shopify:acme.myshopify.com",
		orders:    []tickets.OrderRef{order("shopify:acme.myshopify.com", "5001", "1001", "maya.patel@example.com", t0)},
		customers: []tickets.StoreCustomer{{CustomerID: "77", Email: "maya.patel@example.com", Name: "Maya P", OrdersCount: ptr(3), TotalSpent: "99.00", Currency: "EUR"}}}
	store, en := setup(t, shop, woo)
	ctx := context.Background()
	tk, _, err := store.CreateTicket(ctx, tickets.Actor{Kind: tickets.ActorSystem, ID: "t"}, tickets.NewTicket{
		Subject: "My parcel", Source: tickets.SourceAPI, Customer: tickets.CustomerInput{Email: "Maya.Patel@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := en.Ticket(ctx, tk.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := store.GetTicket(ctx, tk.ID)
	stores := map[string]tickets.OrderRef{}
	for _, o := range got.Orders {
		stores[o.Store] = o
	}
	if len(stores) != 2 || stores["shopify:acme.myshopify.com"].OrderNumber != "1001" {
		t.Fatalf("orders %+v: want one from each store", got.Orders)
	}
	// The newest of Maya's WooCommerce orders: 1234 (her account); her
	// guest order 1240 is older.
	if w := stores["woocommerce:shop.example.com"]; w.OrderNumber != "1234" || w.Total != "58.90" || len(w.Details) == 0 {
		t.Errorf("woocommerce order %+v", w)
	}
	if len(got.Customer.Stores) != 2 {
		t.Fatalf("store profiles %+v", got.Customer.Stores)
	}
	for _, p := range got.Customer.Stores {
		if p.Store == "woocommerce:shop.example.com" && (p.CustomerID != "7" || *p.OrdersCount != 1 || p.TotalSpent != "58.90") {
			t.Errorf("woocommerce profile %+v", p)
		}
	}
}

func TestWooCommerceSourceFindsGuestsAndNumbers(t *testing.T) {
	woo, shop := wooSource(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		q       enrich.Query
		orders  []string
		profile string // customer id of the one profile, "" for none
	}{
		{"account and guest orders by email", enrich.Query{Email: "maya.patel@example.com"}, []string{"1234", "1240"}, "7"},
		{"guest only, by email", enrich.Query{Email: "tom.okafor@example.org"}, []string{"1251"}, "guest:tom.okafor@example.org"},
		{"guest only, by phone", enrich.Query{Phone: tickets.NormalisePhone("+44 20 7946 0958")}, []string{"1251"}, "guest:+442079460958"},
		{"by number", enrich.Query{OrderNumbers: []string{"1240"}}, []string{"1240"}, ""},
		{"a draft is no order", enrich.Query{OrderNumbers: []string{"1252"}}, nil, ""},
		{"unknown number", enrich.Query{OrderNumbers: []string{"777"}}, nil, ""},
		{"nobody", enrich.Query{Email: "nobody@example.com"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orders, err := woo.FindOrders(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var nums []string
			for _, o := range orders {
				nums = append(nums, o.OrderNumber)
			}
			if len(nums) != len(tt.orders) || (len(nums) > 0 && nums[0] != tt.orders[0]) {
				t.Errorf("orders %v, want %v", nums, tt.orders)
			}
			if len(tt.q.OrderNumbers) > 0 {
				return
			}
			profiles, err := woo.FindCustomers(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if (tt.profile == "") != (len(profiles) == 0) || (len(profiles) == 1 && profiles[0].CustomerID != tt.profile) {
				t.Errorf("profiles %+v, want %q", profiles, tt.profile)
			}
		})
	}
	// A throttled store passes its Retry-After on, so the task waits.
	shop.FailNext(429, "4")
	_, err := woo.FindOrders(ctx, enrich.Query{OrderNumbers: []string{"1234"}})
	var ra interface{ RetryAfter() time.Duration }
	if err == nil || !asRetryAfter(err, &ra) || ra.RetryAfter() != 4*time.Second {
		t.Errorf("throttled: %v", err)
	}
}

func asRetryAfter(err error, target *interface{ RetryAfter() time.Duration }) bool {
	for e := err; e != nil; {
		if ra, ok := e.(interface{ RetryAfter() time.Duration }); ok {
			*target = ra
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}

// A v3 customer without orders_count or total_spent, whose orders could
// not be listed, has unknown counts, not 0; with a partial listing the
// amount spent is unknown too.
func TestWooCommerceProfileUnknownCounts(t *testing.T) {
	c := woocommerce.Customer{ID: 7, Email: "maya.patel@example.com", FirstName: "Maya"}
	p := enrich.WooCommerceProfile("woocommerce:shop.example.com", "https://shop.example.com", c, nil, -1)
	if p.OrdersCount != nil || p.TotalSpent != "" {
		t.Errorf("not listed: %v orders, %q spent; want unknown", p.OrdersCount, p.TotalSpent)
	}
	o := woocommerce.Order{ID: 1, Status: "completed", Total: "10.00", Currency: "EUR"}
	o.DateCreatedGMT.Time = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p = enrich.WooCommerceProfile("woocommerce:shop.example.com", "https://shop.example.com", c, []woocommerce.Order{o}, 150)
	if p.OrdersCount == nil || *p.OrdersCount != 150 || p.TotalSpent != "" {
		t.Errorf("1 of 150 listed: %v orders, %q spent; want 150 and unknown", p.OrdersCount, p.TotalSpent)
	}
	p = enrich.WooCommerceProfile("woocommerce:shop.example.com", "https://shop.example.com", c, []woocommerce.Order{o}, 1)
	if p.OrdersCount == nil || *p.OrdersCount != 1 || p.TotalSpent != "10.00" {
		t.Errorf("all listed: %v orders, %q spent", p.OrdersCount, p.TotalSpent)
	}
}
