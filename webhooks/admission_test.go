package webhooks_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"hub/tickets"
	"hub/webhooks"
)

// At capacity a request is refused at once with 503 and Retry-After rather
// than queued; a slot given back (or released early) admits the next.
func TestAdmissionShedsPastCapacity(t *testing.T) {
	adm := webhooks.NewAdmission(2, 10*time.Millisecond, nil)
	hold := make(chan struct{})
	entered := make(chan struct{}, 10)
	h := adm.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		if r.URL.Path == "/release" {
			webhooks.ReleaseSlot(r.Context())
		}
		<-hold
	}))
	var wg sync.WaitGroup
	for _, path := range []string{"/a", "/release"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", path, nil))
		}()
		<-entered
	}
	// One slot was released early by its handler: a third request gets in,
	// a fourth finds the two slots taken.
	third := make(chan int, 1)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/c", nil))
		third <- rec.Code
	}()
	<-entered
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/d", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("at capacity: %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	close(hold)
	wg.Wait()
	if code := <-third; code != http.StatusOK {
		t.Errorf("the request admitted after an early release got %d", code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/e", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("after the load, %d; want admitted", rec.Code)
	}
}

// Past the backlog limit nothing new is recorded: the sender gets 503 and
// retries, and Redis never holds an unbounded queue.
func TestBacklogShedsNewDeliveries(t *testing.T) {
	b := setup(t, setupOpts{})
	backlog := 10
	pipe := webhooks.New(b.store, b.client, b.insp, webhooks.Options{
		Queue: b.queue, Backlog: func() int { return backlog }, MaxBacklog: 5,
	})
	pipe.Handle(tickets.SourceZapier, webhooks.IntakeDecoder())
	accept := func(context.Context, string) (tickets.Actor, error) {
		return tickets.Actor{Kind: tickets.ActorAPIKey, ID: "key-1"}, nil
	}
	srv := httptest.NewServer(pipe.ServeIntake(accept))
	defer srv.Close()
	post := func(key string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"subject":"Hi","email":"a@example.com"}`))
		req.Header.Set("Idempotency-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post("b-1"); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("behind: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if ds, _ := b.store.ListDeliveries(context.Background(), "", 10); len(ds) != 0 {
		t.Fatalf("%d deliveries recorded while shedding", len(ds))
	}
	backlog = 0
	if resp := post("b-1"); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("caught up: %d, want 202", resp.StatusCode)
	}
}

// The intake's wait for its ticket holds no connection beyond a few
// waiters: with the worker stopped, requests past the limit are answered
// 202 at once instead of each waiting out the full wait.
func TestIntakeWaitIsBounded(t *testing.T) {
	b := setup(t, setupOpts{})
	accept := func(context.Context, string) (tickets.Actor, error) {
		return tickets.Actor{Kind: tickets.ActorAPIKey, ID: "key-1"}, nil
	}
	find := func(context.Context, tickets.Delivery) (any, bool, error) { return nil, false, nil }
	srv := httptest.NewServer(b.pipe.ServeIntake(accept, webhooks.WaitForTicket(time.Minute, find, b.store, 2)))
	defer srv.Close()
	type answer struct {
		code int
		err  error
	}
	answers := make(chan answer, 6)
	// The two that wait would hold on for the whole minute; the client
	// gives up long before, which ends their wait too.
	client := &http.Client{Timeout: 5 * time.Second}
	for i := range 6 {
		go func() {
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"subject":"Hi","email":"a@example.com"}`))
			req.Header.Set("Idempotency-Key", "w-"+string(rune('a'+i)))
			resp, err := client.Do(req)
			if err != nil {
				answers <- answer{err: err}
				return
			}
			resp.Body.Close()
			answers <- answer{code: resp.StatusCode}
		}()
	}
	// No worker runs: two wait (and time out), the four others are
	// answered 202 without waiting.
	accepted, timedOut := 0, 0
	for range 6 {
		a := <-answers
		switch {
		case a.err != nil:
			timedOut++
		case a.code == http.StatusAccepted:
			accepted++
		default:
			t.Errorf("answer %d", a.code)
		}
	}
	if accepted != 4 || timedOut != 2 {
		t.Fatalf("%d answered 202 at once, %d waited; want 4 and the 2 allowed to wait", accepted, timedOut)
	}
}
