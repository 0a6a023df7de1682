package api_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"hub/tickets"
	"hub/tickets/api"
)

// brokenStore fails every call it implements with err; calling any other
// method panics, which is fine for these tests.
type brokenStore struct {
	api.Store
	err error
}

func (s brokenStore) GetTicket(context.Context, string) (tickets.Ticket, error) {
	return tickets.Ticket{}, s.err
}

var errDown = errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")

// TestErrorMapping checks the one place errors become statuses, without a
// database: domain codes, an unreachable database, and an internal error
// whose detail is logged and never shown.
func TestErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
		text   string
	}{
		{"invalid", tickets.Invalid("status", "status is bad"), 400, "invalid", "status is bad"},
		{"not found", fmt.Errorf("wrapped: %w", tickets.Errorf(tickets.ENOTFOUND, "no ticket")), 404, "not_found", "no ticket"},
		{"conflict", tickets.Errorf(tickets.ECONFLICT, "closed"), 409, "conflict", "closed"},
		{"unavailable", tickets.Errorf(tickets.EUNAVAILABLE, "try later"), 503, "unavailable", "try later"},
		{"database down", fmt.Errorf("postgres: get ticket: %w", errDown), 503, "unavailable", "retry later"},
		{"internal", errors.New("postgres: scan: column 7 is secret"), 500, "internal", "internal error"},
		{"internal *Error", tickets.Errorf(tickets.EINTERNAL, "column 7 is secret"), 500, "internal", "internal error"},
		{"unknown code", tickets.Errorf("weird", "column 7 is secret"), 500, "internal", "internal error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			s := api.New(api.Config{
				Store:         brokenStore{err: tc.err},
				Keys:          staticKeys{},
				Logger:        slog.New(slog.NewTextHandler(&logs, nil)),
				IsUnavailable: func(err error) bool { return errors.Is(err, errDown) },
			})
			res := serve(t, mount(s), "GET", "/api/v1/tickets/1042", "good")
			e := want[apiError](t, res, tc.status)
			if e.Error.Code != tc.code || e.Error.Message != tc.text && !strings.Contains(e.Error.Message, tc.text) {
				t.Errorf("error = %+v, want %s %q", e.Error, tc.code, tc.text)
			}
			if strings.Contains(string(res.body), "secret") {
				t.Errorf("response shows the internal detail: %s", res.body)
			}
			if ra := res.header.Get("Retry-After"); (tc.status == 503) != (ra != "") {
				t.Errorf("status %d with Retry-After %q: every 503, and only a 503, asks the caller to wait", tc.status, ra)
			}
			if tc.status >= 500 && !strings.Contains(logs.String(), tc.err.Error()) {
				t.Errorf("log lacks the detail %q: %s", tc.err, logs.String())
			}
		})
	}
}

// staticKeys accepts the key "good" and is down for the key "down".
type staticKeys struct{}

func (staticKeys) Authenticate(_ context.Context, key string) (api.Identity, error) {
	switch key {
	case "good":
		return api.Identity{ID: "k1", Name: "test"}, nil
	case "down":
		return api.Identity{}, errDown
	}
	return api.Identity{}, tickets.Errorf(tickets.EUNAUTHORIZED, "unknown API key")
}

func TestRequireKey(t *testing.T) {
	s := api.New(api.Config{
		Store:         brokenStore{},
		Keys:          staticKeys{},
		IsUnavailable: func(err error) bool { return errors.Is(err, errDown) },
	})
	// cmd/hub protects other routes (the queue dashboard) with the same check.
	admin := s.RequireKey(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := api.IdentityFrom(r.Context())
		io.WriteString(w, id.Name)
	}))
	for _, tc := range []struct {
		key    string
		status int
		body   string
	}{
		{"good", 200, "test"},
		{"goo", 401, `"unauthorized"`},
		{"", 401, "missing API key"},
		{"down", 503, `"unavailable"`},
	} {
		res := serve(t, admin, "GET", "/admin/queues", tc.key)
		if res.status != tc.status || !strings.Contains(string(res.body), tc.body) {
			t.Errorf("key %q: %d %s, want %d with %s", tc.key, res.status, res.body, tc.status, tc.body)
		}
		if tc.status == 503 && res.header.Get("Retry-After") == "" {
			t.Errorf("key %q: 503 without Retry-After (the key check failed because the database is down)", tc.key)
		}
	}
	// A wrapper's own challenge (a Basic prompt for browsers) is kept.
	basic := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="admin"`)
		admin.ServeHTTP(w, r)
	})
	if res := serve(t, basic, "GET", "/admin/queues", ""); res.header.Get("WWW-Authenticate") != `Basic realm="admin"` {
		t.Errorf("WWW-Authenticate = %q", res.header.Values("WWW-Authenticate"))
	}
}

// serve sends one request straight to h.
func serve(t *testing.T, h http.Handler, method, path, key string) response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}
