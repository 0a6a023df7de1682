// Package slacktest is a fake Slack Web API for tests and the demo. It
// extends slack-go's slacktest server (through its binders) with what the
// hub uses and that server lacks or gets wrong: chat.postMessage with
// unique ts values and recorded blocks, chat.update, views.open,
// views.publish, users.info from a directory of users, reactions.add,
// conversations.history, response_url posts, and failure injection: 429
// with Retry-After and ok:false answers, per method or per channel. It
// enforces Slack's published pacing (see pacing.go).
package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	upstream "github.com/slack-go/slack/slacktest"
	"golang.org/x/time/rate"
)

// Defaults for the fake workspace.
const (
	Token     = "xoxb-test-token"
	TeamID    = "T0HUB"
	BotUserID = "UHUBBOT"
	BotID     = "BHUBBOT"
)

// User is a member of the fake workspace.
type User struct {
	ID, TeamID, Name, Email string
	IsBot, Deleted, Guest   bool
}

// Posted is a message the hub posted, as it is now (after updates).
type Posted struct {
	Channel  string
	TS       string
	ThreadTS string
	User     string // the author for AddHistory messages; "" for the hub's posts
	Text     string
	Blocks   json.RawMessage
	Updates  int
	At       time.Time // when it was posted
}

// Call is one Web API call.
type Call struct {
	Method string
	Form   url.Values      // form-encoded calls
	JSON   json.RawMessage // JSON calls (views.*)
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	up *upstream.Server

	mu        sync.Mutex
	token     string
	seq       int64
	calls     []Call
	lean      bool // keep no calls (benchmarks): Count and Calls see none
	messages  []*Posted
	byTS      map[string]*Posted // channel + " " + ts → message
	users     map[string]User
	failures  map[string][]failure // by method
	channels  map[string]string    // channel → error code
	views     []json.RawMessage
	responses []json.RawMessage
	limits    map[string]Limit
	buckets   map[bucketKey]*rate.Limiter
	limited   map[string]int
}

type failure struct {
	code       string // ok:false error, or "" for a 429
	retryAfter string
}

// New starts a fake workspace with the default token, team and bot.
func New() *Server {
	s := &Server{token: Token, seq: 1700000000000000, users: map[string]User{}, failures: map[string][]failure{}, channels: map[string]string{}, byTS: map[string]*Posted{},
		limits: maps.Clone(limits), buckets: map[bucketKey]*rate.Limiter{}, limited: map[string]int{}}
	s.up = upstream.NewTestServer(func(c upstream.Customize) {
		for method, h := range map[string]func(Call) (any, string){
			"auth.test":             s.authTest,
			"chat.postMessage":      s.postMessage,
			"chat.update":           s.update,
			"chat.postEphemeral":    func(Call) (any, string) { return map[string]any{"message_ts": s.nextTS()}, "" },
			"views.open":            s.viewsOpen,
			"views.publish":         s.viewsPublish,
			"users.info":            s.usersInfo,
			"reactions.add":         func(Call) (any, string) { return map[string]any{}, "" },
			"conversations.history": s.history,
		} {
			c.Handle("/"+method, s.handler(method, h))
		}
		c.Handle("/respond/", s.respond)
		c.Handle("/_fake/messages", s.inspectMessages)
		c.Handle("/_fake/responses", s.inspectResponses)
	})
	s.up.Start()
	return s
}

// URL is the API base to give the client (SLACK_API_URL).
func (s *Server) URL() string { return s.up.GetAPIURL() }

// ResponseURL is a response_url that the fake records posts to.
func (s *Server) ResponseURL(id string) string { return s.URL() + "respond/" + id }

// Close stops the server.
func (s *Server) Close() { s.up.Stop() }

// AddUser adds a member to the workspace's directory.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.TeamID == "" {
		u.TeamID = TeamID
	}
	s.users[u.ID] = u
}

// Fail makes the next n calls of method answer ok:false with code.
func (s *Server) Fail(method, code string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[method] = append(s.failures[method], failure{code: code})
	}
}

// RateLimit makes the next n calls of method answer 429 with Retry-After.
func (s *Server) RateLimit(method, retryAfter string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[method] = append(s.failures[method], failure{retryAfter: retryAfter})
	}
}

// ChannelError makes every post to or update in channel answer ok:false
// with code ("channel_not_found", "is_archived", ...); "" clears it.
func (s *Server) ChannelError(channel, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[channel] = code
}

// Revoke makes the token invalid: every call answers token_revoked.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = ""
}

// Count is how many calls of method were made (including failed ones).
func (s *Server) Count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Method == method {
			n++
		}
	}
	return n
}

// Calls returns the calls of method, oldest first.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Messages returns the messages posted to channel (all channels for ""),
// oldest first, as they are now.
func (s *Server) Messages(channel string) []Posted {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Posted
	for _, m := range s.messages {
		if channel == "" || m.Channel == channel {
			out = append(out, *m)
		}
	}
	return out
}

// Thread returns the replies posted in the thread of (channel, ts).
func (s *Server) Thread(channel, ts string) []Posted {
	var out []Posted
	for _, m := range s.Messages(channel) {
		if m.ThreadTS == ts {
			out = append(out, m)
		}
	}
	return out
}

// Views returns the views opened, oldest first.
func (s *Server) Views() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]json.RawMessage(nil), s.views...)
}

// Responses returns what was posted to response URLs, oldest first.
func (s *Server) Responses() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]json.RawMessage(nil), s.responses...)
}

// AddHistory puts a message into a channel's history, as if a person had
// posted it, and returns its ts.
func (s *Server) AddHistory(channel, user, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.nextTSLocked()
	s.addLocked(&Posted{Channel: channel, TS: ts, Text: text, User: user, At: time.Now()})
	return ts
}

func (s *Server) addLocked(m *Posted) {
	s.messages = append(s.messages, m)
	s.byTS[m.Channel+" "+m.TS] = m
}

// Lean stops recording calls, for benchmarks that make hundreds of
// thousands: Count and Calls then see none; Messages still works.
func (s *Server) Lean() {
	s.mu.Lock()
	s.lean, s.calls = true, nil
	s.mu.Unlock()
}

func (s *Server) nextTS() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextTSLocked()
}

// nextTSLocked returns a unique ts: slack-go's fake gives whole seconds, so
// two posts in one second would share a ts.
func (s *Server) nextTSLocked() string {
	s.seq++
	return fmt.Sprintf("%d.%06d", s.seq/1000000, s.seq%1000000)
}

// handler records a call, applies injected failures and the token check,
// and answers {"ok": true, ...result} or {"ok": false, "error": code}.
func (s *Server) handler(method string, h func(Call) (any, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		call := Call{Method: method}
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			call.JSON = body
		} else {
			call.Form, _ = url.ParseQuery(string(body))
			if q := r.URL.Query(); len(q) > 0 && len(call.Form) == 0 {
				call.Form = q
			}
			if t := call.Form.Get("token"); t != "" {
				token = t
			}
		}
		s.mu.Lock()
		if !s.lean {
			s.calls = append(s.calls, call)
		}
		var f *failure
		if q := s.failures[method]; len(q) > 0 {
			f, s.failures[method] = &q[0], q[1:]
		}
		valid := s.token != "" && token == s.token
		revoked := s.token == ""
		var wait time.Duration
		paced := true
		if f == nil && valid {
			wait, paced = s.paceLocked(method, call.Form.Get("channel"), time.Now())
		}
		s.mu.Unlock()

		w.Header().Set("Content-Type", "application/json")
		switch {
		case !paced:
			writeRateLimited(w, wait)
			return
		case f != nil && f.code == "":
			w.Header().Set("Retry-After", f.retryAfter)
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"ok":false,"error":"ratelimited"}`))
			return
		case f != nil:
			writeJSON(w, map[string]any{"ok": false, "error": f.code})
			return
		case revoked:
			writeJSON(w, map[string]any{"ok": false, "error": "token_revoked"})
			return
		case !valid:
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		result, code := h(call)
		if code != "" {
			writeJSON(w, map[string]any{"ok": false, "error": code})
			return
		}
		out := map[string]any{"ok": true}
		if m, ok := result.(map[string]any); ok {
			for k, v := range m {
				out[k] = v
			}
		}
		writeJSON(w, out)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	_, _ = w.Write(b)
}
