package tickets

import "time"

// TargetClock says how a target's time is counted.
type TargetClock int

// Target clocks.
const (
	WallClock        TargetClock = iota // around the clock
	BusinessHours                       // business time only
	EndOfBusinessDay                    // by the close of the business day the clock starts in
)

func (k TargetClock) String() string {
	switch k {
	case WallClock:
		return "wall_clock"
	case BusinessHours:
		return "business_hours"
	case EndOfBusinessDay:
		return "end_of_business_day"
	}
	return "unknown"
}

// Target is one SLA target. Duration is ignored for EndOfBusinessDay.
type Target struct {
	Clock    TargetClock
	Duration time.Duration
}

// Policy is the SLA policy: business hours and targets per priority.
//
// The zero value behaves as DefaultPolicy, and a priority missing from a map
// takes its default target, so a partial configuration cannot leave a ticket
// without due times.
type Policy struct {
	Calendar      Calendar
	FirstResponse map[Priority]Target
	Resolution    map[Priority]Target
}

// DefaultPolicy returns the default targets on DefaultCalendar. An urgent
// ticket is answered around the clock; a high one the same business day; the
// others within one and three business days.
func DefaultPolicy() Policy {
	return Policy{
		Calendar: DefaultCalendar(),
		FirstResponse: map[Priority]Target{
			PriorityUrgent: {WallClock, time.Hour},
			PriorityHigh:   {EndOfBusinessDay, 0},
			PriorityMedium: {BusinessHours, 8 * time.Hour},
			PriorityLow:    {BusinessHours, 24 * time.Hour},
		},
		Resolution: map[Priority]Target{
			PriorityUrgent: {WallClock, 4 * time.Hour},
			PriorityHigh:   {BusinessHours, 8 * time.Hour},
			PriorityMedium: {BusinessHours, 24 * time.Hour},
			PriorityLow:    {BusinessHours, 40 * time.Hour},
		},
	}
}

// targets returns pr's targets, falling back to the default policy and, for
// an unknown priority, to medium (what ParsePriority gives for "").
func (p Policy) targets(pr Priority) (first, resolution Target) {
	d := DefaultPolicy()
	if _, ok := d.FirstResponse[pr]; !ok {
		pr = PriorityMedium
	}
	pick := func(m, def map[Priority]Target) Target {
		if t, ok := m[pr]; ok {
			return t
		}
		return def[pr]
	}
	return pick(p.FirstResponse, d.FirstResponse), pick(p.Resolution, d.Resolution)
}

// budget is the business time a business target allows from start. An
// EndOfBusinessDay target becomes the business time left in the day it
// starts in, so a pause extends it like any other business target.
func (p Policy) budget(t Target, start time.Time) time.Duration {
	if t.Clock == EndOfBusinessDay {
		c := p.Calendar
		return c.BusinessBetween(c.NextOpen(start), c.EndOfBusinessDay(start))
	}
	return t.Duration
}

// due returns when target t falls due for a clock started at start that
// has been paused for wall (wall clock) and biz (business time).
func (p Policy) due(t Target, start time.Time, wall, biz time.Duration) time.Time {
	if t.Clock == WallClock {
		return start.Add(t.Duration + wall)
	}
	return p.Calendar.AddBusiness(start, p.budget(t, start)+biz)
}

// Start starts the SLA clock of a ticket of priority pr that arrived at
// arrived.
func (p Policy) Start(pr Priority, arrived time.Time) SLA {
	return p.Recompute(pr, SLA{ClockStart: arrived}, arrived)
}

// Recompute sets s's due times for priority pr, e.g. after a priority
// change. Due times count from ClockStart, moved later by the time paused so
// far (including a pause still running at now): business targets by the
// business time paused, wall-clock targets by the wall time paused. An SLA
// that never started starts at now.
func (p Policy) Recompute(pr Priority, s SLA, now time.Time) SLA {
	if s.ClockStart.IsZero() {
		s.ClockStart = now
	}
	wall, biz := s.Paused, s.PausedBusiness
	if s.PausedAt != nil && now.After(*s.PausedAt) {
		wall += now.Sub(*s.PausedAt)
		biz += p.Calendar.BusinessBetween(*s.PausedAt, now)
	}
	first, res := p.targets(pr)
	s.FirstResponseDue = p.due(first, s.ClockStart, wall, biz)
	s.ResolutionDue = p.due(res, s.ClockStart, wall, biz)
	s.FirstResponseRisk = p.risk(first, s.ClockStart, s.FirstResponseDue, biz)
	s.ResolutionRisk = p.risk(res, s.ClockStart, s.ResolutionDue, biz)
	return s
}

// WithRisk fills in the risk instants of an SLA stored before they were,
// when the policy as configured now gives the due times it has: those
// instants belong to those due times. An SLA whose due times came from
// another policy (or a pause still running at now) is left without: the
// store then falls back to a wall-clock reckoning until the due times are
// worked out again.
func (p Policy) WithRisk(pr Priority, s SLA, now time.Time) SLA {
	if !s.FirstResponseRisk.IsZero() || !s.ResolutionRisk.IsZero() {
		return s
	}
	if r := p.Recompute(pr, s, now); r.FirstResponseDue.Equal(s.FirstResponseDue) && r.ResolutionDue.Equal(s.ResolutionDue) {
		s.FirstResponseRisk, s.ResolutionRisk = r.FirstResponseRisk, r.ResolutionRisk
	}
	return s
}

// risk is the instant after which target t, due at due, is at risk (check's
// rule): a quarter of its budget left, in business time for business
// targets. Business time left only shrinks while business is open, so when
// the quarter mark falls on a close the risk starts at the next opening:
// a ticket is not at risk over the weekend before its last business hours.
func (p Policy) risk(t Target, start, due time.Time, biz time.Duration) time.Time {
	if due.IsZero() {
		return time.Time{}
	}
	if t.Clock == WallClock {
		return due.Add(-max(t.Duration/4, atRiskWall))
	}
	b := p.budget(t, start)
	return p.Calendar.NextOpen(p.Calendar.AddBusiness(start, b+biz-b/4))
}

// Pause stops the clock at now; pausing a paused clock changes nothing.
func (p Policy) Pause(s SLA, now time.Time) SLA {
	if s.PausedAt == nil {
		at := now
		s.PausedAt = &at
	}
	return s
}

// Resume restarts a paused clock: the pause is added to Paused and
// PausedBusiness and the due times move later by it. Resuming a running
// clock changes nothing.
func (p Policy) Resume(pr Priority, s SLA, now time.Time) SLA {
	if s.PausedAt == nil {
		return s
	}
	if from := *s.PausedAt; now.After(from) {
		s.Paused += now.Sub(from)
		s.PausedBusiness += p.Calendar.BusinessBetween(from, now)
	}
	s.PausedAt = nil
	return p.Recompute(pr, s, now)
}

// SLAState is where a ticket stands against its targets at some instant.
type SLAState struct {
	FirstResponseDue, ResolutionDue           time.Time
	FirstResponseBreached, ResolutionBreached bool
	FirstResponseAtRisk, ResolutionAtRisk     bool // that target is close to breach
	Breached                                  bool // either target breached
	AtRisk                                    bool // not breached, but close to it
}

// atRiskWall is the least warning a wall-clock target gets, so that a short
// urgent target still leaves time to act on the warning.
const atRiskWall = 15 * time.Minute

// State evaluates t's SLA at now. A target is breached when it was met late,
// or is still unmet and its due time has passed. A paused clock (pending,
// resolved, closed) stands still at the pause: nothing becomes breached and
// nothing is at risk while it is paused, but a breach from before the pause
// stays. A ticket without due times is neither breached nor at risk.
//
// A target is at risk when less than a quarter of its budget is left
// (business time for business targets); wall-clock targets warn at least
// 15 minutes ahead.
func (p Policy) State(t Ticket, now time.Time) SLAState {
	s := t.SLA
	st := SLAState{FirstResponseDue: s.FirstResponseDue, ResolutionDue: s.ResolutionDue}
	at, running := now, true
	if s.PausedAt != nil {
		at, running = earlier(now, *s.PausedAt), false
	}
	first, res := p.targets(t.Priority)
	var frRisk, resRisk bool
	st.FirstResponseBreached, frRisk = p.check(first, s.ClockStart, s.FirstResponseDue, t.FirstResponseAt, at)
	st.ResolutionBreached, resRisk = p.check(res, s.ClockStart, s.ResolutionDue, t.ResolvedAt, at)
	st.Breached = st.FirstResponseBreached || st.ResolutionBreached
	st.FirstResponseAtRisk = running && frRisk
	st.ResolutionAtRisk = running && resRisk
	st.AtRisk = running && !st.Breached && (frRisk || resRisk)
	return st
}

// check evaluates one target: met at done (nil if not yet), due at due,
// looked at at instant at.
func (p Policy) check(t Target, start, due time.Time, done *time.Time, at time.Time) (breached, atRisk bool) {
	switch {
	case due.IsZero():
		return false, false
	case done != nil:
		return done.After(due), false
	case at.After(due):
		return true, false
	case t.Clock == WallClock:
		return false, due.Sub(at) < max(t.Duration/4, atRiskWall)
	default:
		return false, p.Calendar.BusinessBetween(at, due) < p.budget(t, start)/4
	}
}
