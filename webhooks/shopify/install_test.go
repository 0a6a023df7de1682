package shopify_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"hub/connectors/shopify"
	whshopify "hub/webhooks/shopify"
)

// The OAuth install end to end against the fake: consent, signed callback,
// code exchanged for an expiring token stored sealed, webhook subscriptions
// registered, and the token refreshed once when it expires, however many
// workers want it at that moment.
func TestOAuthInstallEndToEnd(t *testing.T) {
	b := setup(t, setupOpts{})
	ctx := context.Background()
	const newShop = "lovelace-labs.myshopify.com"
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	// The first token lasts a minute: the first call must refresh it before
	// using it.
	b.fake.SetTokenTTL(time.Minute)

	resp, err := browser.Get(b.hub.URL + "/shopify/install?shop=Lovelace-Labs")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), newShop+" is connected") {
		t.Fatalf("install ended with %d %s", resp.StatusCode, page)
	}
	conn, found, err := b.shops.Lookup(ctx, newShop)
	if err != nil || !found || !conn.Active || conn.Settings["connected_by"] != "oauth" {
		t.Fatalf("connection %+v found %v err %v", conn, found, err)
	}
	access, refresh := conn.Secrets[whshopify.SecretAccessToken], conn.Secrets[whshopify.SecretRefreshToken]
	if !strings.HasPrefix(access, "shpat_") || !strings.HasPrefix(refresh, "shprt_") || conn.Secrets[whshopify.SecretExpiresAt] == "" {
		t.Fatalf("secrets %v", conn.Secrets)
	}
	if b.dbHolds(t, access) || b.dbHolds(t, refresh) {
		t.Error("a token is stored in the clear")
	}
	b.fake.SetTokenTTL(time.Hour)
	c, err := b.shops.Client(ctx, newShop)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Order(ctx, "5843223773234"); err != nil || b.fake.Refreshes() != 1 {
		t.Fatalf("call with a token about to expire: %v, %d refreshes", err, b.fake.Refreshes())
	}
	access, refresh = b.secret(t, newShop, whshopify.SecretAccessToken), b.secret(t, newShop, whshopify.SecretRefreshToken)

	// The subscriptions queued by the install are registered by a worker.
	b.startWorker(t)
	waitFor(t, "webhook subscriptions", func() bool { return len(b.fake.Subscriptions(newShop)) == len(shopify.Topics) })
	if subs := b.fake.Subscriptions(newShop); !strings.HasSuffix(subs[0], b.hub.URL+"/webhooks/shopify") {
		t.Errorf("subscriptions %v", subs)
	}

	// Shopify refuses the token before the hub expected; five workers call
	// at once; one refresh happens and every call succeeds.
	b.fake.ExpireTokens(newShop)
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := b.shops.Client(ctx, newShop)
			if err == nil {
				_, err = c.Order(ctx, "5843223773234")
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("call after expiry: %v", err)
		}
	}
	if n := b.fake.Refreshes(); n != 2 {
		t.Errorf("%d refreshes, want 2", n)
	}
	after, _, _ := b.shops.Lookup(ctx, newShop)
	if after.Secrets[whshopify.SecretAccessToken] == access || after.Secrets[whshopify.SecretRefreshToken] == refresh {
		t.Error("the refreshed pair was not stored")
	}

	// The periodic task refreshes a quiet shop's token (its refresh token
	// would lapse unused); a shop with a fixed token is left alone.
	if err := whshopify.RefreshHandler(b.shops)(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if n := b.fake.Refreshes(); n != 3 {
		t.Errorf("%d refreshes after the periodic task, want 3", n)
	}
	if c, err := b.shops.Client(ctx, newShop); err != nil {
		t.Fatal(err)
	} else if _, err := c.Order(ctx, "5843223773234"); err != nil {
		t.Errorf("call after the periodic refresh: %v", err)
	}
}

func (b *bundle) secret(t *testing.T, shop, key string) string {
	t.Helper()
	c, _, err := b.shops.Lookup(context.Background(), shop)
	if err != nil {
		t.Fatal(err)
	}
	return c.Secrets[key]
}

func TestOAuthCallbackRefusals(t *testing.T) {
	b := setup(t, setupOpts{})
	noFollow := func(jar http.CookieJar) *http.Client {
		return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	// start runs the install as far as Shopify's redirect back, and returns
	// the callback URL with the browser that started it.
	start := func(shop string) (*url.URL, *http.Client) {
		jar, _ := cookiejar.New(nil)
		c := noFollow(jar)
		resp, err := c.Get(b.hub.URL + "/shopify/install?shop=" + shop)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		resp, err = c.Get(resp.Header.Get("Location")) // the fake's consent screen
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		u, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		return u, c
	}
	get := func(c *http.Client, u string) int {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	if code := get(http.DefaultClient, b.hub.URL+"/shopify/install?shop=evil.example%2Fmyshopify.com"); code != 400 {
		t.Errorf("install for a foreign host: %d", code)
	}
	cb, _ := start("one")
	otherJar, _ := cookiejar.New(nil)
	if code := get(noFollow(otherJar), cb.String()); code != 403 {
		t.Errorf("callback in another browser: %d, want 403", code)
	}
	cb, browser := start("two")
	q := cb.Query()
	q.Set("shop", "three.myshopify.com")
	cb2 := *cb
	cb2.RawQuery = q.Encode()
	if code := get(browser, cb2.String()); code != 401 {
		t.Errorf("callback with the shop changed: %d, want 401", code)
	}
	q = cb.Query()
	q.Set("shop", "three.myshopify.com")
	shopify.SignQuery(q, appSecret) // Shopify-signed, but not the shop this browser installed
	cb2.RawQuery = q.Encode()
	if code := get(browser, cb2.String()); code != 403 {
		t.Errorf("callback for another shop's state: %d, want 403", code)
	}
	if _, found, _ := b.shops.Lookup(context.Background(), "three.myshopify.com"); found {
		t.Error("a refused callback connected a shop")
	}
	if code := get(browser, cb.String()); code != 200 {
		t.Errorf("the genuine callback: %d", code)
	}
}
