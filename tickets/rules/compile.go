package rules

import (
	"errors"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// exprOptions configures every condition: typed against env and required to
// give a bool, so both kinds of mistake are caught at load. The now()
// builtin is off because it reads the clock; `now` is the Context's instant.
func exprOptions() []expr.Option {
	return []expr.Option{
		expr.Env(env{}),
		expr.AsBool(),
		expr.DisableBuiltin("now"),
		expr.Timezone("UTC"),
		expr.Function("mentions", func(p ...any) (any, error) {
			words := make([]string, len(p)-1)
			for i, w := range p[1:] {
				words[i] = w.(string) // the declared type below makes the checker enforce it
			}
			return mentions(p[0].(string), words...), nil
		}, new(func(string, ...string) bool)),
	}
}

// exprError is a condition's compile error, positioned in the expression's
// own text: Line is 1-based, Column 0-based in characters, as expr counts.
type exprError struct {
	Line, Column int
	Message      string
}

// compileCondition compiles a rule's `if`.
func compileCondition(src string) (*vm.Program, *exprError) {
	prog, err := expr.Compile(src, exprOptions()...)
	if err == nil {
		if e := unknownName(src, prog); e != nil {
			return nil, e
		}
		return prog, nil
	}
	e := &exprError{Line: 1, Message: err.Error()}
	var fe *file.Error
	if errors.As(err, &fe) {
		e.Line, e.Column, e.Message = max(fe.Line, 1), max(fe.Column, 0), fe.Message
	}
	e.Message = explainExprMessage(strings.TrimSpace(e.Message))
	return nil, e
}

// explainExprMessage rewrites expr's message in the file's terms: nested
// names as the file spells them (customer, not rules.customerEnv) and a
// suggestion for a misspelt name.
func explainExprMessage(msg string) string {
	names, types := envNames()
	if name, ok := strings.CutPrefix(msg, "unknown name "); ok {
		return msg + suggest(name, names)
	}
	if rest, ok := strings.CutPrefix(msg, "type "); ok {
		// "type rules.customerEnv has no field spnt"
		f := strings.Fields(rest)
		if len(f) == 5 && f[1] == "has" && f[2] == "no" && types[f[0]] != "" {
			return types[f[0]] + " has no " + f[3] + " " + f[4] + suggest(f[4], nestedNames(types[f[0]]))
		}
	}
	if got, ok := strings.CutPrefix(msg, "expected bool, but got "); ok {
		msg = "the condition must be true or false, but it gives " + got
	}
	for goName, name := range types {
		msg = strings.ReplaceAll(msg, goName, name)
	}
	return msg
}

// unknownName finds a name the file does not define that the checker let
// through: expr does not report an unknown name used as an argument of a
// typed function (mentions(txt, "x") compiles), which would fail on every
// ticket instead of at load.
func unknownName(src string, prog *vm.Program) *exprError {
	names, _ := envNames()
	known := map[string]bool{"$env": true}
	for _, n := range names {
		top, _, _ := strings.Cut(n, ".")
		known[top] = true
	}
	node := prog.Node()
	ast.Walk(&node, letVisitor(known)) // Walk visits children first: learn the lets before their uses
	v := &identVisitor{known: known}
	ast.Walk(&node, v)
	if v.bad == nil {
		return nil
	}
	runes := []rune(src)
	from := min(max(v.bad.Location().From, 0), len(runes))
	before := string(runes[:from])
	line := strings.Count(before, "\n") + 1
	col := from
	if i := strings.LastIndexByte(before, '\n'); i >= 0 {
		col = len([]rune(before[i+1:]))
	}
	return &exprError{Line: line, Column: col, Message: "unknown name " + v.bad.Value + suggest(v.bad.Value, names)}
}

type identVisitor struct {
	known map[string]bool
	bad   *ast.IdentifierNode
}

func (v *identVisitor) Visit(n *ast.Node) {
	if id, ok := (*n).(*ast.IdentifierNode); ok && !v.known[id.Value] && v.bad == nil {
		v.bad = id
	}
}

// letVisitor adds the names `let` declares to known.
type letVisitor map[string]bool

func (known letVisitor) Visit(n *ast.Node) {
	if d, ok := (*n).(*ast.VariableDeclaratorNode); ok {
		known[d.Name] = true
	}
}
