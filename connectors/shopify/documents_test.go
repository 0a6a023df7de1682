package shopify

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hub/connectors/shopify/querycost"
)

// maxDocumentCost is what any one document may ask for: well under
// Shopify's limit of 1,000, so that a Standard shop's bucket (1,000 points)
// holds a few look-ups at once.
const maxDocumentCost = 300

// Every GraphQL document the connector sends, found in its source (each
// string constant that is a query or a mutation), asks for at most
// maxDocumentCost points with the largest page the client ever requests.
// A document that needs a variable this test does not know fails too.
func TestDocumentsStayUnderShopifysLimit(t *testing.T) {
	docs := graphqlDocuments(t)
	if len(docs) < 4 {
		t.Fatalf("found %d documents; the scan is broken", len(docs))
	}
	// The subscription check (webhooks/shopify) sends these two every hour
	// for every shop: they must be among the documents checked.
	ops := map[string]bool{}
	for _, doc := range docs {
		if c, err := querycost.Requested(doc, map[string]any{"first": maxPage}); err == nil {
			ops[c.Operation] = true
		}
	}
	for _, op := range []string{"HubWebhooks", "HubSubscribe"} {
		if !ops[op] {
			t.Errorf("%s is not among the documents found", op)
		}
	}
	worst := map[string]any{"first": maxPage, "id": "gid://shopify/Order/1", "query": "email:x", "topic": "ORDERS_CREATE", "sub": map[string]any{}}
	for name, doc := range docs {
		c, err := querycost.Requested(doc, worst)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		t.Logf("%s (%s): requested cost %d", name, c.Operation, c.Requested)
		if c.Requested > maxDocumentCost {
			t.Errorf("%s (%s) asks for %d points, over %d (Shopify refuses more than %d)", name, c.Operation, c.Requested, maxDocumentCost, querycost.Limit)
		}
	}
}

// graphqlDocuments evaluates the package's string constants (literals
// joined with +) and returns those that hold an operation, by name.
func graphqlDocuments(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	exprs := map[string]ast.Expr{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if i < len(vs.Values) {
						exprs[id.Name] = vs.Values[i]
					}
				}
			}
		}
	}
	var eval func(e ast.Expr) (string, bool)
	eval = func(e ast.Expr) (string, bool) {
		switch x := e.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(x.Value)
			return s, err == nil
		case *ast.Ident:
			if v, ok := exprs[x.Name]; ok {
				return eval(v)
			}
		case *ast.ParenExpr:
			return eval(x.X)
		case *ast.BinaryExpr:
			if x.Op == token.ADD {
				a, ok1 := eval(x.X)
				b, ok2 := eval(x.Y)
				return a + b, ok1 && ok2
			}
		}
		return "", false
	}
	out := map[string]string{}
	for name, e := range exprs {
		s, ok := eval(e)
		s = strings.TrimSpace(s)
		if ok && (strings.HasPrefix(s, "query ") || strings.HasPrefix(s, "mutation ")) {
			out[name] = s
		}
	}
	return out
}

// A query over Shopify's single-query limit is refused before any call, and
// Shopify's own MAX_COST_EXCEEDED (should it count higher) is the same
// permanent error: never a rate limit to wait out and retry.
func TestQueryOverTheLimitIsPermanent(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"errors":[{"message":"Query cost is 3552, which exceeds the single query max cost limit (1000).",`+
			`"extensions":{"code":"MAX_COST_EXCEEDED","cost":3552,"maxCost":1000}}],`+
			`"extensions":{"cost":{"requestedQueryCost":3552,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":1000,"currentlyAvailable":1000,"restoreRate":100}}}}`)
	}))
	defer srv.Close()
	c, err := NewClient(Config{Shop: "acme.myshopify.com", Tokens: StaticToken("shpat_x"), BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	costly := `query HubOrderSearch($query: String!, $first: Int!) { orders(first: $first, query: $query) { nodes { ...HubOrder } } }` + orderFields
	vars := map[string]any{"query": "email:\"ada.lovelace@example.com\"", "first": 10}
	var out any
	if err := c.query(context.Background(), "costly", costly, vars, &out); !IsQueryCost(err) || calls.Load() != 0 {
		t.Fatalf("local refusal: %v (Shopify was asked %d times)", err, calls.Load())
	}
	err = c.call(context.Background(), "costly", "shpat_x", costly, vars, &out, 0)
	var rl interface{ RetryAfter() time.Duration }
	if !IsQueryCost(err) || errors.As(err, &rl) || calls.Load() != 1 {
		t.Errorf("Shopify's refusal: %v", err)
	}
}
