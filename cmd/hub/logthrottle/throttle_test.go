package logthrottle

import (
	"fmt"
	"testing"
	"time"
)

// clock is a fake clock moved by the test.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// redisDown is what asynq's loops log each second or so with Redis down.
var redisDown = []string{
	"Dequeue error: UNKNOWN: redis command error: dequeue failed: dial tcp 127.0.0.1:6379: connect: connection refused",
	"Failed to forward scheduled tasks: INTERNAL_ERROR: dial tcp 127.0.0.1:6379: connect: connection refused",
	"Failed to write server state data: UNKNOWN: redis command error: pipeline failed: dial tcp 127.0.0.1:6379: connect: connection refused",
	"recoverer: could not list lease expired tasks: UNKNOWN: redis command error: ZRANGEBYSCORE failed: dial tcp 127.0.0.1:6379: connect: connection refused",
	"Scheduler could not write heartbeat data: UNKNOWN: redis command error: pipeline failed: dial tcp 127.0.0.1:6379: connect: connection refused",
	"cannot subscribe to cancelation channel: UNKNOWN: redis pubsub receive error: dial tcp 127.0.0.1:6379: connect: connection refused",
}

func TestRedisDownIsAFewLines(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	th := &Throttle{Now: c.now}
	logged := 0
	var last Decision
	// Ten minutes of an outage: every message once a second, the dequeue
	// error with a changing number in it.
	for s := range 600 {
		for i, m := range redisDown {
			if i == 0 {
				m = fmt.Sprintf("%s (attempt %d)", m, s)
			}
			if d := th.Allow(m); d.Log {
				logged++
				last = d
			}
		}
		c.t = c.t.Add(time.Second)
	}
	// Six distinct messages, at most twice each in ten minutes (once at
	// the start, once after each five-minute window), against 3,600 calls.
	if logged < len(redisDown) || logged > 3*len(redisDown) {
		t.Errorf("%d lines logged for a ten-minute outage, want %d to %d", logged, len(redisDown), 3*len(redisDown))
	}
	if last.Repeated == 0 {
		t.Errorf("the last line logged does not say how often it repeated: %+v", last)
	}
}

func TestThrottle(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	th := &Throttle{Now: c.now, Window: time.Minute, Burst: 2}
	steps := []struct {
		advance time.Duration
		msg     string
		want    Decision
	}{
		{0, "a failed: port 1", Decision{Log: true}},
		{time.Second, "a failed: port 2", Decision{}}, // the same failure
		{time.Second, "b failed", Decision{Log: true}},
		{time.Second, "c failed", Decision{}}, // burst of 2 used up
		{time.Second, "d failed", Decision{}},
		{time.Minute, "c failed", Decision{Log: true, Suppressed: 2}},
		{time.Second, "a failed: port 3", Decision{Log: true, Repeated: 1}},
		{time.Second, "a failed: port 4", Decision{}},
	}
	for i, s := range steps {
		c.t = c.t.Add(s.advance)
		if got := th.Allow(s.msg); got != s.want {
			t.Errorf("step %d (%q): %+v, want %+v", i, s.msg, got, s.want)
		}
	}
}

func TestKey(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"dial tcp 127.0.0.1:6379", "dial tcp 10.0.0.12:6380"},
		{"task id=12 failed", "task id=4711 failed"},
	} {
		if Key(tc.a) != Key(tc.b) {
			t.Errorf("Key(%q) = %q, Key(%q) = %q", tc.a, Key(tc.a), tc.b, Key(tc.b))
		}
	}
	if Key("a failed") == Key("b failed") {
		t.Error("different messages share a key")
	}
}
