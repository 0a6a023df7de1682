package main

import (
	"context"
	"flag"
	"io"
	"os"
	"strings"
	"time"

	"hub/cmd/hub/bench"
)

// runBench is `hub bench`: the load test and its checks (package bench).
func runBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	phases := fs.String("phases", "intake,e2e,cards,overload", "phases to run, in order: intake, e2e, cards, overload")
	duration := fs.Duration("duration", 20*time.Second, "length of each measured load")
	conc := fs.Int("concurrency", 32, "concurrent senders in the intake phase")
	rate := fs.Float64("rate", 1500, "requests per second in the e2e phase")
	overload := fs.Float64("overload", 2, "the overload phase's rate as a multiple of --rate")
	mixFlag := fs.String("mix", "zapier=40,shopify=30,woocommerce=20,slack=10", "share of each source in e2e and overload traffic")
	dup := fs.Float64("dup", 0.05, "share of requests that repeat an earlier delivery")
	latency := fs.Duration("latency", 20*time.Millisecond, "latency of every fake vendor API")
	errRate := fs.Float64("error-rate", 0, "share of vendor API calls answered 500")
	workers := fs.Int("workers", 0, "hub worker processes beside one hub web (0: one hub serve)")
	drain := fs.Duration("drain", 3*time.Minute, "how long to wait for the pipeline to finish after each load")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	profile := fs.String("profile", "", "directory for a CPU profile of the hub during each flow's load")
	verbose := fs.Bool("v", false, "show progress and the hub processes' logs")
	var env multiFlag
	fs.Var(&env, "env", "NAME=VALUE for every hub process (repeatable), e.g. HUB_WORKER_CONCURRENCY=50")
	if err := parseFlags(fs, args, stdout, "bench [flags]",
		"Drives a hub of its own (child processes, a fresh database and queue, fake vendors)\nand checks what it made of the load. See README.md, \"Performance and reliability\"."); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"bench takes no arguments"}
	}
	mix, err := bench.ParseMix(*mixFlag)
	if err != nil {
		return usageError{err.Error()}
	}
	if *rate <= 0 || *conc <= 0 || *duration <= 0 || *dup < 0 || *dup >= 1 || *errRate < 0 || *errRate > 1 {
		return usageError{"--rate, --concurrency and --duration must be positive; --dup and --error-rate between 0 and 1"}
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	logw := io.Discard
	if *verbose {
		logw = stderr
	}
	_, err = bench.Run(ctx, bench.Config{
		Exe: exe, DatabaseURL: cfg.DatabaseURL, RedisURL: cfg.RedisURL,
		Phases: strings.Split(*phases, ","), Duration: *duration, Concurrency: *conc,
		Rate: *rate, Overload: *overload, Mix: mix, Dup: *dup, Latency: *latency, ErrorRate: *errRate,
		Workers: *workers, Env: env, Drain: *drain, ProfileDir: *profile, Out: stdout, Log: logw, JSON: *asJSON,
	})
	return err
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
