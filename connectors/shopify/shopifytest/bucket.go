package shopifytest

import (
	"fmt"
	"math"
	"net/http"
	"time"

	"hub/connectors/shopify/querycost"
)

// bucket is a shop's GraphQL cost bucket, as Shopify keeps one per app
// and shop: a query runs only when the bucket holds its requested cost;
// what it finally costs is taken and the rest given back.
type bucket struct {
	max, restore, available float64
	at                      time.Time
}

// Standard plan: 1,000 points restoring at 100 a second.
func newBucket(now time.Time) *bucket {
	return &bucket{max: 1000, restore: 100, available: 1000, at: now}
}

func (b *bucket) refill(now time.Time) {
	if now.After(b.at) {
		b.available = math.Min(b.max, b.available+now.Sub(b.at).Seconds()*b.restore)
		b.at = now
	}
}

// status is the throttleStatus Shopify reports.
func (b *bucket) status() map[string]any {
	return map[string]any{"maximumAvailable": b.max, "currentlyAvailable": math.Floor(b.available), "restoreRate": b.restore}
}

// costExtensions is the extensions block of every GraphQL answer; actual is
// nil for a query that did not run.
func (b *bucket) costExtensions(requested int, actual *int) map[string]any {
	var a any
	if actual != nil {
		a = *actual
	}
	return map[string]any{"cost": map[string]any{"requestedQueryCost": requested, "actualQueryCost": a, "throttleStatus": b.status()}}
}

// actualCost stands in for what Shopify finally charges: far less than
// requested, as most pages come back short (a tenth, at least 1; a
// mutation its 10).
func actualCost(c querycost.Cost) int {
	if c.Mutation {
		return c.Requested
	}
	return max(1, (c.Requested+9)/10)
}

// SetBucket gives a shop's bucket another size and restore rate (a Plus
// store's, or a small one for a test), full.
func (s *Server) SetBucket(domain string, size, restorePerSecond float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.ensureShop(domain).bucket
	b.max, b.restore, b.available, b.at = size, restorePerSecond, size, s.now()
}

// Available returns the points a shop's bucket holds now.
func (s *Server) Available(domain string) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.ensureShop(domain).bucket
	b.refill(s.now())
	return b.available
}

// SetClock makes the fake read time from now (token expiry, the bucket's
// restore, outages), so a test can move time on.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// FailFor makes every Admin API call answer status (e.g. 500) for d from
// now on the fake's clock, as during an outage at Shopify.
func (s *Server) FailFor(d time.Duration, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failUntil, s.failStatus = s.now().Add(d), status
}

// Refused returns how many GraphQL calls were refused, by error code
// (THROTTLED, MAX_COST_EXCEEDED) or by HTTP status ("500").
func (s *Server) Refused(code string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused[code]
}

// admit decides, before running a query, whether Shopify would: its
// requested cost must be within the single-query limit and available in
// the bucket. It writes the refusal and returns false, or takes the
// query's charge and returns the extensions block to answer with.
func (s *Server) admit(w http.ResponseWriter, sh *shop, c querycost.Cost) (map[string]any, bool) {
	b := sh.bucket
	b.refill(s.now())
	if c.Requested > querycost.Limit {
		s.refused["MAX_COST_EXCEEDED"]++
		writeJSON(w, http.StatusOK, map[string]any{
			"errors": []any{map[string]any{
				"message": fmt.Sprintf("Query cost is %d, which exceeds the single query max cost limit (%d).\n\n"+
					"See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"+
					"cost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\n"+
					"See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n", c.Requested, querycost.Limit),
				"extensions": map[string]any{"code": "MAX_COST_EXCEEDED", "cost": c.Requested, "maxCost": querycost.Limit,
					"documentation": "https://shopify.dev/api/usage/rate-limits"},
			}},
			"extensions": b.costExtensions(c.Requested, nil),
		})
		return nil, false
	}
	if b.available < float64(c.Requested) || s.throttled > 0 {
		ext := b.costExtensions(c.Requested, nil)
		if s.throttled > 0 {
			// A forced throttle: answered as if the bucket held 10 points.
			s.throttled--
			ext["cost"].(map[string]any)["throttleStatus"].(map[string]any)["currentlyAvailable"] = math.Min(math.Floor(b.available), 10)
		}
		s.refused["THROTTLED"]++
		writeJSON(w, http.StatusOK, map[string]any{
			"errors":     []any{map[string]any{"message": "Throttled", "extensions": map[string]any{"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}},
			"extensions": ext,
		})
		return nil, false
	}
	actual := actualCost(c)
	b.available -= float64(actual)
	return b.costExtensions(c.Requested, &actual), true
}
