// Package wootest is a fake WooCommerce store for tests and the demo: the
// REST API v3 endpoints the hub calls (orders with modified_after, customers,
// order notes, webhooks) served by httptest with recorded payloads, and the
// store's side of webhooks — signed deliveries built at send time, the
// unsigned ping sent inside the webhook create call, failure counting and
// disabling after repeated failures, exactly as WooCommerce does.
package wootest

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"time"
)

//go:embed testdata/*.json
var recorded embed.FS

// Recorded returns a recorded payload from testdata (e.g. "order_1234.json").
func Recorded(name string) []byte {
	b, err := recorded.ReadFile("testdata/" + name)
	if err != nil {
		panic(fmt.Sprintf("wootest: no recorded payload %s", name))
	}
	return b
}

// The credentials the fake accepts.
const (
	ConsumerKey    = "ck_0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
	ConsumerSecret = "cs_89abcdef0123456789abcdef0123456789abcdef"
)

// Store is a running fake store. Orders and customers are kept as the JSON
// objects WooCommerce returns, so what the hub reads is the recorded shape.
type Store struct {
	*httptest.Server
	Key, Secret string

	mu        sync.Mutex
	orders    map[int64]map[string]any
	customers map[int64]map[string]any
	notes     map[int64][]map[string]any
	webhooks  map[int64]*Webhook
	nextID    int64
	failNext  []fault
	dropping  bool // deliveries fail as if the hub were unreachable
	clock     func() time.Time
	lastMod   time.Time
	inFlight  int
	maxFlight int
	calls     map[string]int
	client    *http.Client
}

type fault struct {
	status     int
	retryAfter string
}

// Delivery is one webhook delivery the store attempted.
type Delivery struct {
	Topic  string
	Status int // 0 when the hub could not be reached
	At     time.Time
}

// New starts a fake store with the recorded orders (1234, 1240 guest,
// 1251 pending, 1252 checkout-draft) and customer 7. Close it when done.
func New() *Store {
	s := &Store{
		Key: ConsumerKey, Secret: ConsumerSecret,
		orders: map[int64]map[string]any{}, customers: map[int64]map[string]any{},
		notes: map[int64][]map[string]any{}, webhooks: map[int64]*Webhook{},
		nextID: 5000, clock: time.Now, calls: map[string]int{},
		client: &http.Client{Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // WooCommerce does not follow redirects
		}},
	}
	for _, name := range []string{"order_1234.json", "order_1240_guest.json", "order_1251_pending.json", "order_1252_checkout_draft.json"} {
		s.PutOrder(Recorded(name))
	}
	s.PutCustomer(Recorded("customer_7.json"))
	s.Server = httptest.NewServer(s.routes())
	return s
}

// URL is the store's home URL (what X-WC-Webhook-Source sends, without
// its trailing slash).
func (s *Store) URL() string { return s.Server.URL }

// PutOrder adds or replaces an order from its JSON, unchanged.
func (s *Store) PutOrder(raw []byte) {
	var o map[string]any
	if err := json.Unmarshal(raw, &o); err != nil {
		panic("wootest: bad order JSON: " + err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[idOf(o)] = o
}

// PutCustomer adds or replaces a customer from its JSON, unchanged.
func (s *Store) PutCustomer(raw []byte) {
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		panic("wootest: bad customer JSON: " + err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.customers[idOf(c)] = c
}

// SetOrderStatus changes an order's status as the admin or a payment
// gateway would: its date_modified moves on, and order.updated is delivered
// to the active webhooks (built at send time, as WooCommerce does).
func (s *Store) SetOrderStatus(id int64, status string) {
	s.ChangeOrder(id, func(o map[string]any) { o["status"] = status })
}

// ChangeOrder applies change to an order, stamps it modified and delivers
// order.updated.
func (s *Store) ChangeOrder(id int64, change func(o map[string]any)) {
	s.mu.Lock()
	o, ok := s.orders[id]
	if !ok {
		s.mu.Unlock()
		panic(fmt.Sprintf("wootest: no order %d", id))
	}
	change(o)
	s.touch(o)
	s.mu.Unlock()
	s.Deliver("order.updated", id)
}

// touch stamps o modified now. WooCommerce's dates have one-second
// resolution; the fake keeps them strictly increasing so that every change
// is a new version.
func (s *Store) touch(o map[string]any) {
	now := s.clock().UTC().Truncate(time.Second)
	if !now.After(s.lastMod) {
		now = s.lastMod.Add(time.Second)
	}
	s.lastMod = now
	o["date_modified_gmt"] = now.Format("2006-01-02T15:04:05")
	o["date_modified"] = now.Format("2006-01-02T15:04:05")
}

// DropDeliveries makes webhook deliveries fail as if the hub were down
// (each counts as a failure; the seventh in a row disables the webhook).
func (s *Store) DropDeliveries(drop bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropping = drop
}

// FailNext makes the next REST call answer status (with Retry-After if set).
func (s *Store) FailNext(status int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, fault{status, retryAfter})
}

// Webhook is a registered webhook as the store keeps it.
type Webhook struct {
	ID           int64
	Name         string
	Status       string
	Topic        string
	DeliveryURL  string
	Secret       string
	FailureCount int
	PingStatus   int // the status the ping got; 0 if it could not be sent
	Deliveries   []Delivery
}

// Webhooks lists the registered webhooks by id.
func (s *Store) Webhooks() []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Webhook
	for _, w := range s.webhooks {
		c := *w
		c.Deliveries = append([]Delivery(nil), w.Deliveries...)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// SetWebhookStatus changes a webhook's status (e.g. to "disabled", as
// WooCommerce does after repeated failures).
func (s *Store) SetWebhookStatus(id int64, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w, ok := s.webhooks[id]; ok {
		w.Status = status
	}
}

// Notes returns an order's notes, oldest first.
func (s *Store) Notes(orderID int64) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.notes[orderID]...)
}

// Calls counts REST calls by "METHOD route", e.g. "GET orders/{id}".
func (s *Store) Calls(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[route]
}

// MaxInFlight is the most REST calls the store served at once.
func (s *Store) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxFlight
}

func idOf(v map[string]any) int64 {
	switch id := v["id"].(type) {
	case float64:
		return int64(id)
	case string:
		n, _ := strconv.ParseInt(id, 10, 64)
		return n
	}
	return 0
}
