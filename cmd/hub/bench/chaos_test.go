package bench

// Chaos tests: the hub as child processes (the built binary, as in
// production) under a steady load of signed webhooks from every source,
// while its infrastructure fails on purpose. After each fault the same
// promises are checked through the database and the fakes:
//
//   - no acknowledged delivery lost (every 2xx is in Postgres) or stranded
//     (every one processed once the pipeline has drained);
//   - no duplicate ticket, and every ticket a delivery should open exists;
//   - every ticket has its Slack card or digest line, and no card was
//     posted twice beyond one per task in flight at a kill;
//   - every ticket.created reached the Zapier hook;
//   - every 429/503 carried Retry-After, and no task used up its retries;
//   - the backlog drains: no delivery received, no follow-up pending, no
//     task queued, running or retrying.
//
// The short form (default) keeps each outage brief; HUB_CHAOS_LONG=1 runs
// the long form (Postgres down for 6 minutes, vendors failing for a minute
// each, longer loads). Every wait is causal with a generous limit; nothing
// asserts how long anything took. The tests run one after another: five
// hubs under load at once on a small shared machine starve each other's
// fakes into timeouts that say nothing about the hub.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"hub/webhooks/faulttest"
)

// chaosLong reports whether the long form was asked for.
func chaosLong() bool { return os.Getenv("HUB_CHAOS_LONG") == "1" }

// pick returns the short or the long form's value.
func pickDur(short, long time.Duration) time.Duration {
	if chaosLong() {
		return long
	}
	return short
}

var (
	exeOnce sync.Once
	exePath string
	exeErr  error
	exeOut  []byte
)

// hubExe builds the hub binary once per test process.
func hubExe(t *testing.T) string {
	t.Helper()
	exeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hub-chaos-")
		if err != nil {
			exeErr = err
			return
		}
		exePath = filepath.Join(dir, "hub")
		cmd := exec.Command("go", "build", "-o", exePath, "hub/cmd/hub")
		exeOut, exeErr = cmd.CombinedOutput()
	})
	if exeErr != nil {
		t.Fatalf("build the hub: %v\n%s", exeErr, exeOut)
	}
	return exePath
}

func TestMain(m *testing.M) {
	// The chaos tests spend most of their time waiting for a fault to pass
	// or a backlog to drain, not on the CPU: unless -parallel was given,
	// they all run at once rather than GOMAXPROCS at a time.
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", "8")
	}
	code := m.Run()
	if exePath != "" {
		os.RemoveAll(filepath.Dir(exePath))
	}
	os.Exit(code)
}

// syncBuffer collects the children's logs, shown when a test fails.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// rig is one chaos test's hub: its fakes, database, queue and processes.
type rig struct {
	t       *testing.T
	ctx     context.Context
	env     *env
	st      *stage
	web     *child
	workers []*child
	log     *syncBuffer
	load    *steady
}

type rigOpts struct {
	redisURL string // "" for the machine's Redis
	workers  int    // `hub worker` processes beside `hub web`; 0: one `hub serve`
	pgProxy  *faulttest.Proxy
}

func newRig(t *testing.T, o rigOpts) *rig {
	t.Helper()
	if testing.Short() {
		t.Skip("chaos tests run the hub as processes for a minute or more")
	}
	t0 := time.Now()
	exe := hubExe(t)
	defer func() { t.Logf("hub built and started in %v", time.Since(t0).Round(time.Second)) }()
	dbURL := os.Getenv("TEST_DATABASE_URL")
	if dbURL == "" {
		dbURL = "postgres://postgres@localhost:5432/postgres?sslmode=disable"
	}
	redisURL := o.redisURL
	if redisURL == "" {
		redisURL = "redis://localhost:6379/0"
	}
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cfg := Config{
		Exe: exe, DatabaseURL: dbURL, RedisURL: redisURL,
		Mix:     map[string]int{Zapier: 40, Shopify: 30, WooCommerce: 20, Slack: 10},
		Dup:     0.1,
		Latency: 5 * time.Millisecond,
		// The sweeper looks at a delivery whose task went missing after 5 s
		// instead of a minute, so a test need not wait for it.
		Env: []string{"HUB_SWEEP_AFTER=5s", "HUB_LOG_LEVEL=info"},
		Out: &bytes.Buffer{},
		Log: logs,
	}
	e, err := newEnv(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, ctx: ctx, env: e, log: logs}
	t.Cleanup(func() {
		if r.load != nil {
			r.load.stop()
		}
		if t.Failed() {
			t.Logf("hub logs (tail):\n%s", logs.tail(150))
		}
		e.close()
	})
	st, err := e.newStage(ctx, "chaos")
	if err != nil {
		t.Fatal(err)
	}
	r.st = st
	// Up to eight hub processes at once share the machine's Postgres (and
	// its 100 connections) with other tests: each gets a small pool, set
	// as an operator would, in DATABASE_URL.
	u, _ := url.Parse(st.dbURL)
	q := u.Query()
	q.Set("pool_max_conns", "6")
	u.RawQuery = q.Encode()
	if o.pgProxy != nil {
		u.Host = o.pgProxy.Addr()
	}
	st.childDB = u.String()
	if o.workers == 0 {
		r.web = r.start("serve")
	} else {
		r.web = r.start("web")
		for range o.workers {
			r.workers = append(r.workers, r.start("worker"))
		}
	}
	if err := st.subscribeHook(ctx, r.base()); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) start(role string) *child {
	r.t.Helper()
	c, err := r.st.start(r.ctx, role)
	if err != nil {
		r.t.Fatalf("start hub %s: %v\n%s", role, err, r.log.tail(50))
	}
	return c
}

func (r *rig) base() string { return "http://" + r.web.addr }

// kill ends c with SIGKILL, as the kernel or an orchestrator would.
func (r *rig) kill(c *child) {
	r.t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		r.t.Fatalf("kill hub %s: %v", c.role, err)
	}
	<-c.done
}

// waitFor polls cond until it holds, failing the test after limit.
func (r *rig) waitFor(what string, limit time.Duration, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("gave up waiting (%v) for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// steady sends signed deliveries from the mix at a fixed rate to whichever
// web process is current, until stopped.
type steady struct {
	base    atomic.Pointer[string]
	acked   atomic.Int64
	answers atomic.Int64
	// shedBare counts 429 and 503 answers without Retry-After.
	shedBare atomic.Int64
	quit     chan struct{}
	done     chan struct{}
	mu       sync.Mutex
	out      []outcome
	started  time.Time
}

func (r *rig) startLoad(rate float64) *steady {
	tr := newTraffic(r.env.cfg.Mix, r.env.cfg.Dup, r.st.apiKey, r.env.fakes.wooURL, "orders/cancelled")
	s := &steady{quit: make(chan struct{}), done: make(chan struct{}), started: time.Now()}
	b := r.base()
	s.base.Store(&b)
	c := newClient(64)
	go func() {
		defer close(s.done)
		rnd := rand.New(rand.NewPCG(7, uint64(s.started.UnixNano())))
		sem := make(chan struct{}, 64)
		var wg sync.WaitGroup
		interval := time.Duration(float64(time.Second) / rate)
		for i := 0; ; i++ {
			due := s.started.Add(time.Duration(i) * interval)
			select {
			case <-s.quit:
				wg.Wait()
				c.CloseIdleConnections()
				return
			case <-time.After(time.Until(due)):
			}
			q := tr.next(rnd)
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Never cancelled: an answer that comes is counted.
				o, retryAfter := sendNoting(c, *s.base.Load(), q, due)
				if isShed(o.status) && !retryAfter {
					s.shedBare.Add(1)
				}
				<-sem
				s.answers.Add(1)
				if is2xx(o.status) {
					s.acked.Add(1)
				}
				s.mu.Lock()
				s.out = append(s.out, o)
				s.mu.Unlock()
			}()
		}
	}()
	r.load = s
	return s
}

// sendNoting is send, also telling whether the answer had Retry-After.
func sendNoting(c *http.Client, base string, q request, due time.Time) (outcome, bool) {
	o := outcome{source: q.source, id: q.id, dup: q.dup, ticket: q.ticket, sent: time.Now()}
	req, err := http.NewRequest(http.MethodPost, base+q.path, bytes.NewReader(q.body))
	if err != nil {
		return o, false
	}
	req.Header = q.header.Clone()
	resp, err := c.Do(req)
	o.latency = time.Since(due)
	if err != nil {
		return o, false
	}
	drainBody(resp)
	o.status = resp.StatusCode
	return o, resp.Header.Get("Retry-After") != ""
}

// stop ends the load and waits for every request's answer.
func (s *steady) stop() load {
	select {
	case <-s.quit:
	default:
		close(s.quit)
	}
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return load{outcomes: append([]outcome(nil), s.out...), elapsed: time.Since(s.started)}
}

// moreAcks waits until n more deliveries have been acknowledged: the load
// is flowing (again).
func (r *rig) moreAcks(n int64, what string) {
	r.t.Helper()
	want := r.load.acked.Load() + n
	r.waitFor(fmt.Sprintf("%d more acknowledged deliveries (%s)", n, what), 3*time.Minute,
		func() bool { return r.load.acked.Load() >= want })
}

// activeTasks is how many tasks workers hold now.
func (r *rig) activeTasks() int {
	insp := asynq.NewInspector(r.env.redis)
	defer insp.Close()
	ts, err := insp.ListActiveTasks(r.st.queue, asynq.PageSize(1000))
	if err != nil {
		return 0
	}
	return len(ts)
}

// settle stops the load, waits for the pipeline to drain and checks every
// promise; maxCardDups is how many duplicate Slack posts the faults may
// have caused (one per task in flight at a kill).
func (r *rig) settle(maxCardDups int) *FlowResult {
	r.t.Helper()
	end := time.Now()
	l := r.load.stop()
	t0 := time.Now()
	r.waitDrained(11*time.Minute, pickDur(15*time.Minute, 25*time.Minute))
	r.t.Logf("load ran %v; drained in %v", l.elapsed.Round(time.Second), time.Since(t0).Round(time.Second))
	res := &FlowResult{Answers: l.answers()}
	if err := r.st.check(r.ctx, l, r.load.started, end, 0, res); err != nil {
		r.t.Fatal(err)
	}
	res.HookPosts = r.env.fakes.hookPosts.Load()
	r.t.Logf("sent %d: %d acked, %d shed (429/503), %d other, %d unanswered; %d tickets (%d expected), %d cards/digest entries, %d Zapier posts",
		res.Answers.Sent, res.Answers.Acked, res.Answers.Shed, res.Answers.Other, res.Answers.NoAnswer,
		res.Tickets, res.Expected, res.Cards, res.HookPosts)
	if res.Answers.Acked == 0 {
		r.t.Fatal("no delivery was acknowledged: the test proved nothing")
	}
	if n := r.load.shedBare.Load(); n > 0 {
		r.t.Errorf("%d answers 429/503 came without Retry-After", n)
	}
	if res.Answers.Other > 0 {
		r.t.Errorf("%d answers were neither 2xx nor 429/503 (nor unanswered)", res.Answers.Other)
	}
	if res.Lost > 0 {
		r.t.Errorf("%d acknowledged deliveries are not in Postgres", res.Lost)
	}
	if res.Stranded > 0 {
		r.t.Errorf("%d deliveries still received after the drain", res.Stranded)
	}
	if res.Failed > 0 {
		r.t.Errorf("%d deliveries failed", res.Failed)
	}
	if res.Missing > 0 {
		r.t.Errorf("%d acknowledged deliveries that should open a ticket did not", res.Missing)
	}
	if res.Duplicate > 0 {
		r.t.Errorf("%d duplicate tickets", res.Duplicate)
	}
	if dups := r.cardDups(); dups > maxCardDups {
		r.t.Errorf("%d duplicate Slack cards, at most %d allowed (tasks in flight at kills)", dups, maxCardDups)
	}
	// Every ticket.created reached the Zapier hook at least once.
	if res.HookPosts < int64(res.Tickets) {
		r.t.Errorf("%d Zapier hook posts for %d tickets", res.HookPosts, res.Tickets)
	}
	r.checkCards()
	return res
}

// cardDups counts the cards posted more than once: top-level posts of the
// hub that name the same ticket (a card's text starts with its ref, as
// "T-1042: subject"). Digests, which list tickets that get their own card
// later, are not cards.
func (r *rig) cardDups() int {
	seen := map[string]int{}
	dups := 0
	for _, m := range r.env.fakes.slack.Messages(benchChannel) {
		if m.ThreadTS != "" || m.User != "" || digestText.MatchString(m.Text) {
			continue
		}
		ref, _, ok := strings.Cut(m.Text, ":")
		if !ok {
			r.t.Logf("a top-level post that is neither a card nor a digest: %.80q", m.Text)
			continue
		}
		if seen[ref]++; seen[ref] > 1 {
			dups++
			r.t.Logf("card of %s posted %d times", ref, seen[ref])
		}
	}
	return dups
}

var digestText = regexp.MustCompile(`^\d+ new tickets?$`)

// checkCards: every ticket has its card or a place in a digest; none is
// still waiting for one.
func (r *rig) checkCards() {
	r.t.Helper()
	conn, err := pgx.Connect(r.ctx, r.st.dbURL)
	if err != nil {
		r.t.Fatal(err)
	}
	defer conn.Close(r.ctx)
	var without int
	if err := conn.QueryRow(r.ctx, `select count(*) from tickets where slack_ts = '' or slack_digest = 'waiting'`).Scan(&without); err != nil {
		r.t.Fatal(err)
	}
	if without > 0 {
		r.t.Errorf("%d tickets have no Slack card or digest entry after the drain", without)
	}
}

// queueCounts counts the stage queue's tasks straight from asynq's keys.
// asynq's Inspector cannot be asked: after Redis lost its data it reports
// the queue as missing (its clients remember having registered the queue
// and do not register it again) while tasks are queued in it.
func (r *rig) queueCounts(rdb redis.UniversalClient) (busy int, detail string) {
	ctx := r.ctx
	k := "asynq:{" + r.st.queue + "}:"
	pending, err1 := rdb.LLen(ctx, k+"pending").Result()
	active, err2 := rdb.LLen(ctx, k+"active").Result()
	retry, err3 := rdb.ZCard(ctx, k+"retry").Result()
	scheduled, err4 := rdb.ZCard(ctx, k+"scheduled").Result()
	archived, _ := rdb.ZCard(ctx, k+"archived").Result()
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return -1, " (" + err.Error() + ")"
	}
	return int(pending + active + retry + scheduled), fmt.Sprintf(" (%d pending, %d active, %d retry, %d scheduled, %d archived)",
		pending, active, retry, scheduled, archived)
}

// waitDrained waits until nothing is left to do: no delivery received, no
// follow-up pending, no task queued, running, scheduled or retrying. It
// fails when nothing has moved for stall (stuck, not slow: a slow shared
// machine only takes longer; stall outlasts the longest retry backoff), or
// at the latest after limit.
func (r *rig) waitDrained(stall, limit time.Duration) {
	r.t.Helper()
	conn, err := pgx.Connect(r.ctx, r.st.dbURL)
	if err != nil {
		r.t.Fatal(err)
	}
	defer conn.Close(r.ctx)
	insp := asynq.NewInspector(r.env.redis)
	defer insp.Close()
	rdb := r.env.redis.MakeRedisClient().(redis.UniversalClient)
	defer rdb.Close()
	var last string
	var state string // the counts as last seen, to tell movement from none
	lastLog, lastProgress, least := time.Now(), time.Now(), -1
	deadline := time.Now().Add(limit)
	for {
		var received, pending int
		err := conn.QueryRow(r.ctx, `select (select count(*) from deliveries where status = 'received'),
			(select count(*) from outbox where done_at is null)`).Scan(&received, &pending)
		if err != nil {
			r.t.Fatal(err)
		}
		busy, detail := r.queueCounts(rdb)
		if received == 0 && pending == 0 && busy == 0 {
			// A task archived has used up its retries: a fault must not do
			// that, not even to a periodic scan (which has no retries: an
			// outage skips its run instead).
			if n, err := rdb.ZCard(r.ctx, "asynq:{"+r.st.queue+"}:archived").Result(); err != nil || n > 0 {
				r.t.Errorf("%d tasks archived (%v)", n, err)
				if ts, err := insp.ListArchivedTasks(r.st.queue, asynq.PageSize(50)); err == nil {
					for _, ti := range ts {
						r.t.Logf("archived %s %s after %d retries: %.300s", ti.Type, ti.ID, ti.Retried, ti.LastErr)
					}
				}
			}
			return
		}
		last = fmt.Sprintf("%d deliveries received, %d follow-ups pending, %d tasks busy%s", received, pending, busy, detail)
		if left := received + pending + busy; busy >= 0 && (least < 0 || left < least) {
			least, lastProgress = left, time.Now()
		}
		if busy >= 0 && state != "" && last != state {
			// Tasks moving between pending, active, retry and scheduled
			// are work going on too.
			lastProgress = time.Now()
		}
		if busy >= 0 {
			state = last
		}
		if time.Since(lastLog) > 10*time.Second {
			if received == 0 && pending == 0 {
				// Only tasks left: say which, to tell a slow recovery from a stuck one.
				if ts, err := insp.ListActiveTasks(r.st.queue); err == nil {
					for _, ti := range ts {
						last += fmt.Sprintf("; active %s %s", ti.Type, ti.ID)
					}
				}
			}
			r.t.Logf("draining: %s", last)
			lastLog = time.Now()
		}
		if time.Since(lastProgress) > stall {
			r.t.Fatalf("backlog stuck: no progress for %v: %s", stall, last)
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("backlog not drained after %v: %s", limit, last)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// One `hub web` and two `hub worker` processes on one database and queue:
// every delivery is processed exactly once, and both workers take part.
func TestChaosScaleOut(t *testing.T) {
	r := newRig(t, rigOpts{workers: 2})
	r.startLoad(20)
	// Both workers run tasks: each is seen holding one.
	insp := asynq.NewInspector(r.env.redis)
	defer insp.Close()
	seen := map[int]bool{}
	r.waitFor("both workers to run tasks", 3*time.Minute, func() bool {
		servers, err := insp.Servers()
		if err != nil {
			return false
		}
		for _, s := range servers {
			if len(s.ActiveWorkers) > 0 {
				seen[s.PID] = true
			}
		}
		return seen[r.workers[0].cmd.Process.Pid] && seen[r.workers[1].cmd.Process.Pid]
	})
	r.moreAcks(int64(pickDur(100, 1000)), "steady load")
	r.settle(0)
}

// kill -9 of a worker holding tasks, then of the web process, under load.
// The dead worker's tasks are taken over by the sweeper once their lease
// has expired; deliveries the dead web process acknowledged are in
// Postgres and processed.
func TestChaosKill(t *testing.T) {
	r := newRig(t, rigOpts{workers: 2})
	r.startLoad(20)
	r.moreAcks(60, "before the worker kill")

	inFlight := 0
	r.waitFor("a task in flight to kill the worker under", 3*time.Minute, func() bool {
		inFlight = r.activeTasks()
		return inFlight > 0
	})
	r.kill(r.workers[0])
	t.Logf("killed worker pid %d with up to %d tasks in flight", r.workers[0].cmd.Process.Pid, inFlight)
	r.workers[0] = r.start("worker") // the orchestrator starts a new one
	r.moreAcks(60, "after the worker kill")

	r.kill(r.web)
	t.Logf("killed web pid %d", r.web.cmd.Process.Pid)
	r.web = r.start("web")
	b := r.base()
	r.load.base.Store(&b)
	r.moreAcks(60, "after the web kill")
	if chaosLong() {
		for range 3 {
			r.waitFor("a task in flight", 3*time.Minute, func() bool { return r.activeTasks() > 0 })
			n := r.activeTasks()
			r.kill(r.workers[1])
			inFlight += n
			r.workers[1] = r.start("worker")
			r.moreAcks(200, "after another worker kill")
		}
	}
	r.settle(inFlight)
}

// Redis killed (everything queued lost), flushed, and hung, under load:
// the intake keeps acknowledging what it committed to Postgres, and the
// sweeper re-enqueues whatever lost its task.
func TestChaosRedis(t *testing.T) {
	red := faulttest.StartRedis(t)
	r := newRig(t, rigOpts{redisURL: red.URL()})
	r.startLoad(20)
	r.moreAcks(40, "before the faults")

	red.Kill()
	t.Log("redis killed")
	time.Sleep(pickDur(5*time.Second, 60*time.Second))
	red.Start()
	r.moreAcks(40, "after redis came back empty")

	red.Flush()
	t.Log("redis flushed")
	r.moreAcks(40, "after the flush")

	red.Freeze()
	t.Log("redis frozen")
	time.Sleep(pickDur(8*time.Second, 60*time.Second))
	red.Thaw()
	r.moreAcks(40, "after the thaw")
	r.settle(0)
}

// Postgres unreachable: refused, then hung (the proxy holds every byte),
// 30 s in all in the short form, 6 minutes refused in the long form. The
// intake answers 503 with Retry-After meanwhile; tasks wait without using
// up retries; everything acknowledged is processed once it is back; a card
// is posted twice at most once per task in flight when Postgres went away.
func TestChaosPostgres(t *testing.T) {
	proxy := faulttest.NewProxy(t, "localhost:5432")
	r := newRig(t, rigOpts{pgProxy: proxy})
	r.startLoad(20)
	r.moreAcks(40, "before the outage")

	// A task in flight when Postgres goes away may have posted its card
	// and be unable to record it: its retry posts again, as after a kill.
	inFlight := r.activeTasks()
	proxy.Refuse()
	t.Log("postgres refused")
	time.Sleep(pickDur(15*time.Second, 6*time.Minute))
	proxy.Restore()
	r.waitFor("tasks running again", 3*time.Minute, func() bool { return r.activeTasks() > 0 })
	inFlight += r.activeTasks()
	proxy.Hang()
	t.Log("postgres hung")
	time.Sleep(pickDur(15*time.Second, time.Minute))
	proxy.Restore()
	t.Log("postgres back")
	r.moreAcks(40, "after the outage")
	res := r.settle(inFlight)
	if res.Answers.Shed == 0 && res.Answers.NoAnswer == 0 {
		t.Errorf("no request was refused during the outage: the fault did not bite")
	}
}

// Every vendor (Shopify and WooCommerce APIs, Slack, the Zapier hook)
// answers 429 with Retry-After, then 500, for longer than a retry cycle
// (a minute each in the long form).
func TestChaosVendors(t *testing.T) {
	r := newRig(t, rigOpts{})
	r.startLoad(20)
	r.moreAcks(40, "before the vendors fail")
	for _, code := range []int32{429, 500} {
		r.env.fakes.fault.Store(code)
		t.Logf("vendors answer %d", code)
		time.Sleep(pickDur(15*time.Second, time.Minute))
		r.env.fakes.fault.Store(0)
		r.moreAcks(20, "after the vendors recovered")
	}
	r.settle(0)
}
