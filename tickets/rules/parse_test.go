package rules

import (
	"errors"
	"strings"
	"testing"
)

func TestDefaultAndExampleLoad(t *testing.T) {
	if ps := Check("default.yaml", DefaultFile()); len(ps) > 0 {
		t.Fatalf("the built-in rules have problems:\n%v", Problems(ps))
	}
	rs := Default()
	if rs.Version != 1 || len(rs.Rules) == 0 || len(rs.Teams) != 5 || len(rs.Digest) != 12 {
		t.Errorf("Default() = version %d, %d rules, %d teams, digest %q", rs.Version, len(rs.Rules), len(rs.Teams), rs.Digest)
	}
	ex := load(t, "rules.yaml")
	if got, want := ex.Summary(), "rules.yaml: version 1, 8 rules, 4 teams, digest "+ex.Digest; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
	team, ok := ex.Team("dach")
	if !ok || team.Assign != AssignFewestOpen || team.Channel != "C0DACH" || strings.Join(team.Members, ",") != "dora@example.com,emil@example.com" {
		t.Errorf("team dach = %+v, %v", team, ok)
	}
	if got := ex.LeadChannel("billing"); got != "C0BILLING" {
		t.Errorf("LeadChannel(billing) = %q, want the team's channel when it has no lead channel", got)
	}
	if got := ex.Channel("nosuch"); got != "" {
		t.Errorf("Channel(nosuch) = %q, want the default channel", got)
	}
}

// Every problem of a file full of mistakes, with its line and column.
func TestCheckBrokenFileGolden(t *testing.T) {
	var b strings.Builder
	for _, p := range Check("broken.yaml", readFile(t, "broken.yaml")) {
		b.WriteString(p.String() + "\n")
	}
	golden(t, "broken.problems", b.String())
}

func TestCheckProblems(t *testing.T) {
	const head = "version: 1\nteams:\n  support: {members: [ana@example.com]}\nrules:\n"
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"the issue's example", head + "  - name: vip\n    if: customer.known && spnt > 1000\n    priority: high\n",
			[]string{`rules.yaml:6:27: rule "vip": if: unknown name spnt (did you mean customer.spent?)`}},
		{"nested misspelling", head + "  - name: vip\n    if: customer.spnt > 1000\n    priority: high\n",
			[]string{`rules.yaml:6:18: rule "vip": if: customer has no field spnt (did you mean spent?)`}},
		{"type error", head + "  - name: x\n    if: order.age_days > \"3\"\n    priority: high\n",
			[]string{`rules.yaml:6:24: rule "x": if: invalid operation: > (mismatched types float64 and string)`}},
		{"not a bool", head + "  - name: x\n    if: customer.spent\n    priority: high\n",
			[]string{`rules.yaml:6:9: rule "x": if: the condition must be true or false, but it gives float64`}},
		{"syntax error in a double-quoted condition", head + "  - name: x\n    if: \"subject ==\"\n    priority: high\n",
			[]string{`rules.yaml:6:19: rule "x": if: unexpected token EOF`}},
		{"bad regexp", head + "  - name: x\n    if: subject matches \"(\"\n    tag: x\n",
			[]string{"rules.yaml:6:17: rule \"x\": if: error parsing regexp: missing closing ): `(`"}},
		{"now() reads the clock", head + "  - name: x\n    if: now() > now\n    tag: x\n",
			[]string{`rules.yaml:6:9: rule "x": if: time.Time is not callable`}},
		{"second line of a | block", head + "  - name: x\n    if: |\n      subject != \"\" &&\n         prioritty == \"low\"\n    tag: x\n",
			[]string{`rules.yaml:8:10: rule "x": if: unknown name prioritty (did you mean priority?)`}},
		{"plain scalar over two lines", head + "  - name: x\n    if: subject != \"\" &&\n      tgs == []\n    tag: x\n",
			[]string{`rules.yaml:7:7: rule "x": if: unknown name tgs (did you mean tags?)`}},
		{"empty condition", head + "  - name: x\n    if:\n    tag: x\n",
			[]string{`rules.yaml:6:8: rule "x": if: want an expression (leave if out for a rule that always applies)`}},
		{"bad priority", head + "  - name: x\n    priority: critical\n",
			[]string{`rules.yaml:6:15: rule "x": priority: want urgent, high, medium, low or raise (got "critical")`}},
		{"unknown team", head + "  - name: x\n    team: suport\n",
			[]string{`rules.yaml:6:11: rule "x": team: unknown team "suport" (did you mean support?) (teams are declared under teams:)`}},
		{"assign someone outside the team", head + "  - name: x\n    team: support\n    assign: zed@example.com\n",
			[]string{`rules.yaml:5:5: rule "x": assigns zed@example.com, who is not a member of team "support"`}},
		{"duplicate names", head + "  - name: x\n    tag: a\n  - name: x\n    tag: b\n",
			[]string{`rules.yaml:7:11: rule "x": name: used twice (first on line 5)`}},
		{"duplicate key", head + "  - name: x\n    tag: a\n    tag: b\n",
			[]string{`rules.yaml:7:5: rule "x": tag: given twice (first on line 6)`}},
		{"unknown key", head + "  - name: x\n    tags: a\n",
			[]string{`rules.yaml:5:5: rule "x": does nothing: give it tag, untag, priority, team, assign or stop`,
				`rules.yaml:6:5: rule "x": unknown key "tags" (did you mean tag?)`}},
		{"bad event", head + "  - name: x\n    on: [ticket.created, sla.risk]\n    tag: a\n",
			[]string{`rules.yaml:6:26: rule "x": on: unknown event "sla.risk" (did you mean sla.at_risk?)`}},
		{"bad tag", head + "  - name: x\n    tag: [ok, not ok]\n",
			[]string{`rules.yaml:6:15: rule "x": tag: tag "not ok" may contain only a-z, 0-9, '-' and '_'`}},
		{"stop is a bool", head + "  - name: x\n    stop: yes\n",
			[]string{`rules.yaml:6:11: rule "x": stop: want true or false (got "yes")`}},
		{"bad name", head + "  - name: \"my rule\"\n    tag: a\n",
			[]string{`rules.yaml:5:11: rule "my rule": name: a rule name is letters, digits, '-', '_' and '.'`}},
		{"team member not an email", "version: 1\nteams:\n  support:\n    members: [ana]\nrules: []\n",
			[]string{`rules.yaml:4:15: team "support": members: "ana" is not an email address`}},
		{"team strategy", "version: 1\nteams:\n  support: {assign: random}\nrules: []\n",
			[]string{`rules.yaml:3:21: team "support": assign: want round_robin or fewest_open (got "random")`}},
		{"duplicate team", "version: 1\nteams:\n  a: {}\n  a: {}\nrules: []\n",
			[]string{`rules.yaml:4:3: team "a": given twice (first on line 3)`}},
		{"version 2", "version: 2\nrules: []\n",
			[]string{`rules.yaml:1:10: version: want 1, the only version there is (got "2")`}},
		{"no version", "rules: []\n",
			[]string{`rules.yaml:1:1: version is missing: write version: 1 at the top`}},
		{"no rules", "version: 1\n",
			[]string{`rules.yaml:1:1: rules is missing (write rules: [] for a file without rules)`}},
		{"empty file", "",
			[]string{`rules.yaml:1:1: the file is empty: want version: 1 and rules`}},
		{"comments only", "# nothing yet\n",
			[]string{`rules.yaml:1:1: the file is empty: want version: 1 and rules`}},
		{"not a mapping", "- a\n- b\n",
			[]string{`rules.yaml:1:1: want a mapping with version, teams, rules`}},
		{"YAML syntax", "version: 1\nrules:\n  - name: x\n  tag: [\n",
			// The YAML library names the line where the list began.
			[]string{`rules.yaml:2:1: YAML: did not find expected '-' indicator`}},
		{"tab indentation", "version: 1\n\trules: []\n",
			[]string{`rules.yaml:2:1: YAML: found a tab character that violates indentation`}},
		{"two documents", "version: 1\nrules: []\n---\nversion: 1\n",
			[]string{`rules.yaml:3:1: a second YAML document: a rules file is one document`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range Check("rules.yaml", []byte(tc.file)) {
				got = append(got, p.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestParseReturnsProblems(t *testing.T) {
	rs, err := Parse("x.yaml", []byte("version: 1\nrules:\n  - name: a\n    if: nope\n    tag: a\n  - name: b\n    if: nada\n    tag: b\n"))
	var ps Problems
	if rs != nil || !errors.As(err, &ps) || len(ps) != 2 {
		t.Fatalf("Parse = %v, %v; want nil and two problems", rs, err)
	}
	if want := "x.yaml:4:9: rule \"a\": if: unknown name nope (did you mean now?)\nx.yaml:7:9: rule \"b\": if: unknown name nada"; err.Error() != want {
		t.Errorf("error:\n%s\nwant:\n%s", err, want)
	}
}

// A broken file is refused and the rules in force stay.
func TestCurrentKeepsLastGood(t *testing.T) {
	cur := NewCurrent(Default())
	good := readFile(t, "rules.yaml")
	rs, err := cur.Reload("rules.yaml", good)
	if err != nil || cur.Get() != rs || rs.File != "rules.yaml" {
		t.Fatalf("Reload(good) = %v, %v; Get() = %v", rs, err, cur.Get())
	}
	kept, err := cur.Reload("rules.yaml", readFile(t, "broken.yaml"))
	if err == nil || kept != rs || cur.Get() != rs {
		t.Fatalf("Reload(broken) = %v, %v; want the last good set and problems", kept, err)
	}
}
