package webhooks

import (
	"errors"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"
)

// retryAfter is implemented by connector errors that carry a vendor's
// Retry-After (a 429, Shopify's THROTTLED). It is an interface, not a type,
// so connectors need not import this package.
type retryAfter interface{ RetryAfter() time.Duration }

// RetryAfterOf returns the delay an error asks for, if any.
func RetryAfterOf(err error) (time.Duration, bool) {
	var ra retryAfter
	if errors.As(err, &ra) && ra.RetryAfter() > 0 {
		return ra.RetryAfter(), true
	}
	return 0, false
}

// waitError asks for a task to run again after a delay.
type waitError struct {
	after time.Duration
	cause error
}

func (e waitError) Error() string             { return e.cause.Error() + " (retry in " + e.after.String() + ")" }
func (e waitError) Unwrap() error             { return e.cause }
func (e waitError) RetryAfter() time.Duration { return e.after }

// Wait returns cause as an error asking for the task to run again after d,
// without using up a retry: a vendor's Retry-After, a channel's pacing, a
// lock held elsewhere. With d <= 0 it is an ordinary failure, retried with
// backoff.
func Wait(d time.Duration, cause error) error {
	if d <= 0 {
		return cause
	}
	return waitError{after: d, cause: cause}
}

const maxBackoff = 10 * time.Minute

// backoff is the delay before retry n+1: 1s doubling, capped, with jitter.
func backoff(n int) time.Duration {
	d := time.Second << min(n, 10)
	d = min(d, maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// RetryDelay is the asynq RetryDelayFunc for every task: a vendor's
// Retry-After is honoured (capped at an hour); a task whose worker died is
// retried at once; anything else backs off exponentially with jitter.
//
// asynq stores retry times in whole seconds, rounded down, so a delay is
// padded by a second to never come back before the vendor allows.
func RetryDelay(n int, err error, _ *asynq.Task) time.Duration {
	if d, ok := RetryAfterOf(err); ok {
		return min(d, time.Hour) + time.Second
	}
	if errors.Is(err, asynq.ErrLeaseExpired) {
		return time.Second
	}
	return backoff(n)
}

// IsFailure is the asynq IsFailure predicate: being told to wait by a
// vendor's rate limit is not a failure and does not use up a retry.
func IsFailure(err error) bool {
	_, wait := RetryAfterOf(err)
	return !wait
}
