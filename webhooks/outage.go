package webhooks

import (
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// outage tracks, in this process, that the database was found unreachable,
// so that tasks wait for it with a delay that grows with the outage instead
// of each knocking at once, and without using up a retry however long it
// lasts. One task a second probes; the first that gets through ends it.
type outage struct {
	mu        sync.Mutex
	since     time.Time // zero: no outage known
	lastProbe time.Time
}

// Bounds of the wait during an outage: short at first, so a blip costs
// little; at most maxOutageWait, so that the backlog drains soon after the
// database is back.
const (
	minOutageWait = time.Second
	maxOutageWait = 20 * time.Second
)

// down records a failed probe at now and returns how long to wait.
func (o *outage) down(now time.Time) time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.since.IsZero() {
		o.since = now
	}
	o.lastProbe = now
	return o.delay(now)
}

// wait reports whether a task should wait without probing, and for how
// long: an outage is known and was probed less than a second ago.
func (o *outage) wait(now time.Time) (time.Duration, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.since.IsZero() || now.Sub(o.lastProbe) >= time.Second {
		return 0, false
	}
	return o.delay(now), true
}

// up ends the outage.
func (o *outage) up() {
	o.mu.Lock()
	o.since = time.Time{}
	o.mu.Unlock()
}

func (o *outage) delay(now time.Time) time.Duration {
	d := min(max(now.Sub(o.since)/2, minOutageWait), maxOutageWait)
	return d + rand.N(time.Second)
}

// stateLog logs a loop's failures as a state: one warning when they start
// (and one a minute while they last), one line when they end, instead of a
// line per failed pass.
type stateLog struct {
	log     *slog.Logger
	what    string
	mu      sync.Mutex
	failing bool
	last    time.Time
	count   int
}

func (l *stateLog) fail(op string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.count++
	if !l.failing || time.Since(l.last) >= time.Minute {
		l.log.Warn(l.what+": "+op+" failing; will keep trying", "err", err, "failures", l.count)
		l.last = time.Now()
	}
	l.failing = true
}

func (l *stateLog) ok() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failing {
		l.log.Info(l.what+": working again", "failures", l.count)
	}
	l.failing, l.count = false, 0
}
