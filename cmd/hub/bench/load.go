package bench

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// outcome is one request as the sender saw it.
type outcome struct {
	source  string
	id      int64
	dup     bool
	ticket  bool
	status  int // 0: no answer (connection refused, timeout)
	sent    time.Time
	latency time.Duration // from when it was due (open loop) or sent (closed loop)
}

// load is what one load produced.
type load struct {
	outcomes []outcome
	elapsed  time.Duration
}

func newClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute,
			DisableCompression: true,
		},
	}
}

func send(ctx context.Context, c *http.Client, base string, q request, due time.Time) outcome {
	o := outcome{source: q.source, id: q.id, dup: q.dup, ticket: q.ticket, sent: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+q.path, bytes.NewReader(q.body))
	if err == nil {
		req.Header = q.header
		var resp *http.Response
		if resp, err = c.Do(req); err == nil {
			drainBody(resp)
			o.status = resp.StatusCode
		}
	}
	o.latency = time.Since(due)
	return o
}

// closedLoop sends from conc senders, each as soon as its last answer
// came, for d: as fast as the server takes them.
func closedLoop(ctx context.Context, base string, t *traffic, conc int, d time.Duration) load {
	c := newClient(conc)
	defer c.CloseIdleConnections()
	start := time.Now()
	deadline := start.Add(d)
	var mu sync.Mutex
	var all []outcome
	var wg sync.WaitGroup
	for i := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), uint64(start.UnixNano())))
			var mine []outcome
			for time.Now().Before(deadline) && ctx.Err() == nil {
				now := time.Now()
				mine = append(mine, send(ctx, c, base, t.next(r), now))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return load{outcomes: all, elapsed: time.Since(start)}
}

// openLoop sends rate requests a second for d, each at its due time
// whether or not earlier ones were answered (at most maxInFlight at once);
// latency counts from the due time, so a server that falls behind shows
// it instead of slowing the sender down.
func openLoop(ctx context.Context, base string, t *traffic, rate float64, d time.Duration, maxInFlight int) load {
	c := newClient(maxInFlight)
	defer c.CloseIdleConnections()
	start := time.Now()
	r := rand.New(rand.NewPCG(1, uint64(start.UnixNano())))
	sem := make(chan struct{}, maxInFlight)
	var mu sync.Mutex
	var all []outcome
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / rate)
	for i := 0; ctx.Err() == nil; i++ {
		due := start.Add(time.Duration(i) * interval)
		if due.Sub(start) >= d {
			break
		}
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		q := t.next(r)
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := send(ctx, c, base, q, due)
			<-sem
			mu.Lock()
			all = append(all, o)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return load{outcomes: all, elapsed: time.Since(start)}
}

// counts of a load's answers.
type Answers struct {
	Sent     int `json:"sent"`
	Acked    int `json:"acked"`     // 2xx
	Shed     int `json:"shed"`      // 429 or 503
	Other    int `json:"other"`     // any other status
	NoAnswer int `json:"no_answer"` // transport errors
}

func (l load) answers() Answers {
	var a Answers
	for _, o := range l.outcomes {
		a.Sent++
		switch {
		case o.status >= 200 && o.status < 300:
			a.Acked++
		case o.status == http.StatusTooManyRequests || o.status == http.StatusServiceUnavailable:
			a.Shed++
		case o.status == 0:
			a.NoAnswer++
		default:
			a.Other++
		}
	}
	return a
}

// latencies of the answers whose status matches keep.
func (l load) latencies(keep func(status int) bool) []time.Duration {
	var out []time.Duration
	for _, o := range l.outcomes {
		if keep(o.status) {
			out = append(out, o.latency)
		}
	}
	return out
}

func is2xx(s int) bool  { return s >= 200 && s < 300 }
func isShed(s int) bool { return s == http.StatusTooManyRequests || s == http.StatusServiceUnavailable }
