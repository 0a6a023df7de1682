package woocommerce_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hub/connectors/woocommerce"
	"hub/connectors/woocommerce/wootest"
)

func newClient(t *testing.T, url string) *woocommerce.Client {
	t.Helper()
	c, err := woocommerce.New(url, wootest.ConsumerKey, wootest.ConsumerSecret, woocommerce.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClientReadsOrdersAndCustomers(t *testing.T) {
	store := wootest.New()
	defer store.Close()
	c := newClient(t, store.URL())
	ctx := context.Background()

	o, err := c.GetOrder(ctx, 1234)
	if err != nil {
		t.Fatal(err)
	}
	if o.Billing.Email != "maya.patel@example.com" || len(o.LineItems) != 2 || o.Total != "58.90" {
		t.Errorf("order %+v", o)
	}
	if _, err := c.GetOrder(ctx, 999); !woocommerce.IsNotFound(err) {
		t.Errorf("missing order: %v, want not found", err)
	}

	// Guest orders are found by billing email, whatever its case.
	page, err := c.ListOrders(ctx, woocommerce.OrderQuery{Search: "maya.patel@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 2 || len(page.Orders) != 2 || len(page.Raw) != 2 {
		t.Fatalf("search found %d (total %d)", len(page.Orders), page.Total)
	}

	list, err := c.CustomersByEmail(ctx, "Maya.Patel@example.com")
	if err != nil || len(list) != 1 || list[0].ID != 7 || list[0].Name() != "Maya Patel" {
		t.Errorf("customers %+v %v", list, err)
	}
}

func TestClientListsOrdersModifiedAfterPageByPage(t *testing.T) {
	store := wootest.New()
	defer store.Close()
	c := newClient(t, store.URL())
	ctx := context.Background()
	since := time.Now().Add(-time.Minute)
	store.SetOrderStatus(1251, "failed")
	store.SetOrderStatus(1234, "completed")
	store.SetOrderStatus(1240, "refunded")

	var ids []int64
	for p := 1; ; p++ {
		page, err := c.ListOrders(ctx, woocommerce.OrderQuery{ModifiedAfter: since, OrderBy: "modified", Order: "asc", PerPage: 2, Page: p})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Orders {
			ids = append(ids, int64(o.ID))
		}
		if p >= page.TotalPages {
			break
		}
	}
	if len(ids) != 3 || ids[0] != 1251 || ids[1] != 1234 || ids[2] != 1240 {
		t.Errorf("modified orders in order of modification: %v", ids)
	}
}

func TestClientBacksOffOnThrottling(t *testing.T) {
	store := wootest.New()
	defer store.Close()
	c := newClient(t, store.URL())
	tests := []struct {
		status     int
		retryAfter string
		want       time.Duration
	}{
		{http.StatusTooManyRequests, "7", 7 * time.Second},
		{http.StatusTooManyRequests, "", 10 * time.Second},
		{http.StatusServiceUnavailable, "3", 3 * time.Second},
		{http.StatusInternalServerError, "", 0}, // an ordinary failure: backs off and counts
		{http.StatusForbidden, "", 0},
	}
	for _, tt := range tests {
		store.FailNext(tt.status, tt.retryAfter)
		_, err := c.GetOrder(context.Background(), 1234)
		var ra interface{ RetryAfter() time.Duration }
		if !errors.As(err, &ra) || ra.RetryAfter() != tt.want {
			t.Errorf("%d Retry-After %q: %v, want RetryAfter %v", tt.status, tt.retryAfter, err, tt.want)
		}
	}
}

func TestClientKeepsConcurrencyLow(t *testing.T) {
	store := wootest.New()
	defer store.Close()
	c := newClient(t, store.URL())
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = c.GetOrder(context.Background(), 1234) }()
	}
	wg.Wait()
	if n := store.MaxInFlight(); n > 2 || n == 0 {
		t.Errorf("%d calls in flight at once, want at most 2", n)
	}
}

func TestClientFallsBackToQueryAuthWithoutLeakingIt(t *testing.T) {
	store := wootest.New()
	defer store.Close()
	// A host that strips the Authorization header, as Apache with CGI does.
	strip := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del("Authorization")
		store.Config.Handler.ServeHTTP(w, r)
	}))
	defer strip.Close()
	c := newClient(t, strip.URL)
	if _, err := c.GetOrder(context.Background(), 1234); err != nil {
		t.Fatalf("with the Authorization header stripped: %v", err)
	}
	strip.Close() // now a transport error: its text must not carry the secret
	_, err := c.GetOrder(context.Background(), 1234)
	if err == nil || strings.Contains(err.Error(), wootest.ConsumerSecret) {
		t.Errorf("error %q leaks the secret", err)
	}
}

func TestClientDoesNotFollowRedirects(t *testing.T) {
	redirect := httptest.NewServer(http.RedirectHandler("https://www.shop.example.com/wp-json/wc/v3/orders/1", http.StatusMovedPermanently))
	defer redirect.Close()
	_, err := newClient(t, redirect.URL).GetOrder(context.Background(), 1)
	if err == nil || !strings.Contains(err.Error(), "redirected to https://www.shop.example.com") {
		t.Errorf("redirect: %v", err)
	}
}

func TestClientWebhooksAndNotes(t *testing.T) {
	store := wootest.New()
	defer store.Close()
	c := newClient(t, store.URL())
	ctx := context.Background()
	pinged := make(chan string, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 64)
		n, _ := r.Body.Read(b)
		pinged <- string(b[:n])
	}))
	defer receiver.Close()

	w, err := c.CreateWebhook(ctx, woocommerce.Webhook{Name: "hub", Topic: "order.updated", DeliveryURL: receiver.URL, Secret: "s3cret", Status: "active"})
	if err != nil || w.ID == 0 || w.Status != "active" {
		t.Fatalf("create: %+v %v", w, err)
	}
	if got := <-pinged; got != "webhook_id="+strconv.FormatInt(int64(w.ID), 10) {
		t.Errorf("ping body %q", got)
	}
	store.SetWebhookStatus(int64(w.ID), "disabled")
	if _, err := c.UpdateWebhook(ctx, int64(w.ID), woocommerce.Webhook{Status: "active"}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListWebhooks(ctx)
	if err != nil || len(list) != 1 || list[0].Status != "active" || list[0].DeliveryURL != receiver.URL {
		t.Errorf("webhooks %+v %v", list, err)
	}

	n, err := c.AddNote(ctx, 1234, "Your replacement ships today.", true)
	if err != nil || n.ID == 0 || !bool(n.CustomerNote) {
		t.Fatalf("note %+v %v", n, err)
	}
	notes, err := c.ListNotes(ctx, 1234)
	if err != nil || len(notes) != 1 || notes[0].Note != "Your replacement ships today." {
		t.Errorf("notes %+v %v", notes, err)
	}
}
