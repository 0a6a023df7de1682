package web

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"hub/tickets"
)

type reportsView struct {
	From, To  time.Time // To is exclusive; the form shows the day before
	Sum       tickets.Summary
	Volume    template.HTML
	Responses template.HTML
	SLA       template.HTML
	CSAT      template.HTML
	Error     string
}

func (reportsView) PageTitle() string { return "Reports" }

// responseLabels name ResponseBuckets' bars (postgres.ResponseBuckets:
// 1h, 4h, 8h, 24h, 72h and slower).
var responseLabels = []string{"< 1h", "1–4h", "4–8h", "8–24h", "1–3d", "> 3d"}

// reportRange reads from and to (dates, to inclusive) with the last 30
// days as the default.
func (s *Server) reportRange(r *http.Request) (from, to time.Time, err error) {
	today := s.now().UTC().Truncate(24 * time.Hour)
	to, from = today.AddDate(0, 0, 1), today.AddDate(0, 0, -29)
	q := r.URL.Query()
	if v := q.Get("from"); v != "" {
		if from, err = time.Parse("2006-01-02", v); err != nil {
			return from, to, tickets.Invalid("from", "from must be a date like 2026-01-31")
		}
	}
	if v := q.Get("to"); v != "" {
		d, err := time.Parse("2006-01-02", v)
		if err != nil {
			return from, to, tickets.Invalid("to", "to must be a date like 2026-01-31")
		}
		to = d.AddDate(0, 0, 1)
	}
	if !from.Before(to) {
		return from, to, tickets.Invalid("from", "from must be on or before to")
	}
	if to.Sub(from) > 366*24*time.Hour {
		return from, to, tickets.Invalid("from", "a report covers at most a year")
	}
	return from, to, nil
}

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	from, to, err := s.reportRange(r)
	v := reportsView{From: from, To: to}
	if err != nil {
		v.Error = tickets.ErrorMessage(err)
		return s.renderStatus(w, r, http.StatusBadRequest, "reports", v)
	}
	if v.Sum, err = s.store.Summary(ctx, from, to); err != nil {
		return err
	}
	var vol []bar
	for _, d := range v.Sum.ByDay {
		label := d.Key
		if day, err := time.Parse("2006-01-02", d.Key); err == nil {
			label = day.Format("2 Jan")
		}
		vol = append(vol, bar{Label: label, Value: float64(d.N), Text: strconv.Itoa(d.N)})
	}
	v.Volume = barChart("Tickets created per day", 1000, vol, 0)
	hist, err := s.store.FirstResponseHistogram(ctx, from, to)
	if err != nil {
		return err
	}
	var resp []bar
	for i, n := range hist {
		if i < len(responseLabels) {
			resp = append(resp, bar{Label: responseLabels[i], Value: float64(n), Text: strconv.Itoa(n)})
		}
	}
	v.Responses = barChart("First response time", 520, resp, 0)
	var sla []bar
	for _, g := range v.Sum.Priorities {
		rate, ok := g.ResolutionSLA.Rate()
		if !ok {
			sla = append(sla, bar{Label: g.Key, Text: "n/a"}) // nothing decided yet: no bar, not 100%
			continue
		}
		sla = append(sla, bar{Label: g.Key, Value: rate * 100, Text: fmt.Sprintf("%.0f%%", rate*100)})
	}
	v.SLA = barChart("Resolution SLA attainment by priority", 520, sla, 100)
	if v.Sum.CSAT.Sent > 0 {
		var csat []bar
		for i, n := range v.Sum.CSAT.ByScore {
			csat = append(csat, bar{Label: strconv.Itoa(i+1) + "★", Value: float64(n), Text: strconv.Itoa(n)})
		}
		v.CSAT = barChart("Satisfaction answers by score", 520, csat, 0)
	}
	return s.render(w, r, "reports", v)
}

// reportsCSV exports the report's numbers: one row per day, then the
// summary's figures, for a spreadsheet.
func (s *Server) reportsCSV(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	from, to, err := s.reportRange(r)
	if err != nil {
		return err
	}
	sum, err := s.store.Summary(ctx, from, to)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="hub-report-%s-%s.csv"`,
		from.Format("2006-01-02"), to.AddDate(0, 0, -1).Format("2006-01-02")))
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"metric", "key", "value"})
	for _, d := range sum.ByDay {
		_ = cw.Write([]string{"created_per_day", d.Key, strconv.Itoa(d.N)})
	}
	_ = cw.Write([]string{"created", "", strconv.Itoa(sum.Created)})
	for _, st := range []tickets.Status{tickets.StatusOpen, tickets.StatusPending, tickets.StatusResolved, tickets.StatusClosed} {
		_ = cw.Write([]string{"by_status", string(st), strconv.Itoa(sum.ByStatus[st])})
	}
	for _, p := range []tickets.Priority{tickets.PriorityUrgent, tickets.PriorityHigh, tickets.PriorityMedium, tickets.PriorityLow} {
		_ = cw.Write([]string{"by_priority", string(p), strconv.Itoa(sum.ByPriority[p])})
	}
	secs := func(d time.Duration) string { return strconv.FormatInt(int64(d.Seconds()), 10) }
	for _, row := range []struct {
		name string
		d    tickets.Durations
	}{{"first_response_seconds", sum.FirstResponse}, {"resolution_seconds", sum.Resolution}} {
		_ = cw.Write([]string{row.name, "count", strconv.Itoa(row.d.Count)})
		_ = cw.Write([]string{row.name, "average", secs(row.d.Average)})
		_ = cw.Write([]string{row.name, "median", secs(row.d.Median)})
		_ = cw.Write([]string{row.name, "p90", secs(row.d.P90)})
	}
	for _, row := range []struct {
		name string
		a    tickets.Attainment
	}{{"first_response_sla", sum.FirstResponseSLA}, {"resolution_sla", sum.ResolutionSLA}} {
		_ = cw.Write([]string{row.name, "met", strconv.Itoa(row.a.Met)})
		_ = cw.Write([]string{row.name, "breached", strconv.Itoa(row.a.Breached)})
		rate := ""
		if r, ok := row.a.Rate(); ok {
			rate = strconv.FormatFloat(r, 'f', 4, 64)
		}
		_ = cw.Write([]string{row.name, "rate", rate})
	}
	if avg, ok := sum.CSAT.Average(); ok {
		_ = cw.Write([]string{"csat", "average", strconv.FormatFloat(avg, 'f', 2, 64)})
	}
	_ = cw.Write([]string{"csat", "sent", strconv.Itoa(sum.CSAT.Sent)})
	_ = cw.Write([]string{"csat", "answered", strconv.Itoa(sum.CSAT.Answered)})
	cw.Flush()
	return cw.Error()
}
