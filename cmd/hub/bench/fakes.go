package bench

import (
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"time"

	"hub/connectors/shopify/shopifytest"
	"hub/connectors/slack/slacktest"
	"hub/connectors/woocommerce/wootest"
)

// The bench's vendors: one Shopify shop, one WooCommerce store, one Slack
// workspace and a Zapier hook endpoint, all local fakes.
const (
	benchShop        = "bench.myshopify.com"
	benchShopToken   = "shpat_bench"
	benchShopSecret  = "bench-shopify-secret"
	benchWooSecret   = "bench-woo-secret"
	benchSlackToken  = slacktest.Token
	benchSlackSecret = "bench-slack-signing-secret"
	benchChannel     = "C0BENCH"
	// customers is the pool of customers the traffic names: each is known
	// to both stores, so the enrichment finds a profile and an order.
	customers = 200
)

type fakes struct {
	shopify   *shopifytest.Server
	woo       *wootest.Store
	slack     *slacktest.Server
	hooks     *httptest.Server
	hookPosts atomic.Int64
	// fault, when not 0, is the status every vendor answers for now (429
	// with Retry-After, or 500), as a vendor in trouble does: the chaos
	// tests set it.
	fault      atomic.Int32
	proxies    []*httptest.Server
	shopifyURL string // the Admin API as the hub reaches it (latency, errors)
	wooURL     string
	slackURL   string
	hooksURL   string
}

func startFakes(cfg Config) (*fakes, error) {
	f := &fakes{}
	f.shopify = shopifytest.New("bench-client", benchShopSecret)
	f.shopify.AddShop(benchShop, benchShopToken)
	for i := range customers {
		f.shopify.AddPurchase(benchShop, shopifytest.Purchase{
			OrderID: 5_000_000_000 + int64(i), Number: 100_000 + i, CustomerID: 7_000_000_000 + int64(i),
			Email: customerEmail(i), FirstName: "Bench", LastName: fmt.Sprintf("Customer %d", i),
			Item: "Load Tester", Quantity: 1, Price: "19.90", Currency: "EUR",
			PlacedAt: time.Now().Add(-48 * time.Hour), Carrier: "DHL", Tracking: fmt.Sprintf("00340434%010d", i),
		})
	}
	f.woo = wootest.New()
	for i := range customers {
		f.woo.PutCustomer(wooCustomer(i))
	}
	f.slack = slacktest.New()
	f.slack.Lean()
	f.slack.AddUser(slacktest.User{ID: benchAgent, Name: "Bench Agent", Email: "agent@bench.example"})
	f.hooks = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(cfg.Latency)
		if f.failing(w) {
			return
		}
		f.hookPosts.Add(1)
		w.WriteHeader(http.StatusOK)
	}))

	slow := func(target string) (string, error) {
		u, err := url.Parse(target)
		if err != nil {
			return "", err
		}
		p := f.slowProxy(u, cfg.Latency, cfg.ErrorRate)
		f.proxies = append(f.proxies, p)
		return p.URL + u.Path, nil
	}
	var err error
	if f.shopifyURL, err = slow(f.shopify.URL); err != nil {
		return nil, err
	}
	// The store's URL is what its webhooks name as their source; the hub
	// reaches it (and so the fake) through the slow proxy.
	if f.wooURL, err = slow(f.woo.URL()); err != nil {
		return nil, err
	}
	if f.slackURL, err = slow(f.slack.URL()); err != nil {
		return nil, err
	}
	f.hooksURL = f.hooks.URL
	return f, nil
}

func (f *fakes) close() {
	for _, p := range f.proxies {
		p.Close()
	}
	f.shopify.Close()
	f.woo.Close()
	f.slack.Close()
	f.hooks.Close()
}

// failing answers the request with the vendor's current fault, if any.
func (f *fakes) failing(w http.ResponseWriter) bool {
	switch code := int(f.fault.Load()); code {
	case 0:
		return false
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "2")
		http.Error(w, `{"ok":false,"error":"ratelimited"}`, code)
	default:
		http.Error(w, `{"errors":"Internal Server Error"}`, code)
	}
	return true
}

// slowProxy forwards to target after latency, failing a share of calls
// with a 500, as a vendor API under load does, and every call while a
// fault is set.
func (f *fakes) slowProxy(target *url.URL, latency time.Duration, errorRate float64) *httptest.Server {
	base := *target
	base.Path = ""
	rp := httputil.NewSingleHostReverseProxy(&base)
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute}
	// A hub killed mid-call cancels its requests; that is no news.
	rp.ErrorLog = log.New(io.Discard, "", 0)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		if f.failing(w) {
			return
		}
		if errorRate > 0 && rand.Float64() < errorRate {
			http.Error(w, `{"errors":"Internal Server Error"}`, http.StatusInternalServerError)
			return
		}
		rp.ServeHTTP(w, r)
	}))
}

func customerEmail(i int) string { return fmt.Sprintf("customer%d@bench.example", i) }

func wooCustomer(i int) []byte {
	return []byte(fmt.Sprintf(`{"id":%d,"email":%q,"first_name":"Bench","last_name":"Customer %d","role":"customer","username":"bench%d",
"billing":{"first_name":"Bench","last_name":"Customer %d","email":%q,"phone":"","city":"Berlin","country":"DE"},
"date_created_gmt":"2026-01-01T10:00:00","date_modified_gmt":"2026-01-01T10:00:00","orders_count":3,"total_spent":"59.70","is_paying_customer":true}`,
		9000+i, customerEmail(i), i, i, i, customerEmail(i)))
}
