package woocommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client calls one store's REST API v3. It is safe for concurrent use and
// lets at most Options.Concurrency calls run at once, since WooCommerce runs
// on shared hosting that throttles (or falls over) well before any limit of
// its own. Keep one Client per store for the life of the process.
type Client struct {
	base   *url.URL // https://shop.example.com/wp-json/wc/v3/
	key    string
	secret string
	http   *http.Client
	sem    chan struct{}
	// queryAuth is set once the store has shown that it strips the
	// Authorization header ("Consumer key is missing").
	queryAuth chan struct{}
}

// Options tune a Client.
type Options struct {
	// HTTPClient is used for every call (default: 30s timeout). Redirects
	// are never followed: Go drops the Authorization header on a redirect to
	// another host, and a store that redirects should be entered by its
	// final address.
	HTTPClient *http.Client
	// Concurrency is the most calls in flight to this store (default 2).
	Concurrency int
}

// New returns a client for the store at storeURL with a REST API consumer
// key and secret. The store must be HTTPS: Basic auth sends the secret with
// every request, so plain HTTP is allowed only for a store on this machine
// (tests, the demo).
func New(storeURL, key, secret string, opt Options) (*Client, error) {
	u, err := parseStoreURL(storeURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("woocommerce: store URL %q must use https (plain http only for loopback test stores)", storeURL)
	}
	if strings.TrimSpace(key) == "" || strings.TrimSpace(secret) == "" {
		return nil, fmt.Errorf("woocommerce: a consumer key and secret are required")
	}
	base := *u
	base.Path = strings.TrimRight(u.Path, "/") + "/wp-json/wc/v3/"
	base.RawPath = ""
	hc := opt.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if opt.Concurrency <= 0 {
		opt.Concurrency = 2
	}
	return &Client{
		base: &base, key: strings.TrimSpace(key), secret: strings.TrimSpace(secret),
		http: &c, sem: make(chan struct{}, opt.Concurrency), queryAuth: make(chan struct{}),
	}, nil
}

// StoreURL is the store's address the client was made for.
func (c *Client) StoreURL() string {
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "wp-json/wc/v3/")
	return strings.TrimRight(u.String(), "/")
}

// APIError is a call the store answered with an error status.
type APIError struct {
	Op      string // "get order 123"
	Status  int
	Code    string // WooCommerce's error code, e.g. woocommerce_rest_shop_order_invalid_id
	Message string
	After   time.Duration // from Retry-After, for 429 and 5xx
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("woocommerce: %s: HTTP %d", e.Op, e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + truncate(e.Message, 200)
	}
	return msg
}

// RetryAfter is how long the store asked the hub to wait: Retry-After on a
// 429 or 5xx, and 10 seconds for a 429 that did not say. The pipeline waits
// that long without using up a retry. A 5xx without Retry-After returns 0
// and backs off like any failure, so a store that is down for good ends up
// failed rather than retried for ever.
func (e *APIError) RetryAfter() time.Duration {
	if e.After > 0 {
		return e.After
	}
	if e.Status == http.StatusTooManyRequests {
		return 10 * time.Second
	}
	return 0
}

// IsNotFound reports whether err is the store saying there is no such thing.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && (ae.Status == http.StatusNotFound || ae.Code == "woocommerce_rest_shop_order_invalid_id" || ae.Code == "woocommerce_rest_invalid_id")
}

// IsUnauthorized reports whether the store refused the credentials (the key
// was revoked, its user deleted, or it lacks write permission).
func IsUnauthorized(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden)
}

// page is what a list call returns besides its items.
type page struct {
	total, totalPages int
}

// do sends one call and decodes a 2xx JSON answer into out (if not nil).
func (c *Client) do(ctx context.Context, op, method, path string, query url.Values, in, out any) (page, error) {
	select {
	case c.sem <- struct{}{}:
		defer func() { <-c.sem }()
	case <-ctx.Done():
		return page{}, fmt.Errorf("woocommerce: %s: %w", op, ctx.Err())
	}
	p, err := c.send(ctx, op, method, path, query, in, out, c.usesQueryAuth())
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized && !c.usesQueryAuth() &&
		strings.Contains(strings.ToLower(ae.Message), "consumer key is missing") {
		// The server (often Apache with CGI) dropped the Authorization
		// header: WooCommerce's documented fallback is the query string.
		c.useQueryAuth()
		return c.send(ctx, op, method, path, query, in, out, true)
	}
	return p, err
}

func (c *Client) usesQueryAuth() bool {
	select {
	case <-c.queryAuth:
		return true
	default:
		return false
	}
}

func (c *Client) useQueryAuth() {
	defer func() { _ = recover() }() // closed twice by racing calls: fine
	close(c.queryAuth)
}

func (c *Client) send(ctx context.Context, op, method, path string, query url.Values, in, out any, queryAuth bool) (page, error) {
	u := c.base.JoinPath(path)
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	if queryAuth {
		q.Set("consumer_key", c.key)
		q.Set("consumer_secret", c.secret)
	}
	u.RawQuery = q.Encode()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return page{}, fmt.Errorf("woocommerce: %s: %w", op, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return page{}, fmt.Errorf("woocommerce: %s: %w", op, err)
	}
	if !queryAuth {
		req.SetBasicAuth(c.key, c.secret)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "hub-woocommerce/1")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// url.Error's text contains the URL, which may carry the secret.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return page{}, fmt.Errorf("woocommerce: %s: %w", op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return page{}, fmt.Errorf("woocommerce: %s: read answer: %w", op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return page{}, apiError(op, resp, raw)
	}
	p := page{total: headerInt(resp, "X-WP-Total"), totalPages: headerInt(resp, "X-WP-TotalPages")}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return p, fmt.Errorf("woocommerce: %s: the store answered something that is not the expected JSON: %w", op, err)
		}
	}
	return p, nil
}

func apiError(op string, resp *http.Response, raw []byte) *APIError {
	e := &APIError{Op: op, Status: resp.StatusCode}
	var body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &body) == nil {
		e.Code, e.Message = body.Code, body.Message
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		e.Message = "the store redirected to " + resp.Header.Get("Location") + "; connect it by that address"
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		e.After = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return e
}

// parseRetryAfter reads delay-seconds or an HTTP date; 0 when absent or bad.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func headerInt(resp *http.Response, name string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(resp.Header.Get(name)))
	return n
}
