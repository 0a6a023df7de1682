package api

import (
	"net/http"
	"strings"
	"time"

	"hub/tickets"
)

// Report is GET /reports/summary: volume, first-response and resolution
// times, and SLA attainment for the tickets created in a period.
type Report struct {
	From          time.Time             `json:"from"`
	To            time.Time             `json:"to"`
	Created       int                   `json:"created"`
	ByStatus      map[string]int        `json:"by_status"`
	ByPriority    map[string]int        `json:"by_priority"`
	BySource      map[string]int        `json:"by_source"`
	FirstResponse ReportDurations       `json:"first_response"`
	Resolution    ReportDurations       `json:"resolution"`
	SLA           map[string]Attainment `json:"sla"`
}

// ReportDurations are in seconds.
type ReportDurations struct {
	Count          int   `json:"count"`
	AverageSeconds int64 `json:"average_seconds"`
	MedianSeconds  int64 `json:"median_seconds"`
	P90Seconds     int64 `json:"p90_seconds"`
}

// Attainment is how often an SLA target was met among those decided.
type Attainment struct {
	Met      int `json:"met"`
	Breached int `json:"breached"`
	// Attainment is null when no target was decided.
	Attainment *float64 `json:"attainment"`
}

// maxReportSpan bounds a report's period, keeping the query cheap.
const maxReportSpan = 366 * 24 * time.Hour

func (s *Server) summary(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	to := s.now().UTC()
	if v := q.Get("to"); v != "" {
		t, day, err := parseDay("to", v)
		if err != nil {
			return err
		}
		// A date names a whole day: to=2026-11-01 includes the 1st, so
		// from and to on the same date mean that day.
		if to = t; day {
			to = t.AddDate(0, 0, 1)
		}
	}
	from := to.Add(-30 * 24 * time.Hour)
	if v := q.Get("from"); v != "" {
		t, _, err := parseDay("from", v)
		if err != nil {
			return err
		}
		from = t
	}
	if !from.Before(to) {
		return tickets.Invalid("from", "from must be before to")
	}
	if to.Sub(from) > maxReportSpan {
		return tickets.Invalid("from", "a report spans at most 366 days")
	}
	sum, err := s.store.Summary(r.Context(), from, to)
	if err != nil {
		return err
	}
	out := Report{From: from, To: to, Created: sum.Created,
		ByStatus: map[string]int{}, ByPriority: map[string]int{}, BySource: map[string]int{},
		FirstResponse: durationsJSON(sum.FirstResponse), Resolution: durationsJSON(sum.Resolution),
		SLA: map[string]Attainment{
			"first_response": attainmentJSON(sum.FirstResponseSLA),
			"resolution":     attainmentJSON(sum.ResolutionSLA),
		}}
	for _, st := range []tickets.Status{tickets.StatusOpen, tickets.StatusPending, tickets.StatusResolved, tickets.StatusClosed} {
		out.ByStatus[string(st)] = sum.ByStatus[st]
	}
	for _, p := range []tickets.Priority{tickets.PriorityUrgent, tickets.PriorityHigh, tickets.PriorityMedium, tickets.PriorityLow} {
		out.ByPriority[string(p)] = sum.ByPriority[p]
	}
	for src, n := range sum.BySource {
		out.BySource[string(src)] = n
	}
	return s.reply(w, r, http.StatusOK, out)
}

// parseDay reads an RFC 3339 time, or a date (midnight UTC, day=true).
func parseDay(field, v string) (t time.Time, day bool, err error) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), false, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, true, nil
	}
	return time.Time{}, false, tickets.Invalid(field, "%s must be a date (2026-11-01) or an RFC 3339 time", field)
}

func durationsJSON(d tickets.Durations) ReportDurations {
	return ReportDurations{Count: d.Count, AverageSeconds: int64(d.Average / time.Second),
		MedianSeconds: int64(d.Median / time.Second), P90Seconds: int64(d.P90 / time.Second)}
}

func attainmentJSON(a tickets.Attainment) Attainment {
	out := Attainment{Met: a.Met, Breached: a.Breached}
	if r, ok := a.Rate(); ok {
		out.Attainment = &r
	}
	return out
}
