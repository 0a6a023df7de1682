package shopify

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// endpoint is where a call for shop goes: https://{shop}{path}, or the
// same path under SHOPIFY_API_BASE_URL (staging, tests, the demo). shop
// must have passed ValidShop.
func endpoint(base *url.URL, shop, path string) string {
	if base == nil {
		return "https://" + shop + path
	}
	u := *base
	u.Path = strings.TrimRight(u.Path, "/") + path
	return u.String()
}

func parseBase(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, errors.New("shopify: the API base URL must be an absolute http(s) URL")
	}
	return u, nil
}

// callTransport sits under one go-shopify client (one call): it sends the
// request to the base URL when one is set, and records what go-shopify's
// errors leave out — the exact Retry-After of a 429 and the GraphQL error
// codes (THROTTLED, ACCESS_DENIED) with the throttle status.
type callTransport struct {
	next http.RoundTripper
	base *url.URL
	shop string

	status     int // the answer's HTTP status; 0 when none came
	retryAfter time.Duration
	codes      []string
	hasCost    bool // the answer carried extensions.cost
	throttle   struct {
		requested, available, maximum, restore float64
		actual                                 *float64
	}
}

func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.base != nil {
		req = req.Clone(req.Context())
		req.URL.Scheme, req.URL.Host = t.base.Scheme, t.base.Host
		req.URL.Path = strings.TrimRight(t.base.Path, "/") + req.URL.Path
		req.Host = ""
		// Real Shopify knows the shop by its host name; a stand-in on one
		// address is told in the header Shopify itself uses for it.
		req.Header.Set("X-Shopify-Shop-Domain", t.shop)
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	t.status = resp.StatusCode
	if resp.StatusCode == http.StatusTooManyRequests {
		if s, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); err == nil && s > 0 {
			t.retryAfter = time.Duration(s * float64(time.Second))
		}
	}
	if resp.StatusCode == http.StatusOK && strings.HasSuffix(req.URL.Path, "/graphql.json") {
		body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		t.sniff(body)
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	return resp, nil
}

func (t *callTransport) sniff(body []byte) {
	var r struct {
		Errors []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
		Extensions struct {
			Cost *struct {
				Requested      float64  `json:"requestedQueryCost"`
				Actual         *float64 `json:"actualQueryCost"`
				ThrottleStatus struct {
					Maximum   float64 `json:"maximumAvailable"`
					Available float64 `json:"currentlyAvailable"`
					Restore   float64 `json:"restoreRate"`
				} `json:"throttleStatus"`
			} `json:"cost"`
		} `json:"extensions"`
	}
	if json.Unmarshal(body, &r) != nil {
		return
	}
	for _, e := range r.Errors {
		if e.Extensions.Code != "" {
			t.codes = append(t.codes, e.Extensions.Code)
		}
	}
	c := r.Extensions.Cost
	if c == nil {
		return
	}
	t.hasCost = true
	t.throttle.requested, t.throttle.actual = c.Requested, c.Actual
	t.throttle.available, t.throttle.maximum, t.throttle.restore = c.ThrottleStatus.Available, c.ThrottleStatus.Maximum, c.ThrottleStatus.Restore
}

// cost is what the answer said the call cost, for the limiter. A query
// that did not run (refused, throttled, an HTTP error) charged nothing; a
// call that got no answer may have run, and its charge is unknown.
func (t *callTransport) cost() Cost {
	zero := 0.0
	switch {
	case t.status == 0, t.status == http.StatusOK && !t.hasCost:
		return Cost{}
	case t.status != http.StatusOK:
		return Cost{Charged: &zero}
	}
	th := t.throttle
	c := Cost{Requested: th.requested, Charged: th.actual}
	if c.Charged == nil {
		c.Charged = &zero // actualQueryCost is null when the query did not run
	}
	if th.restore > 0 {
		c.Throttle = &Throttle{Maximum: th.maximum, Available: th.available, Restore: th.restore}
	}
	return c
}

// throttleWait is how long until the bucket holds the points the throttled
// query asked for, as Shopify's throttle status tells.
func (t *callTransport) throttleWait() time.Duration {
	th := t.throttle
	if th.restore <= 0 || th.requested <= th.available {
		return time.Second
	}
	return time.Duration((th.requested - th.available) / th.restore * float64(time.Second))
}

func (t *callTransport) has(code string) bool {
	for _, c := range t.codes {
		if c == code {
			return true
		}
	}
	return false
}
