package web_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"hub/tickets"
	"hub/tickets/postgres"
	"hub/tickets/postgres/pgtest"
	"hub/tickets/web"
)

// benchTickets is the size of the benchmark's database.
const benchTickets = 100_000

// seedBench fills a database with benchTickets tickets over 90 days, 20,000
// customers, 20 agents, two messages and one audit event per ticket, in a
// few set-based statements (creating them one by one would take far longer
// than the benchmark).
func seedBench(ctx context.Context, pool *pgxpool.Pool, now time.Time) error {
	stmts := []string{
		`insert into customers (id, email, name, created_at)
			select md5('c' || n)::uuid, 'customer' || n || '@example.com', 'Customer ' || n, $1::timestamptz - interval '100 days'
			from generate_series(0, 19999) n`,
		`insert into tickets (subject, description, status, priority, tags, assignee, customer_id, source,
				first_response_due, resolution_due, clock_start, paused_at, first_response_at, created_at, updated_at)
			select 'Order ' || (1000 + n) || ' ' || (array['arrived damaged','never arrived','wrong size','charged twice','refund please'])[1 + n % 5],
				'Hello, about my order ' || (1000 + n) || ': the parcel is late and the tracking has not moved for days.',
				(array['open','open','open','pending','resolved','closed'])[1 + n % 6],
				(array['urgent','high','medium','medium','low'])[1 + n % 5],
				array[(array['shipping','billing','returns','vip'])[1 + n % 4]],
				case when n % 3 = 0 then '' else 'agent' || (n % 20) || '@example.com' end,
				md5('c' || (n % 20000))::uuid, 'api',
				ts + interval '1 hour' * (1 + n % 8), ts + interval '1 hour' * (4 + n % 40), ts,
				case when n % 6 = 3 then ts + interval '2 hours' end,
				case when n % 2 = 0 then ts + interval '30 minutes' * (1 + n % 7) end,
				ts, ts
			from (select n, $1::timestamptz - interval '90 days' * ((n * 7919) % 100000) / 100000.0 as ts
				from generate_series(1, ` + fmt.Sprint(benchTickets) + `) n) s`,
		`insert into messages (ticket_id, kind, body, author_kind, author_id, created_at)
			select id, 'customer', description, 'customer', '', created_at from tickets`,
		`insert into messages (ticket_id, kind, body, author_kind, author_id, author_name, created_at)
			select id, 'reply', 'Sorry to hear that, we are looking into it right now.', 'agent', 'agent1@example.com', 'Agent One', created_at + interval '30 minutes'
			from tickets where first_response_at is not null`,
		`insert into events (ticket_id, type, actor_kind, actor_id, after, at)
			select id, 'ticket.created', 'api_key', 'bench', '{}'::jsonb, created_at from tickets`,
		`analyze`,
	}
	for _, sql := range stmts {
		var err error
		if strings.Contains(sql, "$1") {
			_, err = pool.Exec(ctx, sql, now)
		} else {
			_, err = pool.Exec(ctx, sql)
		}
		if err != nil {
			return fmt.Errorf("seed: %w\n%s", err, sql)
		}
	}
	return nil
}

// benchHub is the dashboard on a seeded database, with a signed-in client.
type benchHub struct {
	srv    *httptest.Server
	client *http.Client
	ref    string // a ticket with a conversation
	mu     sync.Mutex
	server []time.Duration // time spent in the handler, per request
}

var (
	benchOnce sync.Once
	bench     *benchHub
	benchErr  error
)

func setupBench(b *testing.B) *benchHub {
	benchOnce.Do(func() {
		ctx := context.Background()
		// The database outlives this first benchmark: it is shared by all of
		// them and dropped when the test binary's last cleanup runs.
		// The hub's own pool size on this machine (cmd/hub: 8 per CPU).
		dbURL := os.Getenv("HUB_BENCH_DATABASE_URL")
		reuse := dbURL != ""
		if !reuse {
			dbURL = pgtest.URL(&keepTB{TB: b})
		}
		cfg, err := pgxpool.ParseConfig(dbURL)
		if err != nil {
			benchErr = err
			return
		}
		cfg.MaxConns = int32(8 * runtime.NumCPU())
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			benchErr = err
			return
		}
		benchCleanups = append(benchCleanups, pool.Close)
		now := time.Now().UTC().Truncate(time.Microsecond)
		var seeded bool
		if reuse {
			if benchErr = pool.QueryRow(ctx, `select exists (select 1 from tickets)`).Scan(&seeded); benchErr != nil {
				return
			}
		}
		store := postgres.New(pool, postgres.Options{})
		if !seeded {
			if benchErr = seedBench(ctx, pool, now); benchErr != nil {
				return
			}
		}
		hash, _ := web.HashPassword("bench password")
		if _, benchErr = store.CreateAccount(ctx, tickets.Account{Email: "agent1@example.com", Name: "Agent One", PasswordHash: hash}); benchErr != nil {
			return
		}
		sm := scs.New()
		sm.Store = pgxstore.NewWithCleanupInterval(pool, 0)
		srv := web.New(web.Config{Store: store, Sessions: sm})
		r := chi.NewRouter()
		h := &benchHub{}
		r.Use(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				start := time.Now()
				next.ServeHTTP(w, req)
				h.mu.Lock()
				h.server = append(h.server, time.Since(start))
				h.mu.Unlock()
			})
		})
		srv.Routes(r)
		h.srv = httptest.NewServer(r)
		jar, _ := cookiejar.New(nil)
		h.client = &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		if benchErr = h.signIn(); benchErr != nil {
			return
		}
		list, _, err := store.ListTickets(ctx, tickets.Filter{Status: tickets.StatusPending, Limit: 1})
		if err != nil || len(list) == 0 {
			benchErr = fmt.Errorf("no ticket to show: %v", err)
			return
		}
		h.ref = list[0].Ref()
		bench = h
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return bench
}

// keepTB defers the database's cleanup to the end of the test binary (the
// seeded database is shared by every benchmark).
type keepTB struct{ testing.TB }

func (k *keepTB) Cleanup(f func()) { benchCleanups = append(benchCleanups, f) }

var benchCleanups []func()

var tokenRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (h *benchHub) signIn() error {
	resp, err := h.client.Get(h.srv.URL + "/login")
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := tokenRE.FindSubmatch(body)
	if m == nil {
		return fmt.Errorf("no CSRF token on the sign-in page")
	}
	resp, err = h.client.PostForm(h.srv.URL+"/login", url.Values{"csrf_token": {string(m[1])},
		"email": {"agent1@example.com"}, "password": {"bench password"}})
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		return fmt.Errorf("sign-in ended at %s with %d", resp.Request.URL, resp.StatusCode)
	}
	return nil
}

// BenchmarkPages renders the list and ticket pages of a 100,000-ticket
// database for 50 concurrent readers, and reports the latency as the
// client sees it and as the server spent it (p50, p99 in ms), and the
// pages served per second. It asserts nothing about time: the numbers are
// for reading.
//
//	go test ./tickets/web -run '^$' -bench Pages -benchtime 2000x
//
// A reader loads a page, reads it for a while and loads the next: by
// default a pause of 0.5 to 1.5 s, a fast agent (people read a ticket for
// many seconds). HUB_BENCH_PAUSE=0 takes the pause away: every reader
// asks again the moment a page arrives, the machine saturates, and
// pages/s is its capacity while the latency is mostly queueing.
// HUB_BENCH_READERS changes the number of readers.
//
// HUB_BENCH_DATABASE_URL names a database to use instead of a new one
// each run (migrated with `hub migrate`; seeded on first use and kept), so
// that profiling a change does not wait for the seed every time. Its
// tickets age: the views' counts drift as the seed's "now" recedes.
func BenchmarkPages(b *testing.B) {
	h := setupBench(b)
	defer func() {
		for i := len(benchCleanups) - 1; i >= 0; i-- {
			benchCleanups[i]() // last registered first, as t.Cleanup
		}
		benchCleanups = nil
	}()
	readers, pause := benchReaders(), benchPause()
	for _, page := range []struct{ name, path string }{
		{"list", "/"},
		{"list-view-due", "/?view=unassigned&sort=due"},
		{"list-search", "/?q=damaged&status=open"},
		{"list-page-3", ""}, // filled below: the third page by cursor
		{"ticket", "/tickets/" + h.ref},
	} {
		if page.name == "list-page-3" {
			page.path = h.thirdPage(b)
		}
		b.Run(page.name, func(b *testing.B) {
			h.mu.Lock()
			h.server = h.server[:0]
			h.mu.Unlock()
			var (
				mu     sync.Mutex
				client []time.Duration
				taken  atomic.Int64
				wg     sync.WaitGroup
			)
			b.ResetTimer()
			start := time.Now()
			for r := range readers {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(uint64(r), 42))
					think := func() time.Duration { return pause/2 + time.Duration(rng.Int64N(int64(pause)+1)) }
					if pause > 0 {
						// Readers arrive spread over a pause, not in step.
						time.Sleep(time.Duration(rng.Int64N(int64(pause) + 1)))
					}
					var mine []time.Duration
					for taken.Add(1) <= int64(b.N) {
						start := time.Now()
						resp, err := h.client.Get(h.srv.URL + page.path)
						if err != nil {
							b.Error(err)
							return
						}
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							b.Errorf("%s: %d", page.path, resp.StatusCode)
							return
						}
						mine = append(mine, time.Since(start))
						if pause > 0 {
							time.Sleep(think())
						}
					}
					mu.Lock()
					client = append(client, mine...)
					mu.Unlock()
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			h.mu.Lock()
			server := slices.Clone(h.server)
			h.mu.Unlock()
			report(b, "client", client)
			report(b, "server", server)
			b.ReportMetric(float64(len(client))/elapsed.Seconds(), "pages/s")
		})
	}
}

func (h *benchHub) thirdPage(b *testing.B) string {
	path := "/"
	next := regexp.MustCompile(`rel="next" href="([^"]+)"`)
	for range 2 {
		resp, err := h.client.Get(h.srv.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := next.FindSubmatch(body)
		if m == nil {
			b.Fatal("no next page link")
		}
		path = "/" + strings.ReplaceAll(string(m[1]), "&amp;", "&")
	}
	return path
}

func report(b *testing.B, who string, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	pct := func(p float64) float64 { return float64(d[int(p*float64(len(d)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), who+"-p50-ms")
	b.ReportMetric(pct(0.99), who+"-p99-ms")
}

// benchReaders is how many readers load pages at once: 50, or
// HUB_BENCH_READERS (1 with no pause shows a page's own cost).
func benchReaders() int {
	if n, err := strconv.Atoi(os.Getenv("HUB_BENCH_READERS")); err == nil && n > 0 {
		return n
	}
	return 50
}

// benchPause is a reader's average pause between pages: 1s, or
// HUB_BENCH_PAUSE (a Go duration; 0 for none).
func benchPause() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("HUB_BENCH_PAUSE")); err == nil && d >= 0 {
		return d
	}
	return time.Second
}
