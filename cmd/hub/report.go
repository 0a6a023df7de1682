package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"hub/tickets"
	"hub/tickets/api"
	"hub/tickets/report"
)

const reportUsage = `Usage: hub report [--from D] [--to D] [--json]

The summary report for the tickets created in a period: volume, first-response
and resolution times, SLA attainment, backlog, satisfaction, and the customers
and orders with the most tickets. D is a date (2026-11-01, a whole UTC day:
--from and --to on the same date mean that day) or an RFC 3339 time; --to
defaults to now and --from to 30 days before --to. --json prints what
GET /api/v1/reports/summary answers.

Flags:
`

// runReport prints the summary report: hub report [--from --to] [--json].
func runReport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, reportUsage)
		fs.PrintDefaults()
	}
	from := fs.String("from", "", "start of the period: a date or an RFC 3339 time")
	to := fs.String("to", "", "end of the period (a date includes that day)")
	asJSON := fs.Bool("json", false, "print the API's JSON instead of tables")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{"report takes no arguments"}
	}
	f, t, err := api.ReportPeriod(*from, *to, time.Now())
	if err != nil {
		return usageError{tickets.ErrorMessage(err)}
	}

	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	app, err := Open(ctx, cfg, newLogger(stderr, cfg.LogLevel))
	if err != nil {
		return err
	}
	defer app.Close()
	sum, err := app.store.Summary(ctx, f, t)
	if err != nil {
		return err
	}
	r := api.ReportJSON(sum)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return report.WriteText(stdout, r)
}
