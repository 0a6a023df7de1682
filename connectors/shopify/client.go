package shopify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	goshopify "github.com/bold-commerce/go-shopify/v4"

	"hub/connectors/shopify/querycost"
)

// APIVersion is the Admin API version every call is pinned to. Without a
// version go-shopify calls the unversioned admin/ prefix, and Shopify
// serves its oldest supported version.
const APIVersion = "2025-10"

// TokenSource gives the access token for a shop's calls. A fixed token
// (custom apps) is a StaticToken; expiring OAuth tokens come from a source
// that refreshes them.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// Refresher is a TokenSource that can replace a token the shop refused
// (expired early, or the clocks disagree). Refresh returns a token other
// than stale: a new one, or one another worker got meanwhile.
type Refresher interface {
	TokenSource
	Refresh(ctx context.Context, stale string) (string, error)
}

// StaticToken is a token that never changes.
type StaticToken string

// Token returns t.
func (t StaticToken) Token(context.Context) (string, error) { return string(t), nil }

// Limiter budgets a shop's GraphQL cost points across every worker of
// every hub process. Take holds cost points (a query's requested cost)
// before a call and returns 0, or how long until that much is available
// (nothing is held then). Settle corrects the budget from what Shopify
// reported after the call; held is what Take held.
type Limiter interface {
	Take(ctx context.Context, shop string, cost int) (wait time.Duration, err error)
	Settle(ctx context.Context, shop string, held int, c Cost) error
}

// Cost is what Shopify reported of one call (extensions.cost).
type Cost struct {
	Requested float64
	// Charged is what the call finally cost (actualQueryCost; 0 for a
	// query that did not run), nil when unknown (no answer came back).
	Charged  *float64
	Throttle *Throttle // nil when the answer had no throttleStatus
}

// Throttle is the shop's bucket as Shopify last reported it.
type Throttle struct {
	Maximum   float64 // maximumAvailable: the bucket's size
	Available float64 // currentlyAvailable, after this call
	Restore   float64 // restoreRate, points per second
}

// Config is what a Client is built from.
type Config struct {
	Shop   string // acme.myshopify.com; must pass ValidShop
	Tokens TokenSource
	// Version pins the Admin API version (default APIVersion).
	Version string
	// BaseURL, when set, receives every call instead of https://{shop}
	// (SHOPIFY_API_BASE_URL).
	BaseURL string
	// HTTPClient sends the calls (default: a client with a 10s timeout).
	HTTPClient *http.Client
	// Limiter, when set, paces the calls.
	Limiter Limiter
	// MaxWait is the longest the client waits in place for its budget;
	// beyond it the call returns a *RateLimitError so the task is
	// rescheduled instead of holding a worker (default 1s).
	MaxWait time.Duration
}

// Client calls one shop's GraphQL Admin API. It is safe for concurrent use:
// each call builds its own go-shopify client, whose fields are written on
// every call without locks.
type Client struct {
	cfg  Config
	base *url.URL
}

// NewClient returns a client for cfg.Shop, which must be a checked
// myshopify.com domain: it decides where the token is sent.
func NewClient(cfg Config) (*Client, error) {
	if !ValidShop(cfg.Shop) {
		return nil, fmt.Errorf("shopify: %q is not a myshopify.com shop domain", cfg.Shop)
	}
	if cfg.Tokens == nil {
		return nil, fmt.Errorf("shopify: %s: no access token", cfg.Shop)
	}
	base, err := parseBase(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Version == "" {
		cfg.Version = APIVersion
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = time.Second
	}
	return &Client{cfg: cfg, base: base}, nil
}

// Shop is the shop's domain.
func (c *Client) Shop() string { return c.cfg.Shop }

// query runs one GraphQL query through go-shopify, within the shop's
// budget, and turns Shopify's answers into this package's errors. A query
// that asks for more than Shopify's single-query limit is refused here, as
// Shopify would refuse it.
func (c *Client) query(ctx context.Context, op string, q string, vars map[string]any, out any) error {
	cost, err := querycost.Requested(q, vars)
	if err != nil {
		return fmt.Errorf("shopify: %s: %s: %w", c.cfg.Shop, op, err)
	}
	if cost.Requested > querycost.Limit {
		return fmt.Errorf("shopify: %s: %s: %w (requested %d points, limit %d)", c.cfg.Shop, op, ErrQueryCost, cost.Requested, querycost.Limit)
	}
	token, err := c.cfg.Tokens.Token(ctx)
	if err != nil {
		return fmt.Errorf("shopify: %s: %s: access token: %w", c.cfg.Shop, op, err)
	}
	err = c.call(ctx, op, token, q, vars, out, cost.Requested)
	if r, ok := c.cfg.Tokens.(Refresher); ok && IsUnauthorized(err) {
		// An expiring token refused before its time: refresh once and retry.
		if token, rerr := r.Refresh(ctx, token); rerr == nil {
			err = c.call(ctx, op, token, q, vars, out, cost.Requested)
		}
	}
	return err
}

// call sends one query with token, holding its requested cost of the
// shop's budget until Shopify says what it charged.
func (c *Client) call(ctx context.Context, op, token, q string, vars map[string]any, out any, requested int) error {
	if err := c.take(ctx, requested); err != nil {
		return fmt.Errorf("shopify: %s: %s: %w", c.cfg.Shop, op, err)
	}
	next := c.cfg.HTTPClient.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	tr := &callTransport{next: next, base: c.base, shop: c.cfg.Shop}
	defer c.settle(ctx, requested, tr)
	hc := *c.cfg.HTTPClient
	hc.Transport = tr
	// WithRetry is left at 0: go-shopify would sleep (ignoring ctx, and in
	// whole seconds) inside a worker; the pipeline reschedules instead.
	gc, err := goshopify.NewClient(goshopify.App{}, c.cfg.Shop, token,
		goshopify.WithVersion(c.cfg.Version), goshopify.WithHTTPClient(&hc))
	if err != nil {
		return fmt.Errorf("shopify: %s: %s: %w", c.cfg.Shop, op, err)
	}
	err = gc.GraphQL.Query(ctx, q, vars, out)
	if err == nil && tr.has("ACCESS_DENIED") {
		// A partial answer (data with errors) that lacked a scope.
		err = goshopify.ResponseError{Status: http.StatusOK, Message: "access denied"}
	}
	if err != nil {
		return fmt.Errorf("shopify: %s: %s: %w", c.cfg.Shop, op, classify(err, tr, c.cfg.Shop))
	}
	return nil
}

// settle tells the limiter what the call cost. It runs even when the
// caller's context is done: the hold must not outlive the call.
func (c *Client) settle(ctx context.Context, held int, tr *callTransport) {
	if c.cfg.Limiter == nil || held <= 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	_ = c.cfg.Limiter.Settle(ctx, c.cfg.Shop, held, tr.cost())
}

// take waits for budget, up to MaxWait in place.
func (c *Client) take(ctx context.Context, cost int) error {
	if c.cfg.Limiter == nil {
		return nil
	}
	deadline := time.Now().Add(c.cfg.MaxWait)
	for {
		wait, err := c.cfg.Limiter.Take(ctx, c.cfg.Shop, cost)
		if err != nil {
			// The budget lives in Redis; without it, calls go unpaced
			// rather than not at all, and Shopify's own limit still holds.
			return nil
		}
		if wait <= 0 {
			return nil
		}
		if time.Now().Add(wait).After(deadline) {
			return &RateLimitError{Shop: c.cfg.Shop, Wait: wait, Cause: "budget"}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// classify maps go-shopify's errors, with what the transport saw, to
// RateLimitError, ErrNotFound and ErrUnauthorized.
func classify(err error, tr *callTransport, shop string) error {
	var rl goshopify.RateLimitError
	if errors.As(err, &rl) {
		wait, cause := tr.retryAfter, "429"
		if rl.Status == http.StatusOK || tr.has("THROTTLED") {
			wait, cause = tr.throttleWait(), "THROTTLED"
		}
		if wait <= 0 {
			wait = time.Duration(max(rl.RetryAfter, 1)) * time.Second
		}
		return &RateLimitError{Shop: shop, Wait: wait, Cause: cause}
	}
	if tr.has("MAX_COST_EXCEEDED") {
		return fmt.Errorf("%w (MAX_COST_EXCEEDED: requested %.0f points)", ErrQueryCost, tr.throttle.requested)
	}
	if tr.has("ACCESS_DENIED") {
		return fmt.Errorf("%w (access denied: a scope such as read_all_orders is missing)", ErrNotFound)
	}
	status := 0
	var re goshopify.ResponseError
	var de goshopify.ResponseDecodingError
	switch {
	case errors.As(err, &re):
		status = re.Status
	case errors.As(err, &de):
		status = de.Status
		err = fmt.Errorf("HTTP %d with an unreadable body", de.Status) // never echo the body
	}
	switch status {
	case http.StatusNotFound:
		return fmt.Errorf("%w (404)", ErrNotFound)
	case http.StatusForbidden:
		return fmt.Errorf("%w (403: a scope is missing)", ErrNotFound)
	case http.StatusUnauthorized:
		return fmt.Errorf("%w (401: token refused)", ErrUnauthorized)
	}
	return err
}
