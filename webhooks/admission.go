package webhooks

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// Admission sheds load the hub cannot take instead of queueing it without
// bound: a request that finds every slot taken waits a few milliseconds
// for one, then gets 503 with Retry-After. Senders retry (Shopify over
// hours, Slack three times, Zapier on error); WooCommerce, which never
// retries, is caught up by reconciliation. In-flight requests are what
// holds memory and database connections, so bounding them bounds both.
type Admission struct {
	slots chan struct{}
	wait  time.Duration
	m     *Metrics
}

// NewAdmission admits at most max requests at once, each waiting at most
// wait for a slot.
func NewAdmission(max int, wait time.Duration, m *Metrics) *Admission {
	if m == nil {
		m = NewMetrics(nil)
	}
	return &Admission{slots: make(chan struct{}, max), wait: wait, m: m}
}

// Middleware admits or sheds each request.
func (a *Admission) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case a.slots <- struct{}{}:
		default:
			t := time.NewTimer(a.wait)
			select {
			case a.slots <- struct{}{}:
				t.Stop()
			case <-t.C:
				a.m.shed.WithLabelValues("busy").Inc()
				w.Header().Set("Retry-After", "1")
				WriteError(w, http.StatusServiceUnavailable, "overloaded", "the hub is at capacity; retry shortly")
				return
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		rel := &slot{a: a}
		defer rel.release()
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), slotKey{}, rel)))
	})
}

type slotKey struct{}

type slot struct {
	a    *Admission
	once sync.Once
}

func (s *slot) release() { s.once.Do(func() { <-s.a.slots }) }

// ReleaseSlot gives up the request's admission slot early: for a handler
// that, its own work done, goes on waiting for something else (the Zapier
// intake waiting for the worker to make its ticket), so the wait holds no
// capacity.
func ReleaseSlot(ctx context.Context) {
	if s, ok := ctx.Value(slotKey{}).(*slot); ok {
		s.release()
	}
}

// ErrBacklog is Accept's error when the pipeline is too far behind to take
// more: the delivery is not recorded and the sender is told to retry.
var ErrBacklog = errors.New("the pipeline is behind; not taking new deliveries")

// backlogged reports whether new deliveries must wait: more tasks wait for
// a worker than MaxBacklog.
func (p *Pipeline) backlogged() bool {
	return p.opt.Backlog != nil && p.opt.MaxBacklog > 0 && p.opt.Backlog() > p.opt.MaxBacklog
}
