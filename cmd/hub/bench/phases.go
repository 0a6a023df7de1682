package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"sort"
	"sync"
	"time"

	"github.com/hibiken/asynq"
)

var execCommand = exec.Command

// IntakeResult is the intake phase: the hub's web role against the bare
// handler, both as fast as they go, then the hub at half its rate.
type IntakeResult struct {
	Concurrency int         `json:"concurrency"`
	Seconds     float64     `json:"seconds"`
	HubRate     float64     `json:"hub_rps"`
	CeilingRate float64     `json:"ceiling_rps"`
	Ratio       float64     `json:"ratio"`
	HubAck      Percentiles `json:"hub_ack"`
	CeilingAck  Percentiles `json:"ceiling_ack"`
	HalfRate    float64     `json:"half_rate_rps"`
	HalfAck     Percentiles `json:"half_rate_ack"`
	Answers     Answers     `json:"answers"`
	// Acked deliveries not found in Postgres afterwards: must be 0.
	Lost     int `json:"lost"`
	Recorded int `json:"recorded"`
}

func runIntake(ctx context.Context, e *env) (*IntakeResult, error) {
	s, err := e.newStage(ctx, "intake")
	if err != nil {
		return nil, err
	}
	defer s.close()
	web, err := s.start(ctx, "web")
	if err != nil {
		return nil, err
	}
	ceiling, err := s.startCeiling(ctx)
	if err != nil {
		return nil, err
	}
	cfg := e.cfg
	mix := map[string]int{Shopify: 1}
	tr := newTraffic(mix, 0, s.apiKey, e.fakes.wooURL, "orders/updated")
	hubBase, ceilBase := "http://"+web.addr, "http://"+ceiling.addr

	e.logf("intake: warming up")
	warm := min(3*time.Second, cfg.Duration/4)
	hubWarm := closedLoop(ctx, hubBase, tr, cfg.Concurrency, warm)
	closedLoop(ctx, ceilBase, tr, cfg.Concurrency, warm)
	e.logf("intake: hub web, %d senders, %v", cfg.Concurrency, cfg.Duration)
	stopProfile := s.profile(ctx, web, "intake", cfg.Duration)
	hub := closedLoop(ctx, hubBase, tr, cfg.Concurrency, cfg.Duration)
	stopProfile()
	e.logf("intake: ceiling (verify + enqueue), %d senders, %v", cfg.Concurrency, cfg.Duration)
	ceil := closedLoop(ctx, ceilBase, tr, cfg.Concurrency, cfg.Duration)
	ceiling.stop()

	res := &IntakeResult{Concurrency: cfg.Concurrency, Seconds: cfg.Duration.Seconds()}
	hubOK := len(hub.latencies(is2xx))
	res.HubRate = float64(hubOK) / hub.elapsed.Seconds()
	res.CeilingRate = float64(len(ceil.latencies(is2xx))) / ceil.elapsed.Seconds()
	if res.CeilingRate > 0 {
		res.Ratio = res.HubRate / res.CeilingRate
	}
	res.HubAck = percentiles(hub.latencies(is2xx))
	res.CeilingAck = percentiles(ceil.latencies(is2xx))

	res.HalfRate = res.HubRate / 2
	if res.HalfRate > 1 {
		e.logf("intake: hub web at half its rate, %.0f/s", res.HalfRate)
		half := openLoop(ctx, hubBase, tr, res.HalfRate, cfg.Duration, 4096)
		res.HalfAck = percentiles(half.latencies(is2xx))
		hub.outcomes = append(hub.outcomes, half.outcomes...)
	}
	hub.outcomes = append(hub.outcomes, hubWarm.outcomes...)
	res.Answers = hub.answers()
	rec, err := s.recorded(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range hub.outcomes {
		if is2xx(o.status) && !o.dup {
			res.Recorded++
			if !rec[o.source][o.id] {
				res.Lost++
				res.Recorded--
			}
		}
	}
	return res, nil
}

// FlowResult is an end-to-end phase: deliveries at a fixed rate through
// the whole pipeline.
type FlowResult struct {
	Rate      float64 `json:"rate_rps"`
	Seconds   float64 `json:"seconds"`
	Processes string  `json:"processes"`
	Answers   Answers `json:"answers"`
	Ack       Percentiles
	// ShedAnswer is how long a refused request (429/503) waited for its
	// answer: shedding must be fast to be worth anything.
	ShedAnswer Percentiles `json:"shed_answer"`
	// Tickets the acknowledged deliveries should open, and what happened.
	Expected   int     `json:"tickets_expected"`
	Tickets    int     `json:"tickets"`
	Missing    int     `json:"tickets_missing"`
	Duplicate  int     `json:"tickets_duplicate"`
	Lost       int     `json:"deliveries_lost"`
	Stranded   int     `json:"deliveries_stranded"`
	Failed     int     `json:"deliveries_failed"`
	TicketRate float64 `json:"tickets_per_second"` // created while the load ran
	ToTicket   Percentiles
	Enriched   int `json:"tickets_with_order"`
	Cards      int `json:"cards"`
	CardDups   int `json:"cards_duplicate"`
	Digests    int `json:"digests"`           // digest posts, in a channel busier than Slack's pace
	InDigest   int `json:"tickets_in_digest"` // tickets listed in one instead of a card of their own
	ToCard     Percentiles
	HookPosts  int64 `json:"zapier_posts"`
	// QueriesPerTicket is statements the hub sent to Postgres during the
	// load and the drain, per ticket made (hub serve only: a worker process
	// serves no metrics).
	QueriesPerTicket float64 `json:"queries_per_ticket"`
	Depth            []int   `json:"queue_depth"` // sampled every second during the load
	DrainSecs        float64 `json:"drain_seconds"`
	PeakRSS          float64 `json:"peak_rss_mib"`
}

func runFlow(ctx context.Context, e *env, rate float64, name string) (*FlowResult, error) {
	return runFlowMix(ctx, e, rate, name, e.cfg.Mix, e.cfg.Duration)
}

// runCards is new tickets into one channel at a pace Slack allows (one a
// second): how soon each card appears.
func runCards(ctx context.Context, e *env) (*FlowResult, error) {
	return runFlowMix(ctx, e, 1, "cards", map[string]int{Zapier: 1}, max(e.cfg.Duration, 20*time.Second))
}

func runFlowMix(ctx context.Context, e *env, rate float64, name string, mix map[string]int, d time.Duration) (*FlowResult, error) {
	s, err := e.newStage(ctx, name)
	if err != nil {
		return nil, err
	}
	defer s.close()
	web, procs, err := s.startHub(ctx)
	if err != nil {
		return nil, err
	}
	base := "http://" + web.addr
	if err := s.subscribeHook(ctx, base); err != nil {
		return nil, err
	}
	cfg := e.cfg
	tr := newTraffic(mix, cfg.Dup, s.apiKey, e.fakes.wooURL, "orders/cancelled")
	posts0 := e.fakes.hookPosts.Load()
	cards0 := len(e.fakes.slack.Messages(benchChannel))

	e.logf("%s: %.0f requests/s for %v (%s)", name, rate, d, procs)
	queries0 := metric(base, "hub_db_queries_total")
	depth := s.sampleDepth(ctx)
	stopProfile := s.profile(ctx, web, name, d)
	start := time.Now()
	l := openLoop(ctx, base, tr, rate, d, 4096)
	stopProfile()
	end := time.Now()
	series := depth()
	e.logf("%s: load done (%d sent); draining", name, len(l.outcomes))
	drain, err := s.drain(ctx, cfg.Drain)
	if err != nil {
		return nil, err
	}
	res := &FlowResult{Rate: rate, Seconds: d.Seconds(), Processes: procs, Answers: l.answers(),
		Ack: percentiles(l.latencies(is2xx)), ShedAnswer: percentiles(l.latencies(isShed)), Depth: series, DrainSecs: drain.Seconds()}
	_, res.PeakRSS = web.memory()
	for _, c := range s.children {
		if _, p := c.memory(); p > res.PeakRSS {
			res.PeakRSS = p
		}
	}
	if err := s.check(ctx, l, start, end, cards0, res); err != nil {
		return nil, err
	}
	if q := metric(base, "hub_db_queries_total") - queries0; q > 0 && res.Tickets > 0 && e.cfg.Workers == 0 {
		res.QueriesPerTicket = q / float64(res.Tickets)
	}
	res.HookPosts = e.fakes.hookPosts.Load() - posts0
	return res, nil
}

// OverloadResult is the hub driven past what it can take.
type OverloadResult struct {
	Rate    float64     `json:"rate_rps"`
	Answers Answers     `json:"answers"`
	Ack     Percentiles `json:"ack"`
	Shed    Percentiles `json:"shed"`
	PeakRSS float64     `json:"peak_rss_mib"`
	Flow    *FlowResult `json:"flow"`
}

func runOverload(ctx context.Context, e *env) (*OverloadResult, error) {
	rate := e.cfg.Rate * e.cfg.Overload
	f, err := runFlow(ctx, e, rate, "overload")
	if err != nil {
		return nil, err
	}
	return &OverloadResult{Rate: rate, Answers: f.Answers, Ack: f.Ack, Shed: f.ShedAnswer, PeakRSS: f.PeakRSS, Flow: f}, nil
}

// startHub starts the processes of a flow: one `hub serve`, or one `hub
// web` and Workers `hub worker`.
func (s *stage) startHub(ctx context.Context) (web *child, procs string, err error) {
	n := s.env.cfg.Workers
	if n == 0 {
		web, err = s.start(ctx, "serve")
		return web, "1 serve", err
	}
	if web, err = s.start(ctx, "web"); err != nil {
		return nil, "", err
	}
	for range n {
		if _, err := s.start(ctx, "worker"); err != nil {
			return nil, "", err
		}
	}
	return web, fmt.Sprintf("1 web + %d worker", n), nil
}

// subscribeHook makes the hub deliver ticket.created to the fake Zapier
// hook, as a Zap would.
func (s *stage) subscribeHook(ctx context.Context, base string) error {
	body := fmt.Sprintf(`{"target_url":%q,"event":"ticket.created"}`, s.env.fakes.hooksURL+"/hooks/bench")
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/hooks", bytes.NewReader([]byte(body)))
	req.Header.Set("Authorization", "Bearer "+s.apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	drainBody(resp)
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return fmt.Errorf("subscribe the Zapier hook: %s", resp.Status)
	}
	return nil
}

// sampleDepth samples the stage queue's depth (tasks waiting, running,
// scheduled or retrying) every second until the returned func is called,
// which returns the samples.
func (s *stage) sampleDepth(ctx context.Context) func() []int {
	insp := asynq.NewInspector(s.env.redis)
	var mu sync.Mutex
	var out []int
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if q, err := insp.GetQueueInfo(s.queue); err == nil {
					mu.Lock()
					out = append(out, q.Pending+q.Active+q.Scheduled+q.Retry)
					mu.Unlock()
				}
			}
		}
	}()
	return func() []int {
		close(stop)
		<-done
		insp.Close()
		mu.Lock()
		defer mu.Unlock()
		return out
	}
}

func machine(cfg Config) Machine {
	return Machine{CPUs: cpus(), Go: goVersion(), Config: fmt.Sprintf("mix %v, dup %.0f%%, vendor latency %v, errors %.1f%%",
		sortedMix(cfg.Mix), cfg.Dup*100, cfg.Latency, cfg.ErrorRate*100)}
}

func sortedMix(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := ""
	for _, k := range keys {
		if out != "" {
			out += ","
		}
		out += fmt.Sprintf("%s=%d", k, m[k])
	}
	return out
}
