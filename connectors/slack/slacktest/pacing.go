package slacktest

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"
)

// Slack's published rate limits, enforced by the fake so that a hub that
// posts faster than Slack allows fails in tests the way it would in
// production: 429 with Retry-After, and nothing posted.
//
//   - chat.postMessage: about one message per second per channel, with short
//     bursts allowed ("special" tier), and a workspace-wide cap of several
//     hundred a minute.
//   - chat.update, conversations.history: Tier 3, 50+ a minute per workspace.
//   - views.open, views.publish, users.info: Tier 4, 100+ a minute.
//
// https://api.slack.com/docs/rate-limits
var limits = map[string]Limit{
	"chat.postMessage":      {Every: time.Second, Burst: 4, PerChannel: true},
	"chat.postMessage*":     {Every: time.Minute / 300, Burst: 50},
	"chat.update":           {Every: time.Minute / 50, Burst: 50},
	"conversations.history": {Every: time.Minute / 50, Burst: 50},
	"views.open":            {Every: time.Minute / 100, Burst: 100},
	"views.publish":         {Every: time.Minute / 100, Burst: 100},
	"users.info":            {Every: time.Minute / 100, Burst: 100},
}

// Limit is one method's pacing: a token every Every, Burst at most at once,
// counted per channel or for the whole workspace.
type Limit struct {
	Every      time.Duration
	Burst      int
	PerChannel bool
}

// SetLimit replaces a method's pacing ("" Every turns it off). A test that
// needs a tighter or looser Slack says so here.
func (s *Server) SetLimit(method string, l Limit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits[method] = l
	for k := range s.buckets {
		if k.method == method {
			delete(s.buckets, k)
		}
	}
}

// Limited is how many calls of method were refused for pacing.
func (s *Server) Limited(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited[method]
}

type bucketKey struct{ method, channel string }

// paceLocked takes a token for the call or answers how long to wait.
func (s *Server) paceLocked(method, channel string, now time.Time) (time.Duration, bool) {
	check := []bucketKey{}
	if l, ok := s.limits[method]; ok && l.Every > 0 {
		k := bucketKey{method: method}
		if l.PerChannel {
			k.channel = channel
		}
		check = append(check, k)
	}
	if l, ok := s.limits[method+"*"]; ok && l.Every > 0 {
		check = append(check, bucketKey{method: method + "*"})
	}
	var reservations []*rate.Reservation
	var wait time.Duration
	for _, k := range check {
		b := s.buckets[k]
		if b == nil {
			l := s.limits[k.method]
			b = rate.NewLimiter(rate.Every(l.Every), l.Burst)
			s.buckets[k] = b
		}
		r := b.ReserveN(now, 1)
		reservations = append(reservations, r)
		wait = max(wait, r.DelayFrom(now))
	}
	if wait == 0 {
		return 0, true
	}
	for _, r := range reservations {
		r.CancelAt(now)
	}
	s.limited[method]++
	return wait, false
}

// writeRateLimited answers as Slack does when a method's limit is hit.
func writeRateLimited(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte(`{"ok":false,"error":"ratelimited"}`))
}
