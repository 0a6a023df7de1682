package tickets

import "time"

// Summary is the team's report for a period: how many tickets came in, how
// fast they were answered and solved, and how often the SLA was kept.
type Summary struct {
	From, To      time.Time
	Created       int
	ByStatus      map[Status]int
	ByPriority    map[Priority]int
	BySource      map[Source]int
	FirstResponse Durations
	Resolution    Durations
	// SLA attainment counts only targets already decided: met, or breached
	// (answered late, or still unanswered past due).
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
