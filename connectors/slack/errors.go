package slack

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// APIError is Slack answering {"ok": false, "error": Code}: most failures
// come back as HTTP 200 with such a body.
type APIError struct {
	Method string
	Code   string
}

func (e *APIError) Error() string { return "slack: " + e.Method + ": " + e.Code }

// RateLimitedError is a 429: the call may be made again after RetryAfter.
// Its RetryAfter method is what the hub's task retry honours, so a worker
// is never put to sleep.
type RateLimitedError struct {
	Method string
	After  time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("slack: %s: rate limited, retry after %s", e.Method, e.After)
}

// RetryAfter is how long Slack asked to wait.
func (e *RateLimitedError) RetryAfter() time.Duration { return e.After }

// ErrorCode returns Slack's error code in err ("channel_not_found"), or "".
func ErrorCode(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}

// IsChannelError reports an error about the channel itself: the card can
// go to another channel instead.
func IsChannelError(err error) bool {
	switch ErrorCode(err) {
	case "channel_not_found", "not_in_channel", "is_archived", "restricted_action", "restricted_action_read_only_channel":
		return true
	}
	return false
}

// IsTokenError reports an error about the workspace's token: nothing will
// work until someone reconnects Slack.
func IsTokenError(err error) bool {
	switch ErrorCode(err) {
	case "invalid_auth", "token_revoked", "token_expired", "account_inactive", "not_authed", "missing_scope", "team_access_not_granted", "ekm_access_denied":
		return true
	}
	return false
}

// IsPermanent reports an ok:false answer that retrying cannot change.
// Transport errors, 5xx answers and rate limits are not permanent.
func IsPermanent(err error) bool {
	switch ErrorCode(err) {
	case "", "internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited":
		return false
	}
	return true
}

// wrap turns slack-go's errors into this package's, with the method.
func wrap(method string, err error) error {
	if err == nil {
		return nil
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &RateLimitedError{Method: method, After: max(rl.RetryAfter, time.Second)}
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return &APIError{Method: method, Code: se.Err}
	}
	return fmt.Errorf("slack: %s: %w", method, err)
}

// retryAfterTransport rewrites a 429's Retry-After to whole seconds (at
// least 1, rounded up) before slack-go reads it: slack-go understands only
// an integer and would otherwise return a parse error that hides the rate
// limit.
type retryAfterTransport struct{ base http.RoundTripper }

func (t retryAfterTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	resp.Header.Set("Retry-After", strconv.Itoa(retryAfterSeconds(resp.Header.Get("Retry-After"), time.Now())))
	return resp, nil
}

// retryAfterSeconds reads a Retry-After of seconds ("30", "2.5") or an HTTP
// date; anything unreadable means one second. It is capped at an hour.
func retryAfterSeconds(v string, now time.Time) int {
	v = strings.TrimSpace(v)
	secs := 1.0
	if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 {
		secs = f
	} else if at, err := http.ParseTime(v); err == nil {
		secs = at.Sub(now).Seconds()
	}
	n := int(secs)
	if float64(n) < secs {
		n++
	}
	return min(max(n, 1), 3600)
}
