package tickets

import "time"

// Summary is the team's report for a period: how many tickets came in and
// where from, how fast they were answered and solved (overall, per
// priority and per agent), how often the SLA was kept, what is waiting
// now, what customers thought, and who needed help most.
type Summary struct {
	From, To   time.Time
	Created    int
	ByStatus   map[Status]int
	ByPriority map[Priority]int
	BySource   map[Source]int
	// Volume by UTC day (every day of the period, zeros included), and by
	// tag, store and team, largest first ("" is no store, no team).
	ByDay   []Count
	ByTag   []Count
	ByStore []Count
	ByTeam  []Count

	FirstResponse Durations
	Resolution    Durations
	// SLA attainment counts only targets already decided: met, or breached
	// (answered late, or still unanswered past due).
	FirstResponseSLA Attainment
	ResolutionSLA    Attainment
	// Priorities has one entry per priority, most urgent first; Agents one
	// per assignee ("" is unassigned), most tickets first.
	Priorities []Group
	Agents     []Group

	// Backlog is the tickets waiting now (open or pending), whenever they
	// came in, by age.
	Backlog Backlog
	CSAT    CSATSummary
	// TopCustomers and TopOrders are those with the most tickets in the
	// period (at most ten each).
	TopCustomers []CustomerCount
	TopOrders    []OrderCount
}

// Count is a number of tickets under a key.
type Count struct {
	Key string
	N   int
}

// Group is the times and SLA of one priority or one agent's tickets.
type Group struct {
	Key              string
	Tickets          int
	FirstResponse    Durations
	Resolution       Durations
	FirstResponseSLA Attainment
	ResolutionSLA    Attainment
}

// Durations summarises how long something took across tickets.
type Durations struct {
	Count   int
	Average time.Duration
	Median  time.Duration
	P90     time.Duration
}

// Attainment is how often a target was met.
type Attainment struct {
	Met      int
	Breached int
}

// Rate is the share of decided targets that were met. ok is false when none
// was decided: a period with no decided target kept no promise and broke
// none, and reporting 100 % would say otherwise.
func (a Attainment) Rate() (rate float64, ok bool) {
	if a.Met+a.Breached == 0 {
		return 0, false
	}
	return float64(a.Met) / float64(a.Met+a.Breached), true
}

// BacklogAges are the age brackets of the backlog, youngest first: a
// ticket is in the first bracket whose bound is above its age.
var BacklogAges = []struct {
	Label string
	Under time.Duration // 0: no bound
}{
	{"under 1 day", 24 * time.Hour},
	{"1-3 days", 3 * 24 * time.Hour},
	{"3-7 days", 7 * 24 * time.Hour},
	{"1-4 weeks", 28 * 24 * time.Hour},
	{"over 4 weeks", 0},
}

// Backlog is the tickets waiting at At, by age bracket (BacklogAges).
type Backlog struct {
	At      time.Time
	Open    int
	Pending int
	ByAge   []int // one per BacklogAges entry
}

// CSATSummary is what customers answered to the surveys sent in a period.
type CSATSummary struct {
	Sent     int
	Answered int
	Sum      int    // of the scores, for the average
	ByScore  [5]int // answers per score 1..5
}

// Average is the mean score; ok is false with no answer.
func (c CSATSummary) Average() (avg float64, ok bool) {
	if c.Answered == 0 {
		return 0, false
	}
	return float64(c.Sum) / float64(c.Answered), true
}

// ResponseRate is the share of surveys answered; ok is false when none
// was sent.
func (c CSATSummary) ResponseRate() (rate float64, ok bool) {
	if c.Sent == 0 {
		return 0, false
	}
	return float64(c.Answered) / float64(c.Sent), true
}

// CustomerCount is a customer and their tickets in a period.
type CustomerCount struct {
	Email, Name string
	N           int
}

// OrderCount is an order and the tickets linked to it.
type OrderCount struct {
	Store, OrderID, OrderNumber string
	N                           int
}
