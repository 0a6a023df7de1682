// Package bench drives a real hub as hard as the machine allows and
// checks what it promised: `hub bench`. It starts the hub as child
// processes on a database and queue of its own, with fakes of every
// vendor's API (latency and errors configurable), sends correctly signed
// Shopify, WooCommerce, Slack and Zapier deliveries at a fixed rate or as
// fast as the hub takes them, measures in the same run the ceiling of a
// bare handler that only verifies and enqueues, and then counts through
// the database and the fakes what was acknowledged, recorded, made into
// tickets and cards, lost or duplicated.
//
// Phases:
//   - intake: `hub web` alone, closed loop, signed Shopify orders/updated;
//     the ceiling's rate in the same run; then acknowledgement latency at
//     half the hub's rate.
//   - e2e: `hub serve` (web and workers) at a fixed rate with the mix;
//     webhook → ticket → enrichment → Slack card, queue depth over time.
//   - cards: one new ticket a second into one channel, within Slack's
//     pace: how soon each ticket's card appears.
//   - overload: `hub serve` at a multiple of the sustainable rate: how
//     fast excess requests are refused, and the hub's peak memory.
package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is one bench run.
type Config struct {
	// Exe is the hub binary the children run (os.Executable()).
	Exe string
	// DatabaseURL names the server (and base name) of the bench database,
	// which is created fresh and dropped at the end; RedisURL the Redis.
	DatabaseURL, RedisURL string
	// Phases to run, in order: intake, e2e, overload.
	Phases []string
	// Duration of each measured load.
	Duration time.Duration
	// Concurrency of the closed-loop senders (intake).
	Concurrency int
	// Rate of the e2e phase in requests per second.
	Rate float64
	// Overload is the overload phase's rate as a multiple of Rate.
	Overload float64
	// Mix is the share of each source in e2e and overload traffic.
	Mix map[string]int
	// Dup is the share of requests that repeat an earlier delivery.
	Dup float64
	// Latency and ErrorRate of every fake vendor API.
	Latency   time.Duration
	ErrorRate float64
	// Workers is the number of `hub worker` processes beside one `hub web`
	// in e2e and overload (0: one `hub serve`).
	Workers int
	// Env is passed to every child on top of what the bench sets
	// (HUB_WORKER_CONCURRENCY, DATABASE_URL pool settings, ...).
	Env []string
	// Drain bounds the wait for the pipeline to finish after the load.
	Drain time.Duration
	// ProfileDir, when set, receives a CPU profile of the hub during each
	// flow's load (hub-<phase>.pprof).
	ProfileDir string
	Out        io.Writer
	Log        io.Writer // children's logs and progress; io.Discard for none
	JSON       bool
}

// Sources in a mix.
const (
	Shopify     = "shopify"
	WooCommerce = "woocommerce"
	Slack       = "slack"
	Zapier      = "zapier"
)

// ParseMix reads "zapier=40,shopify=30,woocommerce=20,slack=10".
func ParseMix(s string) (map[string]int, error) {
	mix := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(v)
		switch {
		case !ok || err != nil || n < 0:
			return nil, fmt.Errorf("mix: %q is not source=weight", part)
		case k != Shopify && k != WooCommerce && k != Slack && k != Zapier:
			return nil, fmt.Errorf("mix: unknown source %q", k)
		}
		mix[k] = n
	}
	total := 0
	for _, n := range mix {
		total += n
	}
	if total == 0 {
		return nil, fmt.Errorf("mix: weights add up to 0")
	}
	return mix, nil
}

// Result is everything a run measured, for the table and --json.
type Result struct {
	Machine  Machine         `json:"machine"`
	Intake   *IntakeResult   `json:"intake,omitempty"`
	E2E      *FlowResult     `json:"e2e,omitempty"`
	Cards    *FlowResult     `json:"cards,omitempty"`
	Overload *OverloadResult `json:"overload,omitempty"`
}

// Machine describes where the run happened.
type Machine struct {
	CPUs   int    `json:"cpus"`
	Go     string `json:"go"`
	Config string `json:"config"`
}

// Run runs the phases and prints the result.
func Run(ctx context.Context, cfg Config) (Result, error) {
	res := Result{Machine: machine(cfg)}
	e, err := newEnv(ctx, cfg)
	if err != nil {
		return res, err
	}
	defer e.close()
	for _, phase := range cfg.Phases {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		var err error
		switch phase {
		case "intake":
			res.Intake, err = runIntake(ctx, e)
		case "e2e":
			res.E2E, err = runFlow(ctx, e, cfg.Rate, "e2e")
		case "cards":
			res.Cards, err = runCards(ctx, e)
		case "overload":
			res.Overload, err = runOverload(ctx, e)
		default:
			err = fmt.Errorf("unknown phase %q (want intake, e2e, cards, overload)", phase)
		}
		if err != nil {
			return res, fmt.Errorf("%s: %w", phase, err)
		}
	}
	if cfg.JSON {
		return res, writeJSON(cfg.Out, res)
	}
	writeTable(cfg.Out, res)
	return res, nil
}

// percentiles of a sample of durations.
type Percentiles struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P90 float64 `json:"p90_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

func percentiles(d []time.Duration) Percentiles {
	if len(d) == 0 {
		return Percentiles{}
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	at := func(q float64) float64 {
		i := int(q * float64(len(s)-1))
		return float64(s[i].Microseconds()) / 1000
	}
	return Percentiles{N: len(s), P50: at(0.5), P90: at(0.9), P99: at(0.99), Max: at(1)}
}

// pick chooses a source by weight.
func pick(mix map[string]int, r *rand.Rand) string {
	total := 0
	for _, k := range sources {
		total += mix[k]
	}
	n := r.IntN(total)
	for _, k := range sources {
		if n < mix[k] {
			return k
		}
		n -= mix[k]
	}
	return Zapier
}

var sources = []string{Zapier, Shopify, WooCommerce, Slack}
