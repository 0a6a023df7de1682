package rules

import (
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/expr-lang/expr/vm"
)

// RuleSet is a loaded rules file: its rules in file order and its teams.
// It is immutable once Parse returns it and safe to share between
// goroutines.
type RuleSet struct {
	File    string // the name it was loaded under, for messages
	Version int
	Digest  string // first 12 hex digits of the file's SHA-256: which rules made a decision
	Rules   []Rule
	Teams   []Team
}

// Rule is one rule: when it runs, its condition, and what it does.
type Rule struct {
	Name        string
	Description string
	On          []Event // never empty; TicketCreated when the file says nothing
	If          string  // the condition as written; "" is always true
	Tag         []string
	Untag       []string
	Priority    string // "", a priority (never lowers one), or "raise"
	Team        string
	Assign      string // "", an agent's email, or round_robin, fewest_open, team
	Stop        bool
	Line        int // where the rule starts in its file

	cond *vm.Program // nil when If is ""
}

// Runs reports whether the rule runs on ev.
func (r Rule) Runs(ev Event) bool { return slices.Contains(r.On, ev) }

// Raise is the Priority value that raises a ticket's priority one level.
const Raise = "raise"

// The Assign values that pick an agent from a team rather than name one.
const (
	AssignRoundRobin = "round_robin" // the next available member after the last one picked
	AssignFewestOpen = "fewest_open" // the available member with the fewest open tickets
	AssignTeam       = "team"        // the team's own strategy
)

// Strategy is how a team hands out tickets: AssignRoundRobin or
// AssignFewestOpen.
type Strategy string

// Team is a group of agents that tickets are routed to, with its Slack
// channels.
type Team struct {
	Name        string
	Channel     string   // where the team's ticket cards go; "" is the hub's default channel
	LeadChannel string   // where SLA breaches are announced; "" is Channel
	Members     []string // agent emails, in rotation order
	Assign      Strategy // AssignRoundRobin unless the file says fewest_open
	Line        int
}

// Team returns the team called name.
func (rs *RuleSet) Team(name string) (Team, bool) {
	for _, t := range rs.Teams {
		if t.Name == name {
			return t, true
		}
	}
	return Team{}, false
}

// Channel is the Slack channel for a ticket of team name: the team's
// channel, or "" for the hub's default channel.
func (rs *RuleSet) Channel(team string) string {
	t, _ := rs.Team(team)
	return t.Channel
}

// LeadChannel is where team's SLA breaches are announced: its lead channel,
// else its channel, else "" for the hub's default channel.
func (rs *RuleSet) LeadChannel(team string) string {
	t, _ := rs.Team(team)
	if t.LeadChannel != "" {
		return t.LeadChannel
	}
	return t.Channel
}

// Summary is the one line `hub rules check` prints for a good file.
func (rs *RuleSet) Summary() string {
	return fmt.Sprintf("%s: version %d, %d rules, %d teams, digest %s", rs.File, rs.Version, len(rs.Rules), len(rs.Teams), rs.Digest)
}

// Current holds the rule set in force. The hub loads the file at start and
// on SIGHUP through Reload; a file with any problem is refused and the last
// good rule set stays in force.
type Current struct {
	p atomic.Pointer[RuleSet]
}

// NewCurrent starts with rs in force.
func NewCurrent(rs *RuleSet) *Current {
	c := &Current{}
	c.p.Store(rs)
	return c
}

// Get returns the rule set in force.
func (c *Current) Get() *RuleSet { return c.p.Load() }

// Reload parses data and puts it in force if it has no problem. On a
// problem it returns the Problems and the rule set in force is unchanged.
func (c *Current) Reload(name string, data []byte) (*RuleSet, error) {
	rs, err := Parse(name, data)
	if err != nil {
		return c.Get(), err
	}
	c.p.Store(rs)
	return rs, nil
}
