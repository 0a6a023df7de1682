// Package querycost computes the requested cost of a GraphQL document as
// Shopify's Admin API does before it runs one: the points a shop's bucket
// must hold for the query to start, and what Shopify compares with its
// single-query limit of 1,000 points (MAX_COST_EXCEEDED).
//
// Shopify's published rules, applied without the schema: a scalar or enum
// field costs 0; an object costs 1 plus its fields; a connection (or a list
// paged with first:/last:) costs 2 plus first × the cost of one node, so
// nested connections multiply; a mutation's top-level field costs 10.
// Without a schema a field with a selection set is an object, and one with
// a first: or last: argument is a connection; a list without paging
// arguments counts as one object. The connector's own documents and the fake
// Admin API both use this one implementation.
package querycost

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Limit is the largest requested cost Shopify runs in one query.
const Limit = 1000

// Mutation is the cost of each top-level mutation field.
const Mutation = 10

// Cost is a document's first operation and what it asks for.
type Cost struct {
	Operation string // the operation's name ("HubOrder"), "" if anonymous
	Mutation  bool
	Requested int
}

// Requested parses query and returns the requested cost of its first
// operation with these variables (first: may be a variable). Values may be
// Go numbers or JSON-decoded float64s.
func Requested(query string, vars map[string]any) (Cost, error) {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return Cost{}, fmt.Errorf("querycost: parse: %w", err)
	}
	if len(doc.Operations) == 0 {
		return Cost{}, fmt.Errorf("querycost: the document has no operation")
	}
	op := doc.Operations[0]
	c := counter{doc: doc, vars: vars, op: op}
	out := Cost{Operation: op.Name, Mutation: op.Operation == ast.Mutation}
	if out.Mutation {
		for _, sel := range op.SelectionSet {
			if f, ok := sel.(*ast.Field); ok && !meta(f) {
				out.Requested += Mutation
			}
		}
		return out, nil
	}
	n, err := c.set(op.SelectionSet, 0)
	if err != nil {
		return Cost{}, err
	}
	if n > math.MaxInt32 {
		n = math.MaxInt32
	}
	out.Requested = int(n)
	return out, nil
}

type counter struct {
	doc  *ast.QueryDocument
	vars map[string]any
	op   *ast.OperationDefinition
}

// maxDepth bounds fragment spreads that refer to themselves.
const maxDepth = 64

func (c counter) set(set ast.SelectionSet, depth int) (float64, error) {
	if depth > maxDepth {
		return 0, fmt.Errorf("querycost: selections nested deeper than %d (a fragment cycle?)", maxDepth)
	}
	var sum float64
	for _, sel := range set {
		var n float64
		var err error
		switch s := sel.(type) {
		case *ast.Field:
			n, err = c.field(s, depth)
		case *ast.FragmentSpread:
			f := c.doc.Fragments.ForName(s.Name)
			if f == nil {
				return 0, fmt.Errorf("querycost: unknown fragment %q", s.Name)
			}
			n, err = c.set(f.SelectionSet, depth+1)
		case *ast.InlineFragment:
			// An interface's or union's branches: Shopify takes the
			// largest; counting each is an upper bound, and the hub's
			// documents have none.
			n, err = c.set(s.SelectionSet, depth+1)
		}
		if err != nil {
			return 0, err
		}
		sum += n
	}
	return sum, nil
}

func (c counter) field(f *ast.Field, depth int) (float64, error) {
	if meta(f) || len(f.SelectionSet) == 0 {
		return 0, nil // scalar or enum
	}
	page, paged, err := c.pageSize(f)
	if err != nil {
		return 0, err
	}
	if !paged {
		n, err := c.set(f.SelectionSet, depth+1)
		return 1 + n, err
	}
	node, err := c.node(f, depth)
	if err != nil {
		return 0, err
	}
	return 2 + page*node, nil
}

// node is the cost of one item of a paged field: the object under a
// connection's nodes or edges.node, or the list's own object.
func (c counter) node(f *ast.Field, depth int) (float64, error) {
	connection := false
	var best float64
	for _, sel := range f.SelectionSet {
		s, ok := sel.(*ast.Field)
		if !ok {
			continue
		}
		switch s.Name {
		case "nodes":
			connection = true
			n, err := c.field(s, depth+1)
			if err != nil {
				return 0, err
			}
			best = max(best, n)
		case "edges":
			connection = true
			for _, e := range s.SelectionSet {
				if en, ok := e.(*ast.Field); ok && en.Name == "node" {
					n, err := c.field(en, depth+2)
					if err != nil {
						return 0, err
					}
					best = max(best, n)
				}
			}
		case "pageInfo":
			connection = true // part of the connection's own 2 points
		}
	}
	if connection {
		return best, nil
	}
	n, err := c.set(f.SelectionSet, depth+1)
	return 1 + n, err
}

// pageSize is the field's first: (or last:) argument, when it has one.
func (c counter) pageSize(f *ast.Field) (float64, bool, error) {
	for _, name := range []string{"first", "last"} {
		a := f.Arguments.ForName(name)
		if a == nil {
			continue
		}
		v, err := c.value(a.Value)
		if err != nil {
			return 0, false, fmt.Errorf("querycost: %s(%s:): %w", f.Name, name, err)
		}
		return max(v, 0), true, nil
	}
	return 0, false, nil
}

func (c counter) value(v *ast.Value) (float64, error) {
	switch v.Kind {
	case ast.IntValue:
		return strconv.ParseFloat(v.Raw, 64)
	case ast.Variable:
		if x, ok := c.vars[v.Raw]; ok {
			return number(x)
		}
		if d := c.op.VariableDefinitions.ForName(v.Raw); d != nil && d.DefaultValue != nil {
			return c.value(d.DefaultValue)
		}
		return 0, fmt.Errorf("variable $%s has no value", v.Raw)
	}
	return 0, fmt.Errorf("want an integer, got %s", v.String())
}

func number(x any) (float64, error) {
	switch n := x.(type) {
	case int:
		return float64(n), nil
	case int32:
		return float64(n), nil
	case int64:
		return float64(n), nil
	case float64:
		return n, nil
	case json.Number:
		return n.Float64()
	}
	return 0, fmt.Errorf("want a number, got %T", x)
}

// meta reports an introspection field (__typename), which costs nothing.
func meta(f *ast.Field) bool { return len(f.Name) > 1 && f.Name[:2] == "__" }
