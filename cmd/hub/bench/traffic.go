package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"hub/connectors/shopify/shopifytest"
	slackapi "hub/connectors/slack"
	wc "hub/connectors/woocommerce"
	"hub/connectors/woocommerce/wootest"
)

// request is one delivery as a vendor sends it. A duplicate is the same
// delivery sent again (a vendor's retry): same headers, same body.
type request struct {
	source string
	path   string
	header http.Header
	body   []byte
	id     int64 // the bench's number of the original delivery
	dup    bool
	ticket bool // the delivery should open a ticket
}

// Numbers the traffic puts where the hub keeps them (delivery keys,
// tickets' external refs), so the check can tell which deliveries they
// belong to.
const (
	shopifyOrderBase = 91_000_000_000
	wooOrderBase     = 820_000_000
	benchAgent       = "U0BENCHAGENT"
	benchCustomer    = "U0BENCHCUST"
)

// idPattern finds the bench's number of a delivery in what the hub
// stored: the first group of re, minus base (an order id's offset).
type idPattern struct {
	re   *regexp.Regexp
	base int64
}

var (
	// In deliveries.key.
	keyID = map[string]idPattern{
		Zapier:      {re: regexp.MustCompile(`bench-z-(\d+)$`)},
		Shopify:     {re: regexp.MustCompile(`bench-wh-(\d+)$`)},
		WooCommerce: {re: regexp.MustCompile(`\|order\|(\d+)\|`), base: wooOrderBase},
		Slack:       {re: regexp.MustCompile(`^EvBench(\d+)$`)},
	}
	// In tickets.external_ref.
	refID = map[string]idPattern{
		Zapier:      {re: regexp.MustCompile(`^bench-z-(\d+)$`)},
		Shopify:     {re: regexp.MustCompile(`/orders/(\d+)/`), base: shopifyOrderBase},
		WooCommerce: {re: regexp.MustCompile(`\D(\d{9})\D`), base: wooOrderBase},
	}
)

// benchID reads the bench's number out of s with the source's pattern.
func benchID(patterns map[string]idPattern, source, s string) (int64, bool) {
	p, ok := patterns[source]
	if !ok {
		return 0, false
	}
	m := p.re.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n < p.base {
		return 0, false
	}
	return n - p.base, true
}

// traffic makes requests: new deliveries from the mix, and a share of
// repeats of earlier ones.
type traffic struct {
	mix     map[string]int
	dup     float64
	apiKey  string
	wooURL  string
	topic   string // Shopify topic for new deliveries
	mu      sync.Mutex
	seq     int64
	recent  []request // a ring of recent originals, for duplicates
	started time.Time
}

func newTraffic(mix map[string]int, dup float64, apiKey, wooURL, shopifyTopic string) *traffic {
	return &traffic{mix: mix, dup: dup, apiKey: apiKey, wooURL: wooURL, topic: shopifyTopic, started: time.Now()}
}

// next returns the next request; r is the caller's own random source.
func (t *traffic) next(r *rand.Rand) request {
	t.mu.Lock()
	if len(t.recent) > 0 && r.Float64() < t.dup {
		q := t.recent[r.IntN(len(t.recent))]
		t.mu.Unlock()
		q.dup = true
		return q
	}
	t.seq++
	id := t.seq
	t.mu.Unlock()
	q := t.make(pick(t.mix, r), id)
	t.mu.Lock()
	if len(t.recent) < 1024 {
		t.recent = append(t.recent, q)
	} else {
		t.recent[r.IntN(len(t.recent))] = q
	}
	t.mu.Unlock()
	return q
}

func (t *traffic) make(source string, id int64) request {
	switch source {
	case Shopify:
		return t.shopify(id)
	case WooCommerce:
		return t.woocommerce(id)
	case Slack:
		return t.slack(id)
	}
	return t.zapier(id)
}

func (t *traffic) zapier(id int64) request {
	c := int(id % customers)
	body, _ := json.Marshal(map[string]any{
		"subject":     fmt.Sprintf("Where is my order #%d?", 100_000+c),
		"description": "Ordered last week, the tracking has not moved since.",
		"email":       customerEmail(c), "name": fmt.Sprintf("Bench Customer %d", c),
		"priority": "medium", "tags": "bench,shipping",
	})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Authorization", "Bearer "+t.apiKey)
	h.Set("Idempotency-Key", fmt.Sprintf("bench-z-%d", id))
	// The bench measures the pipeline, not the intake's wait for its ticket.
	h.Set("Prefer", "respond-async")
	return request{source: Zapier, path: "/webhooks/zapier", header: h, body: body, id: id, ticket: true}
}

func (t *traffic) shopify(id int64) request {
	c := int(id % customers)
	p := shopifytest.Purchase{
		OrderID: shopifyOrderBase + id, Number: 500_000 + int(id), CustomerID: 7_000_000_000 + int64(c),
		Email: customerEmail(c), FirstName: "Bench", LastName: fmt.Sprintf("Customer %d", c),
		Item: "Load Tester", Quantity: 1, Price: "19.90", Currency: "EUR", PlacedAt: t.started.Add(-time.Hour),
	}
	var o map[string]any
	_ = json.Unmarshal(p.Hooks().Create, &o)
	topic := t.topic
	ticket := false
	if topic == "orders/cancelled" {
		now := t.started.UTC().Format(time.RFC3339)
		o["cancelled_at"], o["cancel_reason"], o["updated_at"], o["financial_status"] = now, "customer", now, "voided"
		ticket = true
	}
	body, _ := json.Marshal(o)
	whID := fmt.Sprintf("bench-wh-%d", id)
	req, _ := shopifytest.WebhookRequest(context.Background(), "http://bench/webhooks/shopify", benchShop, topic, body, benchShopSecret, whID, "bench-ev-"+strconv.FormatInt(id, 10), time.Now())
	return request{source: Shopify, path: "/webhooks/shopify", header: req.Header, body: body, id: id, ticket: ticket}
}

func (t *traffic) woocommerce(id int64) request {
	c := int(id % customers)
	var o map[string]any
	_ = json.Unmarshal(wootest.Recorded("order_1234.json"), &o)
	oid := wooOrderBase + id
	modified := t.started.UTC().Add(-time.Hour).Add(time.Duration(id) * time.Second).Format("2006-01-02T15:04:05")
	o["id"], o["number"], o["status"] = oid, strconv.FormatInt(oid, 10), "failed"
	o["date_modified_gmt"], o["date_modified"] = modified, modified
	o["customer_id"] = 9000 + c
	if b, ok := o["billing"].(map[string]any); ok {
		b["email"], b["phone"] = customerEmail(c), ""
	}
	body, _ := json.Marshal(o)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(wc.HeaderTopic, "order.updated")
	h.Set(wc.HeaderSource, t.wooURL+"/")
	h.Set(wc.HeaderResource, "order")
	h.Set(wc.HeaderEvent, "updated")
	h.Set(wc.HeaderWebhookID, "11")
	h.Set(wc.HeaderDeliveryID, strconv.FormatInt(id, 10))
	h.Set(wc.HeaderSignature, wc.Sign(benchWooSecret, body))
	return request{source: WooCommerce, path: "/webhooks/woocommerce", header: h, body: body, id: id, ticket: true}
}

func (t *traffic) slack(id int64) request {
	now := time.Now()
	ts := fmt.Sprintf("%d.%06d", now.Unix(), id%1_000_000)
	body, _ := json.Marshal(map[string]any{
		"token": "unused", "team_id": "T0HUB", "api_app_id": "A0BENCH", "type": "event_callback",
		"event_id": fmt.Sprintf("EvBench%d", id), "event_time": now.Unix(),
		"event": map[string]any{
			"type": "message", "channel": benchChannel, "channel_type": "channel", "user": benchCustomer,
			"text": fmt.Sprintf("Anyone seen order #%d?", 100_000+id%customers), "ts": ts, "event_ts": ts,
		},
	})
	sts := strconv.FormatInt(now.Unix(), 10)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Slack-Request-Timestamp", sts)
	h.Set("X-Slack-Signature", slackapi.SignatureHeader(benchSlackSecret, sts, body))
	return request{source: Slack, path: "/slack/events", header: h, body: body, id: id}
}
