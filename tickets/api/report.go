package api

import (
	"net/http"
	"strings"
	"time"

	"hub/tickets"
)

// Report is GET /reports/summary: volume, first-response and resolution
// times, SLA attainment, backlog, satisfaction and the customers and
// orders with the most tickets, for the tickets created in a period.
// A rate or average with nothing to measure is null, never a made-up 0 or
// 100 %.
type Report struct {
	From          time.Time             `json:"from"`
	To            time.Time             `json:"to"`
	Created       int                   `json:"created"`
	ByStatus      map[string]int        `json:"by_status"`
	ByPriority    map[string]int        `json:"by_priority"`
	BySource      map[string]int        `json:"by_source"`
	ByDay         []DayCount            `json:"by_day"`
	ByTag         []KeyCount            `json:"by_tag"`
	ByStore       []KeyCount            `json:"by_store"`
	ByTeam        []KeyCount            `json:"by_team"`
	FirstResponse ReportDurations       `json:"first_response"`
	Resolution    ReportDurations       `json:"resolution"`
	SLA           map[string]Attainment `json:"sla"`
	Priorities    []ReportGroup         `json:"priorities"`
	Agents        []ReportGroup         `json:"agents"`
	Backlog       ReportBacklog         `json:"backlog"`
	CSAT          ReportCSAT            `json:"csat"`
	TopCustomers  []CustomerCount       `json:"top_customers"`
	TopOrders     []OrderCount          `json:"top_orders"`
}

// DayCount is the tickets created on one UTC day.
type DayCount struct {
	Day   string `json:"day"` // 2026-11-01
	Count int    `json:"count"`
}

// KeyCount is the tickets with one tag, store or team ("" is none).
type KeyCount struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
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

// ReportGroup is one priority's or one agent's tickets. Priority is set
// for a priority; Agent for an agent (null: unassigned).
type ReportGroup struct {
	Priority      string                `json:"priority,omitempty"`
	Agent         *string               `json:"agent,omitempty"`
	Tickets       int                   `json:"tickets"`
	FirstResponse ReportDurations       `json:"first_response"`
	Resolution    ReportDurations       `json:"resolution"`
	SLA           map[string]Attainment `json:"sla"`
}

// ReportBacklog is the tickets waiting when the report was made.
type ReportBacklog struct {
	At      time.Time  `json:"at"`
	Open    int        `json:"open"`
	Pending int        `json:"pending"`
	ByAge   []AgeCount `json:"by_age"`
}

// AgeCount is the waiting tickets of one age bracket.
type AgeCount struct {
	Age   string `json:"age"`
	Count int    `json:"count"`
}

// ReportCSAT is the satisfaction surveys sent in the period.
type ReportCSAT struct {
	Sent         int            `json:"surveys_sent"`
	Answered     int            `json:"answered"`
	ResponseRate *float64       `json:"response_rate"`
	Average      *float64       `json:"average"`
	ByRating     map[string]int `json:"by_rating"`
}

// CustomerCount is a customer with many tickets.
type CustomerCount struct {
	Email   string `json:"email"`
	Name    string `json:"name"`
	Tickets int    `json:"tickets"`
}

// OrderCount is an order with many tickets.
type OrderCount struct {
	Store       string `json:"store"`
	OrderID     string `json:"order_id"`
	OrderNumber string `json:"order_number"`
	Tickets     int    `json:"tickets"`
}

// maxReportSpan bounds a report's period, keeping the query cheap.
const maxReportSpan = 366 * 24 * time.Hour

func (s *Server) summary(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	from, to, err := ReportPeriod(q.Get("from"), q.Get("to"), s.now())
	if err != nil {
		return err
	}
	sum, err := s.store.Summary(r.Context(), from, to)
	if err != nil {
		return err
	}
	return s.reply(w, r, http.StatusOK, ReportJSON(sum))
}

// ReportPeriod reads a report's from and to as the API and `hub report`
// take them: a date or an RFC 3339 time each. A date names a whole UTC
// day: to=2026-11-01 includes the 1st, so from and to on the same date
// mean that day. to defaults to now and from to 30 days before to.
func ReportPeriod(fromText, toText string, now time.Time) (from, to time.Time, err error) {
	to = now.UTC()
	if v := strings.TrimSpace(toText); v != "" {
		t, day, err := parseDay("to", v)
		if err != nil {
			return from, to, err
		}
		if to = t; day {
			to = t.AddDate(0, 0, 1)
		}
	}
	from = to.Add(-30 * 24 * time.Hour)
	if v := strings.TrimSpace(fromText); v != "" {
		t, _, err := parseDay("from", v)
		if err != nil {
			return from, to, err
		}
		from = t
	}
	if !from.Before(to) {
		return from, to, tickets.Invalid("from", "from must be before to")
	}
	if to.Sub(from) > maxReportSpan {
		return from, to, tickets.Invalid("from", "a report spans at most 366 days")
	}
	return from, to, nil
}

// parseDay reads an RFC 3339 time, or a date (midnight UTC, day=true).
func parseDay(field, v string) (t time.Time, day bool, err error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), false, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, true, nil
	}
	return time.Time{}, false, tickets.Invalid(field, "%s must be a date (2026-11-01) or an RFC 3339 time", field)
}

// ReportJSON renders a summary as the API answers it.
func ReportJSON(sum tickets.Summary) Report {
	out := Report{From: sum.From.UTC(), To: sum.To.UTC(), Created: sum.Created,
		ByStatus: map[string]int{}, ByPriority: map[string]int{}, BySource: map[string]int{},
		ByDay: make([]DayCount, 0, len(sum.ByDay)), ByTag: keyCounts(sum.ByTag),
		ByStore: keyCounts(sum.ByStore), ByTeam: keyCounts(sum.ByTeam),
		FirstResponse: durationsJSON(sum.FirstResponse), Resolution: durationsJSON(sum.Resolution),
		SLA:        slaJSON(sum.FirstResponseSLA, sum.ResolutionSLA),
		Priorities: make([]ReportGroup, 0, len(sum.Priorities)), Agents: make([]ReportGroup, 0, len(sum.Agents)),
		Backlog:      ReportBacklog{At: sum.Backlog.At.UTC(), Open: sum.Backlog.Open, Pending: sum.Backlog.Pending, ByAge: []AgeCount{}},
		TopCustomers: make([]CustomerCount, 0, len(sum.TopCustomers)),
		TopOrders:    make([]OrderCount, 0, len(sum.TopOrders)),
	}
	for _, st := range []tickets.Status{tickets.StatusOpen, tickets.StatusPending, tickets.StatusResolved, tickets.StatusClosed} {
		out.ByStatus[string(st)] = sum.ByStatus[st]
	}
	for _, p := range []tickets.Priority{tickets.PriorityUrgent, tickets.PriorityHigh, tickets.PriorityMedium, tickets.PriorityLow} {
		out.ByPriority[string(p)] = sum.ByPriority[p]
	}
	for src, n := range sum.BySource {
		out.BySource[string(src)] = n
	}
	for _, d := range sum.ByDay {
		out.ByDay = append(out.ByDay, DayCount{Day: d.Key, Count: d.N})
	}
	for _, g := range sum.Priorities {
		rg := groupJSON(g)
		rg.Priority = g.Key
		out.Priorities = append(out.Priorities, rg)
	}
	for _, g := range sum.Agents {
		rg := groupJSON(g)
		rg.Agent = optString(g.Key)
		out.Agents = append(out.Agents, rg)
	}
	for i, a := range tickets.BacklogAges {
		n := 0
		if i < len(sum.Backlog.ByAge) {
			n = sum.Backlog.ByAge[i]
		}
		out.Backlog.ByAge = append(out.Backlog.ByAge, AgeCount{Age: a.Label, Count: n})
	}
	c := sum.CSAT
	out.CSAT = ReportCSAT{Sent: c.Sent, Answered: c.Answered, ByRating: map[string]int{}}
	if r, ok := c.ResponseRate(); ok {
		out.CSAT.ResponseRate = &r
	}
	if a, ok := c.Average(); ok {
		out.CSAT.Average = &a
	}
	for i, n := range c.ByScore {
		out.CSAT.ByRating[string(rune('1'+i))] = n
	}
	for _, x := range sum.TopCustomers {
		out.TopCustomers = append(out.TopCustomers, CustomerCount{Email: x.Email, Name: x.Name, Tickets: x.N})
	}
	for _, x := range sum.TopOrders {
		out.TopOrders = append(out.TopOrders, OrderCount{Store: x.Store, OrderID: x.OrderID, OrderNumber: x.OrderNumber, Tickets: x.N})
	}
	return out
}

func groupJSON(g tickets.Group) ReportGroup {
	return ReportGroup{Tickets: g.Tickets, FirstResponse: durationsJSON(g.FirstResponse),
		Resolution: durationsJSON(g.Resolution), SLA: slaJSON(g.FirstResponseSLA, g.ResolutionSLA)}
}

func keyCounts(l []tickets.Count) []KeyCount {
	out := make([]KeyCount, 0, len(l))
	for _, c := range l {
		out = append(out, KeyCount{Key: c.Key, Count: c.N})
	}
	return out
}

func slaJSON(fr, res tickets.Attainment) map[string]Attainment {
	return map[string]Attainment{"first_response": attainmentJSON(fr), "resolution": attainmentJSON(res)}
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
