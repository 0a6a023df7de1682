package shopify

import (
	"errors"
	"fmt"
	"time"
)

// ErrNotFound (wrapped) means Shopify has no such resource or will not show
// it: a 404, a null answer, or ACCESS_DENIED for a scope the app lacks
// (orders older than 60 days need read_all_orders). Retrying cannot help.
var ErrNotFound = errors.New("shopify: not found")

// ErrUnauthorized (wrapped) means the shop refused the access token: it was
// revoked (the app was uninstalled) or has expired without a refresh token.
var ErrUnauthorized = errors.New("shopify: unauthorized")

// ErrQueryCost (wrapped) means the query asks for more points than Shopify
// runs in one query (MAX_COST_EXCEEDED). It is permanent for that query:
// retrying it can never succeed.
var ErrQueryCost = errors.New("shopify: query cost over the single-query limit")

// IsQueryCost reports whether err is ErrQueryCost.
func IsQueryCost(err error) bool { return errors.Is(err, ErrQueryCost) }

// IsNotFound reports whether err means "no such thing" (see ErrNotFound).
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsUnauthorized reports whether err means the token was refused.
func IsUnauthorized(err error) bool { return errors.Is(err, ErrUnauthorized) }

// RateLimitError says Shopify (a 429, a GraphQL THROTTLED answer) or the
// hub's own per-shop budget asks the caller to wait. Its RetryAfter method is
// what the pipeline looks for: the task is retried after that delay without
// using up a retry.
type RateLimitError struct {
	Shop  string
	Wait  time.Duration
	Cause string // "429", "THROTTLED" or "budget"
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("shopify: %s rate limited (%s); retry after %s", e.Shop, e.Cause, e.Wait)
}

// RetryAfter is how long to wait before the next call to this shop.
func (e *RateLimitError) RetryAfter() time.Duration { return e.Wait }
