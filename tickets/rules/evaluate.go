package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/expr-lang/expr/vm"

	"hub/tickets"
)

// Field is what a Decision changes.
type Field string

// The fields rules change.
const (
	FieldTags     Field = "tags"
	FieldPriority Field = "priority"
	FieldTeam     Field = "team"
	FieldAssignee Field = "assignee"
)

// ActorRule is the audit trail's actor kind for a change a rule made; the
// actor's id is the rule's name.
const ActorRule tickets.ActorKind = "rule"

// Decision is one change one rule made. The store applies the decisions in
// order and writes each to the audit trail under the rule's name.
type Decision struct {
	Rule                  string
	Field                 Field
	Before, After         string   // priority, team or assignee
	TagsBefore, TagsAfter []string // tags, sorted
	Via                   string   // how an assignee was picked: round_robin or fewest_open; "" when the rule named them
}

// Actor names the rule as the one who made the change.
func (d Decision) Actor() tickets.Actor {
	return tickets.Actor{Kind: ActorRule, ID: d.Rule, Name: "rule " + d.Rule}
}

// Audit returns the before and after of d's audit event, keyed by field.
func (d Decision) Audit() (before, after map[string]any) {
	if d.Field == FieldTags {
		return map[string]any{"tags": d.TagsBefore}, map[string]any{"tags": d.TagsAfter}
	}
	after = map[string]any{string(d.Field): d.After}
	if d.Via != "" {
		after["via"] = d.Via
	}
	return map[string]any{string(d.Field): d.Before}, after
}

// String renders d as Explain shows it: `priority: medium → urgent`.
func (d Decision) String() string {
	if d.Field == FieldTags {
		return fmt.Sprintf("tags: [%s] → [%s]", strings.Join(d.TagsBefore, " "), strings.Join(d.TagsAfter, " "))
	}
	s := fmt.Sprintf("%s: %s → %s", d.Field, orNone(d.Before), orNone(d.After))
	if d.Via != "" {
		s += " (" + d.Via + ")"
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// Step is what one rule did when the rules ran.
type Step struct {
	Rule      string
	Matched   bool
	Err       error // the condition failed at run time (e.g. an index out of range); the rule did nothing
	Decisions []Decision
	Notes     []string // why an action changed nothing: already assigned, nobody available, ...
	Stopped   bool     // the rule matched and said stop
}

// Result is the whole of one run: every rule that runs on the event, in
// order, and the ticket's fields after them.
type Result struct {
	Event     Event
	Language  string // as given, or as guessed
	Steps     []Step
	Decisions []Decision
	Tags      []string
	Priority  tickets.Priority
	Team      string
	Assignee  string
}

// Evaluate runs rs's rules for ev on c and returns what they change, in
// order. Each rule sees the ticket as the rules before it left it, so a
// routing rule can use a tag a categorising rule added. It is pure: the
// same arguments give the same decisions.
func Evaluate(rs *RuleSet, ev Event, c Context) []Decision {
	return Run(rs, ev, c).Decisions
}

// Run is Evaluate with the trace of every rule, for Explain and logs.
func Run(rs *RuleSet, ev Event, c Context) Result {
	e := newEnv(ev, c)
	s := &state{rs: rs, roster: c.Agents, res: Result{
		Event: ev, Language: e.Language,
		Tags: sortedTags(c.Tags), Priority: c.Priority, Team: c.Team, Assignee: c.Assignee,
	}}
	if s.res.Priority == "" {
		s.res.Priority = tickets.PriorityMedium
	}
	for _, r := range rs.Rules {
		if !r.Runs(ev) {
			continue
		}
		e.Tags, e.Priority, e.Team, e.Assignee = s.res.Tags, string(s.res.Priority), s.res.Team, s.res.Assignee
		step := s.rule(r, &e)
		s.res.Steps = append(s.res.Steps, step)
		s.res.Decisions = append(s.res.Decisions, step.Decisions...)
		if step.Stopped {
			break
		}
	}
	return s.res
}

// state is a run in progress: the ticket's fields as the rules so far left
// them.
type state struct {
	rs     *RuleSet
	roster Roster
	res    Result
}

func (s *state) rule(r Rule, e *env) Step {
	step := Step{Rule: r.Name}
	ok, err := matches(r.cond, e)
	if err != nil {
		step.Err = err
		return step
	}
	if !ok {
		return step
	}
	step.Matched, step.Stopped = true, r.Stop
	if len(r.Tag) > 0 || len(r.Untag) > 0 {
		s.tags(&step, r)
	}
	if r.Priority != "" {
		s.priority(&step, r.Priority)
	}
	if r.Team != "" && r.Team != s.res.Team {
		step.Decisions = append(step.Decisions, Decision{Rule: r.Name, Field: FieldTeam, Before: s.res.Team, After: r.Team})
		s.res.Team = r.Team
	}
	if r.Assign != "" {
		s.assign(&step, r.Assign)
	}
	return step
}

func matches(cond *vm.Program, e *env) (bool, error) {
	if cond == nil {
		return true, nil
	}
	out, err := vm.Run(cond, e)
	if err != nil {
		return false, err
	}
	b, _ := out.(bool) // AsBool at compile time makes it a bool
	return b, nil
}

func (s *state) tags(step *Step, r Rule) {
	before := s.res.Tags
	after := slices.DeleteFunc(slices.Clone(before), func(t string) bool { return slices.Contains(r.Untag, t) })
	for _, t := range r.Tag {
		if !slices.Contains(after, t) {
			after = append(after, t)
		}
	}
	slices.Sort(after)
	if slices.Equal(before, after) {
		return
	}
	if len(after) > tickets.MaxTags && len(after) > len(before) {
		step.Notes = append(step.Notes, fmt.Sprintf("tags: a ticket has at most %d tags", tickets.MaxTags))
		return
	}
	step.Decisions = append(step.Decisions, Decision{Rule: step.Rule, Field: FieldTags, TagsBefore: before, TagsAfter: after})
	s.res.Tags = after
}

// priority applies a rule's priority. A rule raises a priority but never
// lowers it: rules run again on later events, and must not undo an agent's
// or an earlier rule's escalation.
func (s *state) priority(step *Step, want string) {
	cur := s.res.Priority
	next := tickets.Priority(want)
	if want == Raise {
		next = raise(cur)
	}
	if rank(next) <= rank(cur) {
		if want != Raise && next != cur {
			step.Notes = append(step.Notes, fmt.Sprintf("priority: already %s, rules do not lower it", cur))
		}
		return
	}
	step.Decisions = append(step.Decisions, Decision{Rule: step.Rule, Field: FieldPriority, Before: string(cur), After: string(next)})
	s.res.Priority = next
}

func rank(p tickets.Priority) int {
	switch p {
	case tickets.PriorityUrgent:
		return 3
	case tickets.PriorityHigh:
		return 2
	case tickets.PriorityLow:
		return 0
	}
	return 1
}

func raise(p tickets.Priority) tickets.Priority {
	switch rank(p) {
	case 0:
		return tickets.PriorityMedium
	case 1:
		return tickets.PriorityHigh
	}
	return tickets.PriorityUrgent
}

// assign applies a rule's assign. A named agent is assigned unless away. A
// strategy picks from the ticket's team only while the ticket has no
// assignee, so a customer writing again does not move their ticket.
func (s *state) assign(step *Step, how string) {
	cur := s.res.Assignee
	pick, via := how, ""
	switch how {
	case AssignRoundRobin, AssignFewestOpen, AssignTeam:
		team, ok := s.rs.Team(s.res.Team)
		switch {
		case cur != "":
			step.Notes = append(step.Notes, "assign: already assigned to "+cur)
			return
		case s.res.Team == "":
			step.Notes = append(step.Notes, "assign: the ticket has no team to pick from")
			return
		case !ok:
			step.Notes = append(step.Notes, fmt.Sprintf("assign: team %q is not in the rules file", s.res.Team))
			return
		}
		if via = how; how == AssignTeam {
			via = string(team.Assign)
		}
		if pick = team.Pick(via, s.roster); pick == "" {
			step.Notes = append(step.Notes, fmt.Sprintf("assign: nobody in team %s is available", team.Name))
			return
		}
	default:
		if !s.roster.Available(how) {
			step.Notes = append(step.Notes, "assign: "+how+" is away")
			return
		}
	}
	if pick == cur {
		return
	}
	step.Decisions = append(step.Decisions, Decision{Rule: step.Rule, Field: FieldAssignee, Before: cur, After: pick, Via: via})
	s.res.Assignee = pick
}

// sortedTags is the ticket's tags as rules see them: lower-case, sorted,
// each once.
func sortedTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
