// Package report renders the summary report (the API's JSON shape,
// tickets/api.Report) for people at a terminal: `hub report` prints it as
// plain-text tables.
package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"hub/tickets/api"
)

// WriteText writes r as tables, one section after another.
func WriteText(w io.Writer, r api.Report) error {
	p := &printer{w: w}
	p.line("Report for tickets created %s (UTC)", period(r.From, r.To))
	p.line("")

	p.line("VOLUME: %d %s", r.Created, plural(r.Created, "ticket"))
	p.table("STATUS\tTICKETS", pairs(
		[]string{"open", "pending", "resolved", "closed"}, r.ByStatus))
	p.table("PRIORITY\tTICKETS", pairs(
		[]string{"urgent", "high", "medium", "low"}, r.ByPriority))
	p.table("SOURCE\tTICKETS", pairs(sortedKeys(r.BySource), r.BySource))
	p.table("TAG\tTICKETS", keyRows(r.ByTag, "(none)"))
	p.table("STORE\tTICKETS", keyRows(r.ByStore, "(no store)"))
	p.table("TEAM\tTICKETS", keyRows(r.ByTeam, "(no team)"))
	var days [][]string
	for _, d := range r.ByDay {
		days = append(days, []string{d.Day, fmt.Sprint(d.Count)})
	}
	p.table("DAY\tTICKETS", days)

	p.line("TIMES AND SLA (median / p90; SLA: met of decided)")
	const head = "\tTICKETS\tFIRST RESPONSE\tRESOLUTION\tFIRST-RESPONSE SLA\tRESOLUTION SLA"
	rows := [][]string{groupRow("all", r.Created, r.FirstResponse, r.Resolution, r.SLA)}
	for _, g := range r.Priorities {
		rows = append(rows, groupRow(g.Priority, g.Tickets, g.FirstResponse, g.Resolution, g.SLA))
	}
	p.table("PRIORITY"+head, rows)
	rows = nil
	for _, g := range r.Agents {
		name := "(unassigned)"
		if g.Agent != nil {
			name = *g.Agent
		}
		rows = append(rows, groupRow(name, g.Tickets, g.FirstResponse, g.Resolution, g.SLA))
	}
	p.table("AGENT"+head, rows)

	b := r.Backlog
	p.line("BACKLOG at %s: %d open, %d pending", b.At.UTC().Format("2006-01-02 15:04"), b.Open, b.Pending)
	rows = nil
	for _, a := range b.ByAge {
		rows = append(rows, []string{a.Age, fmt.Sprint(a.Count)})
	}
	p.table("AGE\tTICKETS", rows)

	c := r.CSAT
	p.line("SATISFACTION: %d %s sent, %d answered (%s), average %s", c.Sent, plural(c.Sent, "survey"), c.Answered,
		percent(c.ResponseRate), average(c.Average))
	rows = nil
	for i := 5; i >= 1; i-- {
		n := c.ByRating[fmt.Sprint(i)]
		rows = append(rows, []string{fmt.Sprint(i), fmt.Sprint(n)})
	}
	p.table("RATING\tANSWERS", rows)

	p.line("MOST TICKETS")
	rows = nil
	for _, x := range r.TopCustomers {
		rows = append(rows, []string{x.Email, x.Name, fmt.Sprint(x.Tickets)})
	}
	p.table("CUSTOMER\tNAME\tTICKETS", rows)
	rows = nil
	for _, x := range r.TopOrders {
		num := x.OrderNumber
		if num == "" {
			num = x.OrderID
		}
		rows = append(rows, []string{num, x.Store, fmt.Sprint(x.Tickets)})
	}
	p.table("ORDER\tSTORE\tTICKETS", rows)
	return p.err
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) line(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
	}
}

// table writes a header and rows, or "(none)" under the header's first
// word when there are no rows, then a blank line.
func (p *printer) table(head string, rows [][]string) {
	if p.err != nil {
		return
	}
	tw := tabwriter.NewWriter(p.w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  "+head)
	if len(rows) == 0 {
		fmt.Fprintln(tw, "  (none)")
	}
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = clean(c)
		}
		fmt.Fprintln(tw, "  "+strings.Join(cells, "\t"))
	}
	if p.err = tw.Flush(); p.err == nil {
		_, p.err = fmt.Fprintln(p.w)
	}
}

// clean keeps a cell on one line in its column: names and tags come from
// customers and stores.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 60 {
		s = string(r[:59]) + "…"
	}
	return s
}

func groupRow(name string, n int, fr, res api.ReportDurations, sla map[string]api.Attainment) []string {
	return []string{name, fmt.Sprint(n), durations(fr), durations(res), attainment(sla["first_response"]), attainment(sla["resolution"])}
}

func pairs(keys []string, m map[string]int) [][]string {
	var rows [][]string
	for _, k := range keys {
		rows = append(rows, []string{k, fmt.Sprint(m[k])})
	}
	return rows
}

func keyRows(l []api.KeyCount, empty string) [][]string {
	var rows [][]string
	for _, c := range l {
		k := c.Key
		if k == "" {
			k = empty
		}
		rows = append(rows, []string{k, fmt.Sprint(c.Count)})
	}
	return rows
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Largest first, then by name.
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(m[b], m[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return keys
}

func durations(d api.ReportDurations) string {
	if d.Count == 0 {
		return "-"
	}
	return human(d.MedianSeconds) + " / " + human(d.P90Seconds)
}

// human shows a duration in its two largest units: 45s, 1h59m, 2d3h.
func human(sec int64) string {
	d := time.Duration(sec) * time.Second
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", sec)
	case d < time.Hour:
		return fmt.Sprintf("%dm", int64(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int64(d/time.Hour), int64(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd%02dh", int64(d/(24*time.Hour)), int64(d%(24*time.Hour)/time.Hour))
}

func attainment(a api.Attainment) string {
	if a.Attainment == nil {
		return "- (none decided)"
	}
	return fmt.Sprintf("%s (%d/%d)", percent(a.Attainment), a.Met, a.Met+a.Breached)
}

func percent(f *float64) string {
	if f == nil {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", *f*100)
}

func average(f *float64) string {
	if f == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f / 5", *f)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// period shows [from, to) as people say it: whole days as "from A to B"
// inclusive, else the exact times.
func period(from, to time.Time) string {
	from, to = from.UTC(), to.UTC()
	midnight := func(t time.Time) bool { return t.Equal(t.Truncate(24 * time.Hour)) }
	if midnight(from) && midnight(to) {
		last := to.AddDate(0, 0, -1)
		if last.Equal(from) {
			return "on " + from.Format("2006-01-02")
		}
		return "from " + from.Format("2006-01-02") + " to " + last.Format("2006-01-02")
	}
	return "from " + from.Format("2006-01-02 15:04") + " to before " + to.Format("2006-01-02 15:04")
}
