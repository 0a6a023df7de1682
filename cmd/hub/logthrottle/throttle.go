// Package logthrottle keeps a library that logs the same failure in a loop
// from flooding the log. asynq logs every failed Redis call of each of its
// loops (dequeue every second, forwarder, heartbeat, recoverer, scheduler):
// with Redis down that is some eighty lines a minute saying one thing.
//
// A Throttle lets each distinct message through once per Window and counts
// the copies it holds back, to be reported with the next copy it lets
// through; and it lets at most Burst lines of any kind through per minute,
// counting the rest. Messages are compared with their digits removed, since
// copies of one failure differ in ports, ids and durations.
package logthrottle

import (
	"strings"
	"sync"
	"time"
	"unicode"
)

// Defaults for a Throttle's zero fields.
const (
	DefaultWindow = 5 * time.Minute
	DefaultBurst  = 5
)

// Throttle decides which messages to log. It is safe for concurrent use.
type Throttle struct {
	// Window is how long a message is held back after it was logged.
	Window time.Duration
	// Burst is how many lines may pass per minute whatever they say.
	Burst int
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu         sync.Mutex
	seen       map[string]*entry
	minute     time.Time // start of the current burst minute
	passed     int       // lines passed in it
	suppressed int       // lines dropped by the burst limit since the last pass
	held       int       // every line held back, in total
}

// Held is how many lines the Throttle has held back so far.
func (t *Throttle) Held() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.held
}

type entry struct {
	last     time.Time // when it was last logged
	repeated int       // copies held back since
}

// Decision is what to do with one message.
type Decision struct {
	Log bool
	// Repeated is how many copies of this message were held back since it
	// was last logged (only when Log).
	Repeated int
	// Suppressed is how many other lines the burst limit dropped since the
	// last line logged (only when Log).
	Suppressed int
}

// Allow decides about msg.
func (t *Throttle) Allow(msg string) Decision {
	now := time.Now()
	if t.Now != nil {
		now = t.Now()
	}
	window, burst := t.Window, t.Burst
	if window <= 0 {
		window = DefaultWindow
	}
	if burst <= 0 {
		burst = DefaultBurst
	}
	key := Key(msg)

	t.mu.Lock()
	defer t.mu.Unlock()
	if t.seen == nil {
		t.seen = map[string]*entry{}
	}
	e := t.seen[key]
	if e != nil && now.Sub(e.last) < window {
		e.repeated++
		t.held++
		return Decision{}
	}
	if now.Sub(t.minute) >= time.Minute {
		t.minute, t.passed = now, 0
	}
	if t.passed >= burst {
		// Not marked as seen: it gets its line once the minute is over.
		t.suppressed++
		t.held++
		return Decision{}
	}
	t.passed++
	d := Decision{Log: true, Suppressed: t.suppressed}
	t.suppressed = 0
	if e != nil {
		d.Repeated = e.repeated
	}
	t.seen[key] = &entry{last: now}
	// Forget what has not been seen for a while, so the map stays small.
	if len(t.seen) > 1000 {
		for k, old := range t.seen {
			if now.Sub(old.last) >= window {
				delete(t.seen, k)
			}
		}
	}
	return d
}

// Key is what two copies of one message have in common: the text with each
// run of digits replaced by '#'.
func Key(msg string) string {
	var b strings.Builder
	digits := false
	for _, r := range msg {
		if unicode.IsDigit(r) {
			if !digits {
				b.WriteByte('#')
			}
			digits = true
			continue
		}
		digits = false
		b.WriteRune(r)
	}
	return b.String()
}
