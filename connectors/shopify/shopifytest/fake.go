// Package shopifytest is a fake of the parts of Shopify the hub talks to,
// for tests and the demo: the GraphQL Admin API (the queries the connector
// sends, answered from recorded payloads, with Shopify's cost accounting:
// a query over 1,000 requested points is refused with MAX_COST_EXCEEDED,
// one the shop's bucket cannot hold with THROTTLED, and every answer
// reports extensions.cost), outages on demand, the OAuth consent and token
// endpoints (with expiring, refreshable offline tokens), throttling and
// errors on demand, and signed webhook requests. It speaks the real wire
// format, so the connector cannot tell it from a shop except by address.
package shopifytest

import (
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

//go:embed testdata
var fixtures embed.FS

// Webhook returns a recorded webhook body from testdata/webhooks (e.g.
// "orders_create"). It panics on an unknown name: a test bug.
func Webhook(name string) []byte {
	b, err := fixtures.ReadFile("testdata/webhooks/" + name + ".json")
	if err != nil {
		panic("shopifytest: no webhook fixture " + name)
	}
	return b
}

// Server is the fake. The zero value is not usable; call New.
type Server struct {
	*httptest.Server
	apiKey, apiSecret string

	mu        sync.Mutex
	now       func() time.Time
	ttl       time.Duration
	shops     map[string]*shop
	codes     map[string]string    // OAuth code → shop
	refreshes map[string]string    // refresh token → shop
	tokens    map[string]tokenInfo // access token → shop and expiry
	throttled int                  // GraphQL calls still to answer THROTTLED
	tooMany   int                  // calls still to answer 429
	retryHdr  string
	calls     map[string]int // operation name → count
	refused   map[string]int // error code or HTTP status → count
	refreshed int
	// An outage: every GraphQL call answers failStatus until failUntil.
	failUntil  time.Time
	failStatus int
}

type tokenInfo struct {
	shop    string
	expires time.Time // zero: never
}

type shop struct {
	orders    []json.RawMessage
	customers []json.RawMessage
	denied    map[string]bool // order ids answered ACCESS_DENIED
	webhooks  []subscription
	nextID    int               // the last subscription id given
	refuse    map[string]string // topic (ORDERS_CREATE) → userError for webhookSubscriptionCreate
	bucket    *bucket
}

type subscription struct {
	ID    string `json:"id"`
	Topic string `json:"topic"`
	URI   string `json:"uri"`
}

// New starts a fake that accepts the app credentials apiKey and apiSecret
// on its OAuth endpoints. OAuth tokens last an hour unless SetTokenTTL says
// otherwise.
func New(apiKey, apiSecret string) *Server {
	s := &Server{
		apiKey: apiKey, apiSecret: apiSecret, now: time.Now, ttl: time.Hour,
		shops: map[string]*shop{}, codes: map[string]string{}, refreshes: map[string]string{},
		tokens: map[string]tokenInfo{}, calls: map[string]int{}, refused: map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/api/{version}/graphql.json", s.graphql)
	mux.HandleFunc("GET /admin/oauth/authorize", s.authorize)
	mux.HandleFunc("POST /admin/oauth/access_token", s.accessToken)
	s.Server = httptest.NewServer(mux)
	return s
}

// AddShop connects a shop with a fixed (custom app) token, loaded with the
// recorded orders and customers.
func (s *Server) AddShop(domain, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureShop(domain)
	if token != "" {
		s.tokens[token] = tokenInfo{shop: domain}
	}
}

func (s *Server) ensureShop(domain string) *shop {
	if sh, ok := s.shops[domain]; ok {
		return sh
	}
	sh := &shop{denied: map[string]bool{}, refuse: map[string]string{}, bucket: newBucket(s.now())}
	var o struct{ Orders []json.RawMessage }
	var c struct{ Customers []json.RawMessage }
	b, _ := fixtures.ReadFile("testdata/graphql/orders.json")
	_ = json.Unmarshal(b, &o)
	b, _ = fixtures.ReadFile("testdata/graphql/customers.json")
	_ = json.Unmarshal(b, &c)
	sh.orders, sh.customers = o.Orders, c.Customers
	s.shops[domain] = sh
	return sh
}

// AddOrder adds a GraphQL Order node (as JSON) to a shop.
func (s *Server) AddOrder(domain string, node []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.ensureShop(domain)
	sh.orders = append(sh.orders, json.RawMessage(node))
}

// DenyOrder makes the shop answer ACCESS_DENIED for an order, as Shopify
// does for orders older than 60 days without read_all_orders.
func (s *Server) DenyOrder(domain, orderID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureShop(domain).denied[orderID] = true
}

// Throttle answers the next n GraphQL calls with a THROTTLED error (HTTP
// 200, as Shopify does), as if the shop's bucket held only 10 points.
func (s *Server) Throttle(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttled = n
}

// TooManyRequests answers the next n calls with 429 and this Retry-After.
func (s *Server) TooManyRequests(n int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tooMany, s.retryHdr = n, retryAfter
}

// SetTokenTTL sets how long OAuth access tokens granted from now on last.
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ttl = d
}

// ExpireTokens makes every expiring token of the shop expired now.
func (s *Server) ExpireTokens(domain string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for tok, info := range s.tokens {
		if info.shop == domain && !info.expires.IsZero() {
			info.expires = s.now().Add(-time.Second)
			s.tokens[tok] = info
		}
	}
}

// Calls returns how many GraphQL calls of an operation (HubOrder,
// HubOrderSearch, HubCustomers, HubWebhooks, HubSubscribe) were answered.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// Refreshes returns how many tokens were refreshed.
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshed
}

// Subscriptions returns the shop's webhook subscriptions as "TOPIC uri".
func (s *Server) Subscriptions(domain string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	if sh, ok := s.shops[domain]; ok {
		for _, w := range sh.webhooks {
			out = append(out, w.Topic+" "+w.URI)
		}
	}
	return out
}

// AddSubscription adds a webhook subscription of the app to a shop, as if
// made earlier (e.g. to an old hub address). topic is GraphQL's enum
// (ORDERS_CREATE).
func (s *Server) AddSubscription(domain, topic, uri string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.ensureShop(domain)
	sh.nextID++
	sh.webhooks = append(sh.webhooks, subscription{ID: "gid://shopify/WebhookSubscription/" + strconv.Itoa(sh.nextID), Topic: topic, URI: uri})
}

// RemoveSubscriptions deletes the shop's subscriptions to topic (GraphQL's
// enum), as a merchant or Shopify (after failed deliveries) would, and
// returns how many there were.
func (s *Server) RemoveSubscriptions(domain, topic string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.ensureShop(domain)
	kept, n := sh.webhooks[:0], 0
	for _, w := range sh.webhooks {
		if w.Topic == topic {
			n++
			continue
		}
		kept = append(kept, w)
	}
	sh.webhooks = kept
	return n
}

// RefuseSubscription makes webhookSubscriptionCreate answer a userError
// with message for topic (GraphQL's enum); "" accepts it again.
func (s *Server) RefuseSubscription(domain, topic, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.ensureShop(domain)
	if message == "" {
		delete(sh.refuse, topic)
	} else {
		sh.refuse[topic] = message
	}
}

// RevokeTokens makes every token of the shop refused (401), as after the
// app was uninstalled or its token rotated away.
func (s *Server) RevokeTokens(domain string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for tok, info := range s.tokens {
		if info.shop == domain {
			delete(s.tokens, tok)
		}
	}
	for rt, d := range s.refreshes {
		if d == domain {
			delete(s.refreshes, rt)
		}
	}
}

func randomToken(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
