package slacktest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

func (s *Server) authTest(Call) (any, string) {
	return map[string]any{"team_id": TeamID, "team": "Hub Test", "user_id": BotUserID, "user": "hub", "bot_id": BotID, "url": "https://hub-test.slack.com/"}, ""
}

func (s *Server) postMessage(c Call) (any, string) {
	ch := c.Form.Get("channel")
	s.mu.Lock()
	defer s.mu.Unlock()
	if code := s.channels[ch]; code != "" {
		return nil, code
	}
	if ch == "" {
		return nil, "channel_not_found"
	}
	m := &Posted{Channel: ch, TS: s.nextTSLocked(), ThreadTS: c.Form.Get("thread_ts"), Text: c.Form.Get("text"), Blocks: rawBlocks(c.Form.Get("blocks")), At: time.Now()}
	s.addLocked(m)
	return map[string]any{"channel": ch, "ts": m.TS, "message": map[string]any{"text": m.Text, "ts": m.TS, "bot_id": BotID, "user": BotUserID}}, ""
}

func (s *Server) update(c Call) (any, string) {
	ch, ts := c.Form.Get("channel"), c.Form.Get("ts")
	s.mu.Lock()
	defer s.mu.Unlock()
	if code := s.channels[ch]; code != "" {
		return nil, code
	}
	m := s.byTS[ch+" "+ts]
	if m == nil {
		return nil, "message_not_found"
	}
	if m.User != "" {
		return nil, "cant_update_message"
	}
	m.Text, m.Blocks = c.Form.Get("text"), rawBlocks(c.Form.Get("blocks"))
	m.Updates++
	return map[string]any{"channel": ch, "ts": ts, "text": m.Text}, ""
}

func (s *Server) viewsOpen(c Call) (any, string) {
	var req struct {
		TriggerID string          `json:"trigger_id"`
		View      json.RawMessage `json:"view"`
	}
	if json.Unmarshal(c.JSON, &req) != nil || req.TriggerID == "" {
		return nil, "invalid_arguments"
	}
	if strings.HasPrefix(req.TriggerID, "expired") {
		return nil, "expired_trigger_id"
	}
	s.mu.Lock()
	s.views = append(s.views, req.View)
	s.mu.Unlock()
	return map[string]any{"view": map[string]any{"id": "V" + req.TriggerID}}, ""
}

func (s *Server) viewsPublish(c Call) (any, string) {
	var req struct {
		UserID string          `json:"user_id"`
		View   json.RawMessage `json:"view"`
	}
	if json.Unmarshal(c.JSON, &req) != nil || req.UserID == "" {
		return nil, "invalid_arguments"
	}
	return map[string]any{"view": map[string]any{"id": "VHOME" + req.UserID}}, ""
}

func (s *Server) usersInfo(c Call) (any, string) {
	s.mu.Lock()
	u, ok := s.users[c.Form.Get("user")]
	s.mu.Unlock()
	if !ok {
		return nil, "user_not_found"
	}
	return map[string]any{"user": map[string]any{
		"id": u.ID, "team_id": u.TeamID, "name": strings.ToLower(strings.ReplaceAll(u.Name, " ", ".")),
		"real_name": u.Name, "deleted": u.Deleted, "is_bot": u.IsBot,
		"is_restricted": u.Guest, "is_ultra_restricted": false,
		"profile": map[string]any{"real_name": u.Name, "display_name": u.Name, "email": u.Email},
	}}, ""
}

func (s *Server) history(c Call) (any, string) {
	ch, latest := c.Form.Get("channel"), c.Form.Get("latest")
	s.mu.Lock()
	defer s.mu.Unlock()
	if code := s.channels[ch]; code != "" {
		return nil, code
	}
	msgs := []map[string]any{}
	for _, m := range s.messages {
		if m.Channel == ch && m.TS == latest && m.ThreadTS == "" {
			msg := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
			if m.User != "" {
				msg["user"] = m.User
			} else {
				msg["bot_id"], msg["user"] = BotID, BotUserID
			}
			msgs = append(msgs, msg)
		}
	}
	return map[string]any{"messages": msgs, "has_more": false}, ""
}

// respond records a post to a response_url.
func (s *Server) respond(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	s.responses = append(s.responses, body)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte("ok"))
}

func rawBlocks(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

// inspectMessages answers GET /_fake/messages?channel=C: what the hub
// posted, as it is now, so a demo in another process can show it.
func (s *Server) inspectMessages(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	b, _ := json.Marshal(s.Messages(r.URL.Query().Get("channel")))
	_, _ = w.Write(b)
}

// inspectResponses answers GET /_fake/responses: the private answers.
func (s *Server) inspectResponses(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	b, _ := json.Marshal(s.Responses())
	_, _ = w.Write(b)
}
