package tickets

import "time"

// STUB: signatures only; the real implementation replaces this file.

// Calendar is the team's business hours in its time zone.
type Calendar struct {
	Location *time.Location
	Weekdays [7]bool      // indexed by time.Weekday
	Open     time.Duration // offset from local midnight, e.g. 9h
	Close    time.Duration // e.g. 17h
}

// DefaultCalendar is Monday–Friday 09:00–17:00 UTC.
func DefaultCalendar() Calendar { return Calendar{} }

// TargetClock says how a target's time is counted.
type TargetClock int

// Target clocks.
const (
	WallClock     TargetClock = iota // around the clock
	BusinessHours                    // business time only
	EndOfBusinessDay                 // by the close of the business day the clock starts in
)

// Target is one SLA target.
type Target struct {
	Clock    TargetClock
	Duration time.Duration
}

// Policy is the SLA policy: business hours and targets per priority.
type Policy struct {
	Calendar      Calendar
	FirstResponse map[Priority]Target
	Resolution    map[Priority]Target
}

// DefaultPolicy returns the default targets.
func DefaultPolicy() Policy { return Policy{} }
