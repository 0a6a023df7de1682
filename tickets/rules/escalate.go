package rules

import (
	"time"

	"hub/tickets"
)

// Target names an SLA target.
type Target string

// The SLA targets.
const (
	FirstResponse Target = "first_response"
	Resolution    Target = "resolution"
)

// Level is how far a target has gone.
type Level string

// Escalation levels.
const (
	AtRisk   Level = "at_risk"  // 75 % of the target's time is used (a quarter left)
	Breached Level = "breached" // the due time has passed
)

// Escalation is one level one target of one ticket has reached.
type Escalation struct {
	TicketID string
	Target   Target
	Level    Level
	At       time.Time // the level is reached at every instant after At
	Due      time.Time // the target's due time
}

// Key identifies the escalation for its ticket, target and level, so the
// store acts on it once however often the scheduler sees it:
// "<ticket id>/first_response/at_risk".
func (e Escalation) Key() string { return e.TicketID + "/" + string(e.Target) + "/" + string(e.Level) }

// Event is the event rules run on for the escalation.
func (e Escalation) Event() Event {
	if e.Level == Breached {
		return SLABreached
	}
	return SLAAtRisk
}

// Escalations returns the levels t's targets have reached at now: at most
// one per target, the higher (a warning missed until the breach is not sent
// late). A met target gives none; a paused clock (pending, resolved,
// closed) stands still at the pause, so while paused only a breach that
// happened before the pause is reported.
//
// Where a target counts business time, so does its 75 %: a ticket due
// Monday 11:00 on a Friday-afternoon clock is at risk on Monday morning,
// not over the weekend. The at-risk instant is the one from which
// Policy.State reports the target at risk, so the Slack card and the
// escalation never disagree.
func Escalations(p tickets.Policy, t tickets.Ticket, now time.Time) []Escalation {
	var out []Escalation
	at, paused := now, t.SLA.PausedAt != nil
	if paused && t.SLA.PausedAt.Before(now) {
		at = *t.SLA.PausedAt
	}
	for _, tg := range targets(t) {
		switch {
		case at.After(tg.due):
			out = append(out, Escalation{TicketID: t.ID, Target: tg.target, Level: Breached, At: tg.due, Due: tg.due})
		case !paused:
			if risk := riskStart(p, t, tg.target, tg.due); at.After(risk) {
				out = append(out, Escalation{TicketID: t.ID, Target: tg.target, Level: AtRisk, At: risk, Due: tg.due})
			}
		}
	}
	return out
}

// NextEscalation returns the first instant at which Escalations will
// report a level t has not reached at now, for the scheduler to look again
// then; false when nothing is ahead (every target met or breached, or the
// clock paused). The instant is a nanosecond after the level's At, since a
// level is reached only after it.
func NextEscalation(p tickets.Policy, t tickets.Ticket, now time.Time) (time.Time, bool) {
	if t.SLA.PausedAt != nil {
		return time.Time{}, false
	}
	var next time.Time
	for _, tg := range targets(t) {
		for _, when := range []time.Time{riskStart(p, t, tg.target, tg.due), tg.due} {
			if now.After(when) {
				continue // reached already
			}
			if when = when.Add(time.Nanosecond); next.IsZero() || when.Before(next) {
				next = when
			}
			break
		}
	}
	return next, !next.IsZero()
}

type targetDue struct {
	target Target
	due    time.Time
}

// targets lists t's targets that are running: due times set, not met.
func targets(t tickets.Ticket) []targetDue {
	var out []targetDue
	if !t.SLA.FirstResponseDue.IsZero() && t.FirstResponseAt == nil {
		out = append(out, targetDue{FirstResponse, t.SLA.FirstResponseDue})
	}
	if !t.SLA.ResolutionDue.IsZero() && t.ResolvedAt == nil {
		out = append(out, targetDue{Resolution, t.SLA.ResolutionDue})
	}
	return out
}

// riskStart returns the last instant at which Policy.State does not yet
// report target at risk (or breached) for t's clock running. State is the
// one definition of "at risk" (a quarter of the budget left, in business
// time for business targets, and at least 15 minutes' warning for
// wall-clock ones). The policy works that instant out with the due times
// and the ticket carries it (tickets.SLA's risk instants); a ticket stored
// without one is searched by bisection over State, which is exact to the
// nanosecond in about 50 steps because the remaining time only shrinks as
// the clock runs.
func riskStart(p tickets.Policy, t tickets.Ticket, target Target, due time.Time) time.Time {
	stored := t.SLA.FirstResponseRisk
	if target == Resolution {
		stored = t.SLA.ResolutionRisk
	}
	if !stored.IsZero() && stored.After(t.SLA.ClockStart) && stored.Before(due) {
		return stored
	}
	t.SLA.PausedAt, t.FirstResponseAt, t.ResolvedAt = nil, nil, nil
	warned := func(at time.Time) bool {
		st := p.State(t, at)
		if target == FirstResponse {
			return st.FirstResponseAtRisk || st.FirstResponseBreached
		}
		return st.ResolutionAtRisk || st.ResolutionBreached
	}
	lo, hi := t.SLA.ClockStart, due
	if lo.IsZero() || !lo.Before(hi) || warned(lo) {
		return lo
	}
	if !warned(hi) {
		return hi
	}
	for hi.Sub(lo) > time.Nanosecond {
		mid := lo.Add(hi.Sub(lo) / 2)
		if warned(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return lo
}

// Notice says who hears of an escalation. At risk, the ticket's Slack
// thread mentions its assignee, or the team's members when it has none; at
// the breach the thread does the same and the team lead's channel is told.
type Notice struct {
	Mention     []string // agent emails to mention in the ticket's thread
	Team        string   // the team mentioned when the ticket is unassigned
	Lead        bool     // announce in the lead's channel too
	LeadChannel string   // that channel; "" is the hub's default channel
}

// Notice works out who hears of e for a ticket of team with assignee.
func (rs *RuleSet) Notice(e Escalation, team, assignee string) Notice {
	var n Notice
	if assignee != "" {
		n.Mention = []string{assignee}
	} else if t, ok := rs.Team(team); ok {
		n.Team, n.Mention = t.Name, append([]string(nil), t.Members...)
	}
	if e.Level == Breached {
		n.Lead, n.LeadChannel = true, rs.LeadChannel(team)
	}
	return n
}
