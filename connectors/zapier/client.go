package zapier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrGone is a 410 from a target: Zapier's way of saying the subscription
// is dead (the Zap was turned off or deleted). Delete it and stop.
var ErrGone = errors.New("zapier: subscription gone (410)")

// maxRetryAfter caps how long a target may ask the hub to wait.
const maxRetryAfter = time.Hour

// StatusError is a non-2xx answer other than 410.
type StatusError struct {
	Host   string
	Status int
	// Wait is the target's Retry-After, if it sent one.
	Wait time.Duration
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("zapier: post to %s: status %d", e.Host, e.Status)
}

// RetryAfter is the delay the target asked for (the pipeline's retry
// policy honours it).
func (e *StatusError) RetryAfter() time.Duration { return e.Wait }

// Temporary reports whether a later attempt may succeed: rate limits,
// timeouts and server errors. Any other 4xx will not change by waiting.
func (e *StatusError) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status == http.StatusRequestTimeout || e.Status >= 500
}

// Result is a delivered POST.
type Result struct {
	Status int
	// Unverified is a 2xx whose body is an HTML page: a captive portal or
	// proxy answered, not Zapier. It counts as delivered but is worth a log.
	Unverified bool
}

// Client POSTs JSON to hook targets that pass its Allowlist.
type Client struct {
	allow Allowlist
	http  *http.Client
}

// NewClient returns a client for targets in allow. timeout bounds one POST
// (0 means 15 seconds; Zapier answers a catch hook within a second or two).
func NewClient(allow Allowlist, timeout time.Duration) *Client {
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		// Never through a proxy from the environment: the dial check must
		// see the target's own address.
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			d := *dialer
			// Control runs after DNS, once per address tried, just before
			// connecting: the only place a rebinding answer can be caught.
			d.Control = func(_, address string, _ syscall.RawConn) error { return allow.checkDial(host, address) }
			return d.DialContext(ctx, network, addr)
		},
		ForceAttemptHTTP2:     true,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: timeout,
	}
	return &Client{allow: allow, http: &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// Allowlist is the client's allowlist, for checking subscriptions.
func (c *Client) Allowlist() Allowlist { return c.allow }

// Post sends body to target. Its errors: ErrRefused (the target is not
// allowed, resolves to a private address, or redirects), ErrGone (410),
// *StatusError (other statuses; Temporary says whether to retry), or a
// network error (retry).
func (c *Client) Post(ctx context.Context, target string, body []byte) (Result, error) {
	if err := c.allow.Check(target); err != nil {
		return Result{}, err
	}
	u, _ := url.Parse(target) // Check parsed it
	host := u.Hostname()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return Result{}, fmt.Errorf("zapier: post to %s: %w", host, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "hub-zapier/1")
	resp, err := c.http.Do(req)
	if err != nil {
		if errors.Is(err, ErrRefused) {
			return Result{}, fmt.Errorf("zapier: post to %s: %w", host, ErrRefused)
		}
		// Not %w of the *url.Error: its text holds the whole target URL.
		return Result{}, fmt.Errorf("zapier: post to %s: %w", host, unwrapURLError(err))
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))

	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		return Result{Status: s, Unverified: isHTML(resp.Header.Get("Content-Type"), head)}, nil
	case s >= 300 && s < 400:
		return Result{Status: s}, fmt.Errorf("zapier: post to %s: %w: redirects are not followed (status %d)", host, ErrRefused, s)
	case s == http.StatusGone:
		return Result{Status: s}, ErrGone
	default:
		return Result{Status: s}, &StatusError{Host: host, Status: s, Wait: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
}

// unwrapURLError drops the *url.Error wrapper, whose message repeats the URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func isHTML(contentType string, head []byte) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && mt == "text/html" {
		return true
	}
	h := strings.ToLower(strings.TrimSpace(string(head)))
	return strings.HasPrefix(h, "<!doctype html") || strings.HasPrefix(h, "<html")
}

// parseRetryAfter reads delay-seconds or an HTTP date; 0 when absent or
// unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n <= 0 {
			return 0
		}
		return min(time.Duration(n)*time.Second, maxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, maxRetryAfter)
		}
	}
	return 0
}
