package rules

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Parse reads a rules file; name is how messages call it ("rules.yaml").
// A file with any problem is refused whole: Parse returns nil and every
// problem found, as Problems.
func Parse(name string, data []byte) (*RuleSet, error) {
	rs, ps := parse(name, data)
	if len(ps) > 0 {
		return nil, ps
	}
	return rs, nil
}

// Check returns every problem in a rules file, in file order; none means
// Parse accepts it. It is what `hub rules check FILE` prints.
func Check(name string, data []byte) []Problem {
	_, ps := parse(name, data)
	return ps
}

// parser collects problems while it walks the file's YAML nodes, which keep
// the line and column of everything.
type parser struct {
	file     string
	lines    []string // the source, to place errors inside expressions
	problems Problems
}

func parse(name string, data []byte) (*RuleSet, Problems) {
	p := &parser{file: name, lines: strings.Split(string(data), "\n")}
	sum := sha256.Sum256(data)
	rs := &RuleSet{File: name, Digest: hex.EncodeToString(sum[:])[:12]}
	if root := p.document(data); root != nil && resolve(root).Kind != yaml.MappingNode {
		p.add(root, "", "want a mapping with version, teams, rules")
	} else if root != nil {
		var version, teams, rules *yaml.Node
		for _, f := range p.mapping(root, "", "version", "teams", "rules") {
			switch f.key.Value {
			case "version":
				version = f.val
			case "teams":
				teams = f.val
			case "rules":
				rules = f.val
			}
		}
		rs.Version = p.version(root, version)
		rs.Teams = p.teams(teams)
		if rules == nil {
			p.add(root, "", "rules is missing (write rules: [] for a file without rules)")
		} else {
			rs.Rules = p.rules(rules, rs)
		}
	}
	slices.SortStableFunc(p.problems, func(a, b Problem) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
	return rs, p.problems
}

// document returns the file's root node, or nil after reporting why there
// is none.
func (p *parser) document(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		p.syntax(err)
		return nil
	}
	if len(doc.Content) == 0 {
		p.addAt(1, 1, "", "the file is empty: want version: 1 and rules")
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		p.add(&extra, "", "a second YAML document: a rules file is one document")
	case !errors.Is(err, io.EOF):
		p.syntax(err)
	}
	return doc.Content[0]
}

// syntax reports a YAML syntax error. The library names the line in its
// message ("yaml: line 7: did not find expected key") but not the column.
func (p *parser) syntax(err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, tail, ok := strings.Cut(rest, ": "); ok {
			if l, err := strconv.Atoi(n); err == nil {
				line, msg = l, tail
			}
		}
	}
	p.addAt(line, 1, "", "YAML: %s", msg)
}

func (p *parser) version(root, n *yaml.Node) int {
	if n == nil {
		p.add(root, "", "version is missing: write version: 1 at the top")
		return 0
	}
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil || v != 1 {
		p.add(n, "version", "want 1, the only version there is (got %q)", n.Value)
		return 0
	}
	return v
}

func (p *parser) add(n *yaml.Node, where, format string, args ...any) {
	p.addAt(n.Line, n.Column, where, format, args...)
}

func (p *parser) addAt(line, col int, where, format string, args ...any) {
	p.problems = append(p.problems, Problem{File: p.file, Line: line, Column: col, Where: where, Message: fmt.Sprintf(format, args...)})
}

// field is one key and its value in a YAML mapping.
type field struct{ key, val *yaml.Node }

// mapping returns n's fields with aliases resolved, reporting a node that is
// not a mapping, keys given twice and keys not in allowed (with the allowed
// key they most resemble). Reported fields are left out.
func (p *parser) mapping(n *yaml.Node, where string, allowed ...string) []field {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		p.add(n, where, "want a mapping with %s", strings.Join(allowed, ", "))
		return nil
	}
	var out []field
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		at := join(where, k.Value)
		switch line, dup := seen[k.Value]; {
		case dup:
			p.add(k, at, "given twice (first on line %d)", line)
		case !slices.Contains(allowed, k.Value):
			p.add(k, where, "unknown key %q%s", k.Value, suggest(k.Value, allowed))
		default:
			seen[k.Value] = k.Line
			out = append(out, field{k, v})
		}
	}
	return out
}

// str reads a scalar that must not be empty.
func (p *parser) str(n *yaml.Node, where string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" || strings.TrimSpace(n.Value) == "" {
		p.add(n, where, "want a value")
		return "", false
	}
	return strings.TrimSpace(n.Value), true
}

// item is one value of a scalar-or-list field, with its node for messages.
type item struct {
	val  string
	node *yaml.Node
}

// strs reads one scalar or a list of them.
func (p *parser) strs(n *yaml.Node, where string) []item {
	if n.Kind == yaml.ScalarNode {
		if s, ok := p.str(n, where); ok {
			return []item{{s, n}}
		}
		return nil
	}
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.add(n, where, "want a value or a list of values")
		return nil
	}
	var out []item
	for _, c := range n.Content {
		c = resolve(c)
		if s, ok := p.str(c, where); ok {
			out = append(out, item{s, c})
		}
	}
	return out
}

func (p *parser) boolean(n *yaml.Node, where string) bool {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		p.add(n, where, "want true or false (got %q)", n.Value)
		return false
	}
	return n.Value == "true"
}

func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func join(where, key string) string {
	if where == "" {
		return key
	}
	return where + ": " + key
}

// isName reports whether s is a usable rule or team name: letters, digits,
// '-', '_' and '.', starting with a letter or digit, at most 64 bytes, so
// that it reads well in the audit trail and on the command line.
func isName(s string) bool {
	if s == "" || len(s) > 64 || strings.ContainsAny(s[:1], "-_.") {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == ""
}
