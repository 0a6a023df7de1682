package rules

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/expr-lang/expr/vm"
	"go.yaml.in/yaml/v3"

	"hub/tickets"
)

func (p *parser) teams(n *yaml.Node) []Team {
	if n == nil || n.Tag == "!!null" {
		return nil
	}
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		p.add(n, "teams", "want a mapping of team names to teams")
		return nil
	}
	var out []Team
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		where := fmt.Sprintf("team %q", k.Value)
		if line, dup := seen[k.Value]; dup {
			p.add(k, where, "given twice (first on line %d)", line)
			continue
		}
		seen[k.Value] = k.Line
		if !isName(k.Value) || strings.ToLower(k.Value) != k.Value {
			p.add(k, where, "a team name is lower-case letters, digits, '-', '_' and '.'")
		}
		t := Team{Name: k.Value, Assign: AssignRoundRobin, Line: k.Line}
		if v.Tag != "!!null" {
			p.team(&t, v, where)
		}
		out = append(out, t)
	}
	return out
}

func (p *parser) team(t *Team, n *yaml.Node, where string) {
	for _, f := range p.mapping(n, where, "channel", "lead_channel", "members", "assign") {
		at := join(where, f.key.Value)
		switch f.key.Value {
		case "channel", "lead_channel":
			s, ok := p.str(f.val, at)
			if ok && strings.ContainsAny(s, " \t") {
				p.add(f.val, at, "a Slack channel id or name has no spaces (got %q)", s)
			}
			if f.key.Value == "channel" {
				t.Channel = s
			} else {
				t.LeadChannel = s
			}
		case "members":
			seen := map[string]bool{}
			for _, m := range p.strs(f.val, at) {
				email, ok := agentEmail(m.val)
				switch {
				case !ok:
					p.add(m.node, at, "%q is not an email address", m.val)
				case seen[email]:
					p.add(m.node, at, "%s is listed twice", email)
				default:
					seen[email] = true
					t.Members = append(t.Members, email)
				}
			}
		case "assign":
			s, _ := p.str(f.val, at)
			switch s {
			case AssignRoundRobin, AssignFewestOpen:
				t.Assign = Strategy(s)
			case "":
			default:
				p.add(f.val, at, "want round_robin or fewest_open (got %q)", s)
			}
		}
	}
}

// agentEmail normalises an agent's email, reporting whether it is one.
func agentEmail(s string) (string, bool) {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || !strings.Contains(a.Address, "@") || a.Address != strings.TrimSpace(s) {
		return "", false
	}
	return tickets.NormaliseEmail(a.Address), true
}

func (p *parser) rules(n *yaml.Node, rs *RuleSet) []Rule {
	n = resolve(n)
	if n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.add(n, "rules", "want a list of rules (each starting with - name:)")
		return nil
	}
	var out []Rule
	seen := map[string]int{}
	for i, rn := range n.Content {
		if r, ok := p.rule(i, resolve(rn), rs, seen); ok {
			out = append(out, r)
		}
	}
	return out
}

// ruleKeys are the keys a rule may have, in the order the reference gives.
func ruleKeys() []string {
	return []string{"name", "description", "on", "if", "tag", "untag", "priority", "team", "assign", "stop"}
}

// rule reads one rule; seen maps names already used to their lines.
func (p *parser) rule(i int, n *yaml.Node, rs *RuleSet, seen map[string]int) (Rule, bool) {
	where := fmt.Sprintf("rule %d", i+1)
	before := len(p.problems)
	r := Rule{Line: n.Line, On: []Event{TicketCreated}}
	// The name first, so that every message about the rule can use it.
	if nn := lookup(n, "name"); nn != nil {
		name, ok := p.str(nn, join(where, "name"))
		if ok {
			r.Name, where = name, fmt.Sprintf("rule %q", name)
		}
		switch line, dup := seen[name]; {
		case !ok:
		case !isName(name):
			p.add(nn, join(where, "name"), "a rule name is letters, digits, '-', '_' and '.'")
		case dup:
			p.add(nn, join(where, "name"), "used twice (first on line %d)", line)
		default:
			seen[name] = nn.Line
		}
	} else if n.Kind == yaml.MappingNode {
		p.add(n, where, "name is missing")
	}
	fields := p.mapping(n, where, ruleKeys()...)
	var untag *yaml.Node
	acts := 0
	for _, f := range fields {
		at := join(where, f.key.Value)
		switch f.key.Value {
		case "name":
		case "description":
			r.Description, _ = p.str(f.val, at)
		case "on":
			r.On = p.events(f.val, at)
		case "if":
			r.If = strings.TrimSpace(f.val.Value)
			r.cond = p.condition(f.val, at)
		case "tag", "untag":
			tags := p.tags(f.val, at)
			if f.key.Value == "tag" {
				r.Tag = tags
			} else {
				r.Untag, untag = tags, f.val
			}
			acts++
		case "priority":
			r.Priority = p.priority(f.val, at)
			acts++
		case "team":
			if s, ok := p.str(f.val, at); ok {
				if _, known := rs.Team(s); !known {
					p.add(f.val, at, "unknown team %q%s (teams are declared under teams:)", s, suggest(s, teamNames(rs)))
				}
				r.Team = s
			}
			acts++
		case "assign":
			r.Assign = p.assign(f.val, at)
			acts++
		case "stop":
			r.Stop = p.boolean(f.val, at)
			acts++
		}
	}
	if acts == 0 && n.Kind == yaml.MappingNode {
		p.add(n, where, "does nothing: give it tag, untag, priority, team, assign or stop")
	}
	for _, tag := range r.Tag {
		if slices.Contains(r.Untag, tag) {
			p.add(untag, join(where, "untag"), "%q is also in tag", tag)
		}
	}
	if t, ok := rs.Team(r.Team); ok && strings.Contains(r.Assign, "@") && !slices.Contains(t.Members, r.Assign) {
		p.add(n, where, "assigns %s, who is not a member of team %q", r.Assign, r.Team)
	}
	return r, len(p.problems) == before
}

func (p *parser) events(n *yaml.Node, where string) []Event {
	var out []Event
	for _, it := range p.strs(n, where) {
		ev, err := ParseEvent(it.val)
		if err != nil {
			hint := suggest(it.val, eventNames())
			if hint == "" {
				hint = "; want one of " + eventList()
			}
			p.add(it.node, where, "unknown event %q%s", it.val, hint)
			continue
		}
		if !slices.Contains(out, ev) {
			out = append(out, ev)
		}
	}
	return out
}

func (p *parser) tags(n *yaml.Node, where string) []string {
	var out []string
	for _, it := range p.strs(n, where) {
		tag, err := tickets.NormaliseTags([]string{it.val})
		if err != nil {
			p.add(it.node, where, "%s", tickets.ErrorMessage(err))
			continue
		}
		out = append(out, tag...)
	}
	tags, err := tickets.NormaliseTags(out)
	if err != nil {
		p.add(n, where, "%s", tickets.ErrorMessage(err))
	}
	return tags
}

func (p *parser) priority(n *yaml.Node, where string) string {
	s, ok := p.str(n, where)
	if !ok {
		return ""
	}
	switch s {
	case Raise, string(tickets.PriorityUrgent), string(tickets.PriorityHigh), string(tickets.PriorityMedium), string(tickets.PriorityLow):
		return s
	}
	p.add(n, where, "want urgent, high, medium, low or raise (got %q)", s)
	return ""
}

func (p *parser) assign(n *yaml.Node, where string) string {
	s, ok := p.str(n, where)
	if !ok {
		return ""
	}
	switch s {
	case AssignRoundRobin, AssignFewestOpen, AssignTeam:
		return s
	}
	if email, ok := agentEmail(s); ok {
		return email
	}
	p.add(n, where, "want an agent's email, round_robin, fewest_open or team (got %q)", s)
	return ""
}

// condition compiles a rule's `if`, reporting a compile error at its line
// and column in the file.
func (p *parser) condition(n *yaml.Node, where string) *vm.Program {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" || strings.TrimSpace(n.Value) == "" {
		p.add(n, where, "want an expression (leave if out for a rule that always applies)")
		return nil
	}
	prog, e := compileCondition(n.Value)
	if e != nil {
		line, col := p.position(n, e.Line, e.Column)
		p.addAt(line, col, where, "%s", e.Message)
	}
	return prog
}

// lookup returns the value of key in mapping n, or nil.
func lookup(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return resolve(n.Content[i+1])
		}
	}
	return nil
}

func teamNames(rs *RuleSet) []string {
	names := make([]string, len(rs.Teams))
	for i, t := range rs.Teams {
		names[i] = t.Name
	}
	return names
}
