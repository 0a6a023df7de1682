package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"time"

	"hub/tickets"
	"hub/tickets/api"
	"hub/tickets/report"
)

const reportDoc = `The summary report for the tickets created in a period: volume, first-response
and resolution times, SLA attainment, backlog, satisfaction, and the customers
and orders with the most tickets. D is a date (2026-11-01, a whole UTC day:
--from and --to on the same date mean that day) or an RFC 3339 time; --to
defaults to now and --from to 30 days before --to. --json prints what
GET /api/v1/reports/summary answers.`

// runReport prints the summary report: hub report [--from --to] [--json].
func runReport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	const synopsis = "report [--from D] [--to D] [--json]"
	fs := flag.NewFlagSet("hub "+synopsis, flag.ContinueOnError)
	from := fs.String("from", "", "start of the period: a date or an RFC 3339 time")
	to := fs.String("to", "", "end of the period (a date includes that day)")
	asJSON := fs.Bool("json", false, "print the API's JSON instead of tables")
	if err := parseFlags(fs, args, stdout, synopsis, reportDoc); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"report takes no arguments"}
	}
	f, t, err := api.ReportPeriod(*from, *to, time.Now())
	if err != nil {
		return usageError{tickets.ErrorMessage(err)}
	}

	app, err := openApp(ctx, getenv, stderr, false)
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
