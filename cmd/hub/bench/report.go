package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
)

func cpus() int         { return runtime.NumCPU() }
func goVersion() string { return runtime.Version() }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeTable prints the run as one table: a section per phase.
func writeTable(w io.Writer, r Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k string, v string, args ...any) { fmt.Fprintf(tw, "  %s\t"+v+"\n", append([]any{k}, args...)...) }
	fmt.Fprintf(tw, "hub bench: %d CPUs, %s; %s\n", r.Machine.CPUs, r.Machine.Go, r.Machine.Config)
	if i := r.Intake; i != nil {
		fmt.Fprintf(tw, "\nintake (hub web alone, signed Shopify orders/updated, %d senders, %.0fs each)\n", i.Concurrency, i.Seconds)
		row("hub", "%.0f req/s\tack %s", i.HubRate, pct(i.HubAck))
		row("ceiling (verify + enqueue)", "%.0f req/s\tack %s", i.CeilingRate, pct(i.CeilingAck))
		row("ratio to the ceiling", "%.2f ×", i.Ratio)
		row("at half the hub's rate", "%.0f req/s\tack %s", i.HalfRate, pct(i.HalfAck))
		row("answers", "%s", answers(i.Answers))
		row("acked and recorded / lost", "%d / %d", i.Recorded, i.Lost)
	}
	flow := func(title string, f *FlowResult) {
		fmt.Fprintf(tw, "\n%s (%s, %.0f req/s for %.0fs)\n", title, f.Processes, f.Rate, f.Seconds)
		row("answers", "%s\tack %s", answers(f.Answers), pct(f.Ack))
		if f.ShedAnswer.N > 0 {
			row("refused answers", "%d\tanswered in %s", f.ShedAnswer.N, pct(f.ShedAnswer))
		}
		row("tickets expected / made", "%d / %d\tmissing %d, duplicate %d", f.Expected, f.Tickets, f.Missing, f.Duplicate)
		row("tickets per second (during the load)", "%.0f", f.TicketRate)
		row("webhook → ticket", "%s", pct(f.ToTicket))
		row("tickets with an order linked", "%d", f.Enriched)
		row("cards posted / duplicate", "%d / %d\twebhook → card %s", f.Cards, f.CardDups, pct(f.ToCard))
		if f.Digests > 0 {
			row("tickets in digests", "%d in %d digest posts", f.InDigest, f.Digests)
		}
		row("Zapier hook posts", "%d", f.HookPosts)
		if f.QueriesPerTicket > 0 {
			row("Postgres statements per ticket", "%.1f", f.QueriesPerTicket)
		}
		row("deliveries lost / stranded / failed", "%d / %d / %d", f.Lost, f.Stranded, f.Failed)
		row("queue depth each second", "%s", depthLine(f.Depth))
		row("drained after the load in", "%.1fs", f.DrainSecs)
		row("peak RSS of a hub process", "%.0f MiB", f.PeakRSS)
	}
	if r.E2E != nil {
		flow("end to end", r.E2E)
	}
	if r.Cards != nil {
		flow("cards within Slack's pace (one new ticket a second, one channel)", r.Cards)
	}
	if o := r.Overload; o != nil {
		flow("overload", o.Flow)
	}
	tw.Flush()
}

func pct(p Percentiles) string {
	if p.N == 0 {
		return "-"
	}
	return fmt.Sprintf("p50 %s p90 %s p99 %s max %s", ms(p.P50), ms(p.P90), ms(p.P99), ms(p.Max))
}

func ms(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.2fs", v/1000)
	}
	return fmt.Sprintf("%.1fms", v)
}

func answers(a Answers) string {
	return fmt.Sprintf("%d sent: %d 2xx, %d shed (429/503), %d other, %d no answer", a.Sent, a.Acked, a.Shed, a.Other, a.NoAnswer)
}

func depthLine(d []int) string {
	if len(d) == 0 {
		return "-"
	}
	parts := make([]string, 0, len(d))
	step := max(1, len(d)/20)
	for i := 0; i < len(d); i += step {
		parts = append(parts, fmt.Sprint(d[i]))
	}
	return strings.Join(parts, " ")
}
