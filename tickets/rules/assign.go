package rules

import "slices"

// Roster is what assignment needs to know of the agents at the moment:
// who is away (`/ticket away` in Slack until `/ticket back`), how many open
// tickets each has, and whom each team's rotation picked last. The store
// reads it; the zero Roster has everyone available with nothing open.
type Roster struct {
	Away map[string]bool   // agent email → away
	Open map[string]int    // agent email → open tickets assigned to them
	Last map[string]string // team name → the agent its rotation picked last
}

// Available reports whether agent can be given tickets.
func (r Roster) Available(agent string) bool { return agent != "" && !r.Away[agent] }

// RoundRobin returns the first available member after last in members'
// order, wrapping around; the first available member when last is not one
// of them; "" when nobody is available. Away members are skipped, not
// queued: the rotation goes on without them.
func RoundRobin(members []string, available func(agent string) bool, last string) string {
	start := slices.Index(members, last) + 1
	for i := range members {
		if m := members[(start+i)%len(members)]; available(m) {
			return m
		}
	}
	return ""
}

// FewestOpen returns the available member with the fewest open tickets
// (an agent missing from open has none). Ties go to the member who comes
// first in rotation order after last, so a team with equal loads still
// rotates instead of always picking the first name.
func FewestOpen(members []string, available func(agent string) bool, open map[string]int, last string) string {
	start := slices.Index(members, last) + 1
	best := ""
	for i := range members {
		m := members[(start+i)%len(members)]
		if available(m) && (best == "" || open[m] < open[best]) {
			best = m
		}
	}
	return best
}

// Pick chooses a member of t for a new ticket by strategy (AssignRoundRobin,
// AssignFewestOpen, or AssignTeam or "" for the team's own), or "" when no
// member is available.
func (t Team) Pick(strategy string, r Roster) string {
	if strategy == "" || strategy == AssignTeam {
		strategy = string(t.Assign)
	}
	if strategy == AssignFewestOpen {
		return FewestOpen(t.Members, r.Available, r.Open, r.Last[t.Name])
	}
	return RoundRobin(t.Members, r.Available, r.Last[t.Name])
}

// Reopened returns who gets a reopened ticket: its previous assignee when
// they are available (they know the case), else the pick of its team t by
// the team's strategy, else "" (unassigned, for triage).
func Reopened(previous string, t Team, r Roster) string {
	if r.Available(previous) {
		return previous
	}
	return t.Pick(AssignTeam, r)
}
