// Package zapiertest is a fake of Zapier's hook endpoints
// (hooks.zapier.com/hooks/standard/...) for tests and the demo: it records
// what each hook received and answers as Zapier does, or as a test
// scripts it (410 for a dead subscription, 500, 429 with Retry-After, a
// redirect).
package zapiertest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
)

// Reply is one scripted answer.
type Reply struct {
	Status   int
	Header   map[string]string
	Body     string
	Location string // for redirects
}

// Server is a fake Zapier hook host on 127.0.0.1.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	received map[string][][]byte
	script   map[string][]Reply // per hook, consumed in order; the last one repeats
	seq      atomic.Int64
}

// NewServer starts a fake; Close it when done.
func NewServer() *Server {
	s := &Server{received: map[string][][]byte{}, script: map[string][]Reply{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Prefix is the allowlist entry for this fake (its base URL with a slash).
func (s *Server) Prefix() string { return s.URL + "/" }

// HookURL is the target URL of the hook called name, shaped like Zapier's.
func (s *Server) HookURL(name string) string { return s.URL + "/hooks/standard/1/" + name + "/" }

// Script sets the answers for a hook, in order; the last one repeats.
// Without a script a hook answers like Zapier: 200 with a JSON status.
func (s *Server) Script(name string, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script[name] = replies
}

// Received returns the bodies a hook received, oldest first.
func (s *Server) Received(name string) [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.received[name]...)
}

// ReceivedJSON decodes what a hook received.
func (s *Server) ReceivedJSON(name string) []map[string]any {
	var out []map[string]any
	for _, b := range s.Received(name) {
		var m map[string]any
		if json.Unmarshal(b, &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, "/hooks/standard/1/")
	name = strings.TrimSuffix(name, "/")
	if !ok || name == "" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)

	s.mu.Lock()
	reply := Reply{Status: http.StatusOK}
	if list := s.script[name]; len(list) > 0 {
		reply = list[0]
		if len(list) > 1 {
			s.script[name] = list[1:]
		}
	}
	// Zapier records a delivery only when it accepts it.
	if reply.Status >= 200 && reply.Status < 300 {
		s.received[name] = append(s.received[name], body)
	}
	s.mu.Unlock()

	for k, v := range reply.Header {
		w.Header().Set(k, v)
	}
	if reply.Location != "" {
		w.Header().Set("Location", reply.Location)
	}
	if reply.Body == "" && reply.Status == http.StatusOK {
		w.Header().Set("Content-Type", "application/json")
		n := s.seq.Add(1)
		reply.Body = `{"attempt":"` + itoa(n) + `","id":"` + itoa(n) + `","request_id":"` + itoa(n) + `","status":"success"}`
	}
	w.WriteHeader(reply.Status)
	_, _ = io.WriteString(w, reply.Body)
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
