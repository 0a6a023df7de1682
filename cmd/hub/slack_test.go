package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	slackapi "hub/connectors/slack"
	"hub/connectors/slack/slacktest"
	"hub/tickets"
	"hub/tickets/rules"
	whslack "hub/webhooks/slack"
)

const (
	testSigningSecret = "test-signing-secret-8f74"
	triage            = "C0TRIAGE"
	agentSam          = "U0SAM"
	agentKim          = "U0KIM"
	guest             = "U0GUEST"
)

// slackHub is a whole hub wired to a fake Slack workspace.
type slackHub struct {
	*testHub
	fake *slacktest.Server
	seq  atomic.Int64
}

func bootSlackHub(t *testing.T, extra map[string]string) *slackHub {
	t.Helper()
	fake := slacktest.New()
	t.Cleanup(fake.Close)
	fake.AddUser(slacktest.User{ID: agentSam, Name: "Sam Agent", Email: "Sam@Shop.example"})
	fake.AddUser(slacktest.User{ID: agentKim, Name: "Kim Agent", Email: "kim@shop.example"})
	fake.AddUser(slacktest.User{ID: guest, Name: "Gus Guest", Email: "gus@partner.example", Guest: true})
	fake.AddUser(slacktest.User{ID: "U0CARLA", Name: "Carla Customer", Email: "carla@example.com"})
	env := map[string]string{
		"SLACK_BOT_TOKEN": slacktest.Token, "SLACK_SIGNING_SECRET": testSigningSecret,
		"SLACK_CHANNEL": triage, "SLACK_API_URL": fake.URL(), "SLACK_SYNC_DELAY": "1s",
		"SLACK_ROUTES": "tag:billing=C0BILLING",
	}
	for k, v := range extra {
		env[k] = v
	}
	for k, v := range env {
		if v == "-" {
			delete(env, k)
		}
	}
	return &slackHub{testHub: bootHub(t, env), fake: fake}
}

// signed posts a body signed as Slack signs it.
func (h *slackHub) signed(t *testing.T, path, contentType, body string) (int, string) {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	code, _, resp := h.call(t, http.MethodPost, path, body, map[string]string{
		"Content-Type":              contentType,
		"X-Slack-Request-Timestamp": ts,
		"X-Slack-Signature":         slackapi.SignatureHeader(testSigningSecret, ts, []byte(body)),
	})
	return code, string(resp)
}

// event sends an Events API callback; id "" makes a fresh event_id.
func (h *slackHub) event(t *testing.T, id string, inner map[string]any) (int, string) {
	t.Helper()
	if id == "" {
		id = fmt.Sprintf("Ev%d", h.seq.Add(1))
	}
	body, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": slacktest.TeamID, "api_app_id": "A1", "event_id": id, "event_time": time.Now().Unix(), "event": inner})
	return h.signed(t, "/slack/events", "application/json", string(body))
}

// interact sends an interactivity payload.
func (h *slackHub) interact(t *testing.T, payload map[string]any) (int, string) {
	t.Helper()
	payload["team"] = map[string]any{"id": slacktest.TeamID}
	if _, ok := payload["trigger_id"]; !ok {
		payload["trigger_id"] = fmt.Sprintf("trig-%d", h.seq.Add(1))
	}
	b, _ := json.Marshal(payload)
	return h.signed(t, "/slack/interactivity", "application/x-www-form-urlencoded", "payload="+url.QueryEscape(string(b)))
}

// click presses a card button or picks a select option.
func (h *slackHub) click(t *testing.T, user string, tk tickets.Ticket, action map[string]any) {
	t.Helper()
	action["action_ts"] = fmt.Sprintf("1700000%03d.%06d", h.seq.Add(1), 1)
	if _, ok := action["block_id"]; !ok {
		action["block_id"] = "t:" + tk.ID + ":assign"
	}
	code, body := h.interact(t, map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user, "team_id": slacktest.TeamID},
		"container":    map[string]any{"type": "message", "message_ts": tk.Slack.TS, "channel_id": tk.Slack.Channel},
		"channel":      map[string]any{"id": tk.Slack.Channel},
		"response_url": h.fake.ResponseURL("click"),
		"actions":      []any{action},
	})
	if code != http.StatusOK {
		t.Fatalf("click: %d %s", code, body)
	}
}

// command runs a slash command.
func (h *slackHub) command(t *testing.T, user, text, trigger string) (int, string) {
	t.Helper()
	if trigger == "" {
		trigger = fmt.Sprintf("cmd-%d", h.seq.Add(1))
	}
	form := url.Values{"team_id": {slacktest.TeamID}, "channel_id": {triage}, "user_id": {user}, "command": {"/ticket"},
		"text": {text}, "response_url": {h.fake.ResponseURL(trigger)}, "trigger_id": {trigger}}
	return h.signed(t, "/slack/commands", "application/x-www-form-urlencoded", form.Encode())
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// intake opens a ticket through the Zapier intake webhook and returns it
// once its card is posted.
func (h *slackHub) intake(t *testing.T, key, body string) tickets.Ticket {
	t.Helper()
	code, _, resp := h.call(t, http.MethodPost, "/webhooks/zapier", body, map[string]string{"X-API-Key": h.key, "Idempotency-Key": key})
	if code/100 != 2 {
		t.Fatalf("intake: %d %s", code, resp)
	}
	var tk tickets.Ticket
	defer func() {
		if t.Failed() {
			list, _, _ := h.app.store.ListTickets(context.Background(), tickets.Filter{Limit: 100})
			for _, x := range list {
				t.Logf("ticket %s %q ref=%s slack=%+v", x.Ref(), x.Subject, x.ExternalRef, x.Slack)
			}
			ds, _ := h.app.store.ListDeliveries(context.Background(), "", 20)
			for _, d := range ds {
				t.Logf("delivery %d %s %s %s %s", d.ID, d.Source, d.Topic, d.Status, d.Error)
			}
			t.Logf("posts: %d", h.fake.Count("chat.postMessage"))
			if qi, err := h.app.insp.GetQueueInfo(h.app.cfg.Queue); err == nil {
				t.Logf("queue %s: pending %d active %d scheduled %d retry %d archived %d completed %d processed %d", qi.Queue, qi.Pending, qi.Active, qi.Scheduled, qi.Retry, qi.Archived, qi.Completed, qi.Processed)
			} else {
				t.Logf("queue info: %v", err)
			}
			for _, lister := range []func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){h.app.insp.ListActiveTasks, h.app.insp.ListRetryTasks, h.app.insp.ListPendingTasks} {
				ts, _ := lister(h.app.cfg.Queue)
				for _, ti := range ts {
					t.Logf("task %s %s %s retried=%d err=%s", ti.ID, ti.Type, ti.State, ti.Retried, ti.LastErr)
				}
			}
		}
	}()
	waitFor(t, "ticket "+key+" and its card", func() bool {
		list, _, err := h.app.store.ListTickets(context.Background(), tickets.Filter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if x.ExternalRef == key && x.Slack.TS != "" {
				tk = x
				return true
			}
		}
		return false
	})
	return tk
}

func (h *slackHub) ticket(t *testing.T, ref string) tickets.Ticket {
	t.Helper()
	tk, err := h.app.store.GetTicket(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (h *slackHub) events(t *testing.T, ref string) []tickets.Event {
	t.Helper()
	ev, err := h.app.store.ListEvents(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func (h *slackHub) messages(t *testing.T, ref string) []tickets.Message {
	t.Helper()
	m, err := h.app.store.ListMessages(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// cardText is the card of tk as an agent reads it in Slack now.
func (h *slackHub) cardText(tk tickets.Ticket) string {
	for _, m := range h.fake.Messages(tk.Slack.Channel) {
		if m.TS == tk.Slack.TS {
			return slacktest.Text(m.Blocks)
		}
	}
	return ""
}

func TestSlackCardPostedOnceAndBurstCoalesced(t *testing.T) {
	h := bootSlackHub(t, map[string]string{"SLACK_SYNC_DELAY": "2s"})
	tk := h.intake(t, "card-1", `{"subject":"Where is my order #1001?","description":"Two weeks and nothing <!channel>","email":"ada@example.com","name":"Ada Lovelace","priority":"high"}`)
	if tk.Slack.Channel != triage || tk.Slack.Team != slacktest.TeamID {
		t.Fatalf("card recorded at %+v", tk.Slack)
	}
	if n := topLevel(h.fake.Messages(triage)); n != 1 {
		t.Fatalf("%d cards in the triage channel", n)
	}
	card := h.cardText(tk)
	for _, want := range []string{tk.Ref() + " · Where is my order #1001?", "High", "Ada Lovelace · ada@example.com", "[Assign to me]", "[Resolve]", "[Reply to customer]"} {
		if !strings.Contains(card, want) {
			t.Errorf("card lacks %q:\n%s", want, card)
		}
	}
	// The description is quoted on the card itself, escaped, so the card
	// is one post and the thread starts with the conversation.
	if !strings.Contains(card, "Two weeks and nothing") {
		t.Errorf("card lacks the description:\n%s", card)
	}
	for _, m := range h.fake.Messages(triage) {
		if m.TS == tk.Slack.TS && !strings.Contains(string(m.Blocks), `\u0026lt;!channel\u0026gt;`) {
			t.Errorf("description not escaped: %s", m.Blocks)
		}
	}

	updatesBefore := h.fake.Count("chat.update")
	priorities := []string{"urgent", "low", "medium", "high", "urgent"}
	for i := range 10 {
		body := fmt.Sprintf(`{"priority":%q}`, priorities[i%len(priorities)])
		if i%2 == 1 {
			body = fmt.Sprintf(`{"tags":["burst-%d"]}`, i)
		}
		if i == 9 {
			body = `{"tags":["final"],"assignee":"kim@shop.example"}`
		}
		code, _, resp := h.call(t, http.MethodPatch, "/api/v1/tickets/"+tk.Ref(), body, map[string]string{"X-API-Key": h.key})
		if code != http.StatusOK {
			t.Fatalf("patch %d: %d %s", i, code, resp)
		}
	}
	waitFor(t, "the card to show the last change", func() bool {
		c := h.cardText(tk)
		return strings.Contains(c, "`final`") && strings.Contains(c, "kim@shop.example")
	})
	time.Sleep(3 * time.Second) // anything still coming would arrive now
	t.Logf("ten changes → %d chat.update calls", h.fake.Count("chat.update")-updatesBefore)
	if n := h.fake.Count("chat.update") - updatesBefore; n < 1 || n > 2 {
		t.Errorf("ten quick changes made %d chat.update calls; want 1 or 2", n)
	}
	if n := topLevel(h.fake.Messages(triage)); n != 1 {
		t.Errorf("%d cards after the changes; want the one card", n)
	}
}

func TestSlackRoutesAndEverySource(t *testing.T) {
	h := bootSlackHub(t, nil)
	billing := h.intake(t, "route-1", `{"subject":"Charged twice","email":"grace@example.com","tags":["billing"]}`)
	if billing.Slack.Channel != "C0BILLING" {
		t.Errorf("billing ticket's card in %s; want C0BILLING", billing.Slack.Channel)
	}
	code, _, resp := h.call(t, http.MethodPost, "/api/v1/tickets", `{"subject":"From the API","customer":{"email":"lin@example.com"}}`, map[string]string{"X-API-Key": h.key})
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, resp)
	}
	var created struct{ Ref string }
	_ = json.Unmarshal(resp, &created)
	waitFor(t, "the API ticket's card", func() bool { return h.ticket(t, created.Ref).Slack.TS != "" })
	if ch := h.ticket(t, created.Ref).Slack.Channel; ch != triage {
		t.Errorf("API ticket's card in %s", ch)
	}
}

func TestSlackRequestsMustBeSigned(t *testing.T) {
	h := bootSlackHub(t, nil)
	body := `{"type":"url_verification","challenge":"c-123","token":"x"}`
	now := time.Now().Unix()
	sig := func(ts int64, b string) string {
		return slackapi.SignatureHeader(testSigningSecret, strconv.FormatInt(ts, 10), []byte(b))
	}
	tests := []struct {
		name   string
		header map[string]string
	}{
		{"no signature", map[string]string{"X-Slack-Request-Timestamp": strconv.FormatInt(now, 10)}},
		{"bad signature", map[string]string{"X-Slack-Request-Timestamp": strconv.FormatInt(now, 10), "X-Slack-Signature": sig(now, body+"x")}},
		{"other secret", map[string]string{"X-Slack-Request-Timestamp": strconv.FormatInt(now, 10), "X-Slack-Signature": slackapi.SignatureHeader("other", strconv.FormatInt(now, 10), []byte(body))}},
		{"ten minutes old", map[string]string{"X-Slack-Request-Timestamp": strconv.FormatInt(now-600, 10), "X-Slack-Signature": sig(now-600, body)}},
		{"ten minutes ahead", map[string]string{"X-Slack-Request-Timestamp": strconv.FormatInt(now+600, 10), "X-Slack-Signature": sig(now+600, body)}},
		{"absurd future", map[string]string{"X-Slack-Request-Timestamp": "9999999999999", "X-Slack-Signature": slackapi.SignatureHeader(testSigningSecret, "9999999999999", []byte(body))}},
	}
	for _, path := range []string{"/slack/events", "/slack/interactivity", "/slack/commands"} {
		for _, tt := range tests {
			code, _, resp := h.call(t, http.MethodPost, path, body, tt.header)
			if code != http.StatusUnauthorized {
				t.Errorf("%s %s: %d, want 401", path, tt.name, code)
			}
			if strings.Contains(string(resp), "v0=") || strings.Contains(string(resp), "c-123") {
				t.Errorf("%s %s: the answer leaks %s", path, tt.name, resp)
			}
		}
	}
	code, resp := h.signed(t, "/slack/events", "application/json", body)
	if code != http.StatusOK || resp != "c-123" {
		t.Errorf("url_verification: %d %q", code, resp)
	}
	if code, _ := h.event(t, "", map[string]any{"type": "team_join", "user": map[string]any{"id": "U9"}}); code != http.StatusOK {
		t.Errorf("an unknown event: %d, want 200", code)
	}
	if n := h.fake.Count("chat.postMessage"); n != 0 {
		t.Errorf("%d posts after rejected requests", n)
	}
	_, _, metrics := h.call(t, http.MethodGet, "/metrics", "", nil)
	if !strings.Contains(string(metrics), `hub_slack_rejected_total{reason="signature"} 18`) {
		t.Error(`metrics lack hub_slack_rejected_total{reason="signature"} 18`)
	}
}

func TestSlackThreadIsTheConversation(t *testing.T) {
	h := bootSlackHub(t, nil)
	tk := h.intake(t, "thread-1", `{"subject":"Lid is broken","email":"ada@example.com"}`)
	reply := map[string]any{"type": "message", "channel": triage, "user": agentSam, "text": "Checked stock &amp; we have &lt;spares&gt;, see <https://wiki.example|the wiki>",
		"ts": "1800000000.000100", "thread_ts": tk.Slack.TS, "event_ts": "1800000000.000100", "channel_type": "channel"}
	if code, body := h.event(t, "EvReply1", reply); code != http.StatusOK {
		t.Fatalf("reply event: %d %s", code, body)
	}
	waitFor(t, "the note", func() bool { return len(h.messages(t, tk.ID)) == 1 })
	h.event(t, "EvReply1", reply) // Slack's retry of the same event
	h.event(t, "EvReply1-again", reply)
	// The hub's own posts come back as events: they must never become notes.
	for _, echo := range []map[string]any{
		{"type": "message", "channel": triage, "bot_id": slacktest.BotID, "user": slacktest.BotUserID, "text": "card", "ts": "1800000000.000200", "thread_ts": tk.Slack.TS},
		{"type": "message", "subtype": "bot_message", "channel": triage, "bot_id": "B2", "text": "other bot", "ts": "1800000000.000300", "thread_ts": tk.Slack.TS},
		{"type": "message", "channel": triage, "user": slacktest.BotUserID, "text": "as the bot user", "ts": "1800000000.000400", "thread_ts": tk.Slack.TS},
		{"type": "message", "subtype": "message_changed", "channel": triage, "hidden": true,
			"message":          map[string]any{"bot_id": slacktest.BotID, "user": slacktest.BotUserID, "text": "card v2", "ts": tk.Slack.TS},
			"previous_message": map[string]any{"bot_id": slacktest.BotID, "text": "card v1", "ts": tk.Slack.TS}},
		{"type": "message", "channel": triage, "user": agentSam, "text": "channel chatter", "ts": "1800000000.000500"},
		{"type": "message", "channel": triage, "user": guest, "text": "guest in thread", "ts": "1800000000.000600", "thread_ts": tk.Slack.TS},
	} {
		h.event(t, "", echo)
	}
	// An edit in Slack updates the note; Slack's unfurl update does not.
	h.event(t, "", map[string]any{"type": "message", "subtype": "message_changed", "channel": triage, "hidden": true,
		"message":          map[string]any{"user": agentSam, "text": "Checked stock: spares on the way", "ts": "1800000000.000100", "thread_ts": tk.Slack.TS, "edited": map[string]any{"user": agentSam, "ts": "1800000001.000000"}},
		"previous_message": map[string]any{"user": agentSam, "text": reply["text"], "ts": "1800000000.000100", "thread_ts": tk.Slack.TS}})
	waitFor(t, "the edit", func() bool {
		m := h.messages(t, tk.ID)
		return len(m) == 1 && m[0].EditedAt != nil
	})
	time.Sleep(time.Second) // let any stray delivery land
	msgs := h.messages(t, tk.ID)
	if len(msgs) != 1 {
		for _, m := range msgs {
			t.Logf("message: %s %q by %s", m.Kind, m.Body, m.Author)
		}
		t.Fatalf("%d messages; want the one note", len(msgs))
	}
	m := msgs[0]
	if m.Kind != tickets.MessageNote || m.Body != "Checked stock: spares on the way" || m.Author.Kind != tickets.ActorSlack || m.Author.ID != agentSam || m.Source != tickets.SourceSlack {
		t.Errorf("note %+v", m)
	}
	var edited bool
	for _, e := range h.events(t, tk.ID) {
		if e.Type == tickets.EventMessageEdited && e.Actor.Kind == tickets.ActorSlack && e.Actor.ID == agentSam {
			edited = true
		}
	}
	if !edited {
		t.Error("no message.edited event under the Slack user")
	}
	// Deleting it in Slack marks the note deleted.
	h.event(t, "", map[string]any{"type": "message", "subtype": "message_deleted", "channel": triage, "hidden": true, "deleted_ts": "1800000000.000100",
		"previous_message": map[string]any{"user": agentSam, "text": "Checked stock: spares on the way", "ts": "1800000000.000100", "thread_ts": tk.Slack.TS}})
	waitFor(t, "the deletion", func() bool { return h.messages(t, tk.ID)[0].DeletedAt != nil })
	// Sam was made an agent on first sight, by the email Slack gave.
	if a, err := h.app.store.AgentBySlackUser(context.Background(), agentSam); err != nil || a.Email != "sam@shop.example" {
		t.Errorf("agent %+v, %v", a, err)
	}
}

func TestSlackCardActions(t *testing.T) {
	h := bootSlackHub(t, nil)
	tk := h.intake(t, "act-1", `{"subject":"Refund please","email":"ada@example.com","store":"shopify:acme.myshopify.com"}`)
	waitFor(t, "the description-less thread to settle", func() bool { return true })

	h.click(t, agentSam, tk, map[string]any{"action_id": "assign_me", "value": tk.ID, "type": "button"})
	waitFor(t, "assign to me", func() bool { return h.ticket(t, tk.ID).Assignee == "sam@shop.example" })
	h.click(t, agentSam, tk, map[string]any{"action_id": "assign_me", "value": tk.ID, "type": "button"}) // a double click
	h.click(t, agentSam, tk, map[string]any{"action_id": "priority", "type": "static_select", "selected_option": map[string]any{"value": "urgent"}})
	waitFor(t, "priority", func() bool { return h.ticket(t, tk.ID).Priority == tickets.PriorityUrgent })
	h.click(t, guest, tk, map[string]any{"action_id": "status:closed", "value": tk.ID, "type": "button", "block_id": "t:" + tk.ID + ":work"})
	h.click(t, agentSam, tk, map[string]any{"action_id": "status:resolved", "value": tk.ID, "type": "button", "block_id": "t:" + tk.ID + ":work"})
	waitFor(t, "resolved", func() bool { return h.ticket(t, tk.ID).Status == tickets.StatusResolved })
	h.click(t, agentSam, tk, map[string]any{"action_id": "status:pending", "value": tk.ID, "type": "button", "block_id": "t:" + tk.ID + ":work"})
	h.click(t, agentSam, tk, map[string]any{"action_id": "assign_to", "type": "users_select", "selected_user": agentKim})
	waitFor(t, "assign to Kim", func() bool { return h.ticket(t, tk.ID).Assignee == "kim@shop.example" })
	waitFor(t, "the card to show it", func() bool {
		c := h.cardText(tk)
		return strings.Contains(c, "kim@shop.example") && strings.Contains(c, "Resolved") && strings.Contains(c, "Urgent")
	})
	if tk2 := h.ticket(t, tk.ID); tk2.Status != tickets.StatusResolved {
		t.Errorf("a guest's close or a forbidden pending changed the status to %s", tk2.Status)
	}
	var trail []string
	for _, e := range h.events(t, tk.ID) {
		if e.Type == tickets.EventCreated || e.Actor.Kind == rules.ActorRule {
			continue // the built-in rules sort a refund to billing
		}
		if e.Actor.Kind != tickets.ActorSlack || e.Actor.ID != agentSam {
			t.Errorf("%s by %s; want the Slack user %s", e.Type, e.Actor, agentSam)
		}
		trail = append(trail, e.Type+" "+compactJSON(e.After))
	}
	want := []string{`ticket.updated {"assignee":"sam@shop.example"}`, `ticket.updated {"priority":"urgent"}`,
		`ticket.status_changed {"status":"resolved"}`, `ticket.updated {"assignee":"kim@shop.example"}`}
	if strings.Join(trail, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit trail:\n%s\nwant:\n%s", strings.Join(trail, "\n"), strings.Join(want, "\n"))
	}
	waitFor(t, "the guest told why", func() bool {
		for _, r := range h.fake.Responses() {
			if strings.Contains(string(r), "guests cannot work tickets") {
				return true
			}
		}
		return false
	})

	// Reply to customer: the modal says where it goes, and only its
	// submission sends anything.
	h.click(t, agentSam, tk, map[string]any{"action_id": "reply", "value": tk.ID, "type": "button", "block_id": "t:" + tk.ID + ":work"})
	if v := h.fake.Views(); len(v) != 1 || !strings.Contains(string(v[0]), slackapi.NoRoute) || !strings.Contains(string(v[0]), "ada@example.com") {
		t.Fatalf("reply modal: %s", v)
	}
	submit := func(viewID, callback, block, action, value string) (int, string) {
		return h.interact(t, map[string]any{"type": "view_submission", "user": map[string]any{"id": agentSam},
			"view": map[string]any{"id": viewID, "callback_id": callback, "private_metadata": tk.ID,
				"state": map[string]any{"values": map[string]any{block: map[string]any{action: map[string]any{"type": "plain_text_input", "value": value}}}}}})
	}
	if code, body := submit("V1", "reply", "reply_body", "body", "   "); code != 200 || !strings.Contains(body, `"response_action":"errors"`) {
		t.Errorf("empty reply: %d %s", code, body)
	}
	submit("V2", "reply", "reply_body", "body", "Your refund is on its way.")
	submit("V2", "reply", "reply_body", "body", "Your refund is on its way.") // resubmitted
	waitFor(t, "the reply", func() bool { return len(h.messages(t, tk.ID)) == 1 })

	// Link order: the modal, then its submission.
	h.click(t, agentSam, tk, map[string]any{"action_id": "link_order", "value": tk.ID, "type": "button", "block_id": "t:" + tk.ID + ":work"})
	submit("V3", "link_order", "order_number", "number", "#1001")
	waitFor(t, "the linked order", func() bool { return len(h.ticket(t, tk.ID).Orders) == 1 })
	time.Sleep(time.Second)
	msgs := h.messages(t, tk.ID)
	if len(msgs) != 1 || msgs[0].Kind != tickets.MessageReply || msgs[0].Author.ID != agentSam {
		t.Errorf("messages %+v", msgs)
	}
	if o := h.ticket(t, tk.ID).Orders[0]; o.Store != "shopify:acme.myshopify.com" || o.OrderNumber != "1001" {
		t.Errorf("order %+v", o)
	}
	// The public reply shows in the thread, as sent from Slack.
	waitFor(t, "the reply in the thread", func() bool {
		for _, m := range h.fake.Thread(tk.Slack.Channel, tk.Slack.TS) { // billing's channel: the built-in rules tag a refund
			if strings.Contains(m.Text, "replied to the customer") {
				return true
			}
		}
		return false
	})
}

func TestSlackSlashCommands(t *testing.T) {
	h := bootSlackHub(t, nil)
	tk := h.intake(t, "cmd-1", `{"subject":"Broken lid","email":"ada@example.com","store":"shopify:acme.myshopify.com","priority":"urgent"}`)
	if _, err := h.app.store.UpdateTicket(context.Background(), tickets.Actor{Kind: tickets.ActorAPIKey, ID: "k"}, tk.ID, tickets.Patch{Assignee: ptrTo("sam@shop.example")}); err != nil {
		t.Fatal(err)
	}
	code, body := h.command(t, agentSam, "help", "")
	body = unJSON(body)
	if code != 200 || !strings.Contains(body, "new <subject>") || !strings.Contains(body, `"ephemeral"`) {
		t.Errorf("help: %d %s", code, body)
	}
	if code, body := h.command(t, agentSam, "frobnicate", ""); code != 200 || !strings.Contains(body, "I don't know") {
		t.Errorf("unknown: %d %s", code, body)
	}
	responses := func(id string) string {
		var all []string
		for _, r := range h.fake.Responses() {
			all = append(all, string(r))
		}
		return strings.Join(all, "\n")
	}
	h.command(t, agentSam, tk.Ref(), "show-1")
	waitFor(t, "the private card", func() bool { return strings.Contains(responses(""), "Broken lid") })
	h.command(t, agentSam, "mine", "mine-1")
	waitFor(t, "my tickets", func() bool { return strings.Contains(responses(""), "Your open tickets") })
	if !strings.Contains(responses(""), tk.Ref()) {
		t.Errorf("/ticket mine lacks %s", tk.Ref())
	}
	h.command(t, agentSam, "link "+tk.Ref()+" #1001", "link-1")
	h.command(t, agentSam, "link "+tk.Ref()+" #1001", "link-1") // the same invocation again
	waitFor(t, "the link", func() bool { return len(h.ticket(t, tk.ID).Orders) == 1 })
	code, body = h.command(t, agentSam, "new Printer &amp; scanner on fire", "new-1")
	if code != 200 || !strings.Contains(unJSON(body), "Printer &amp; scanner") {
		t.Errorf("new: %d %s", code, body)
	}
	h.command(t, agentSam, "new Printer &amp; scanner on fire", "new-1")
	var made tickets.Ticket
	waitFor(t, "the new ticket's card", func() bool {
		list, _, _ := h.app.store.ListTickets(context.Background(), tickets.Filter{Query: "scanner"})
		if len(list) == 1 && list[0].Slack.TS != "" {
			made = list[0]
		}
		return made.ID != ""
	})
	if made.Subject != "Printer & scanner on fire" || made.Source != tickets.SourceSlack {
		t.Errorf("new ticket %+v", made)
	}
	for _, e := range append(h.events(t, made.ID), h.events(t, tk.ID)...) {
		if (e.Type == tickets.EventCreated && e.TicketID == made.ID || e.Type == tickets.EventOrderLinked) && (e.Actor.Kind != tickets.ActorSlack || e.Actor.ID != agentSam) {
			t.Errorf("%s by %s", e.Type, e.Actor)
		}
	}
	h.command(t, guest, "mine", "guest-1")
	waitFor(t, "the guest told no", func() bool { return strings.Contains(responses(""), "guests cannot work tickets") })
}

func TestSlackTicketFromMessage(t *testing.T) {
	h := bootSlackHub(t, nil)
	const general = "C0GENERAL"
	msgTS := "1800000100.000100"
	h.event(t, "", map[string]any{"type": "message", "channel": general, "user": "U0CARLA", "text": "Our order #1001 arrived &lt;broken&gt;\nPlease help", "ts": msgTS})
	react := map[string]any{"type": "reaction_added", "user": agentSam, "reaction": "ticket", "item_user": "U0CARLA",
		"item": map[string]any{"type": "message", "channel": general, "ts": msgTS}, "event_ts": "1800000101.000000"}
	h.event(t, "", react)
	var tk tickets.Ticket
	waitFor(t, "the ticket and its card in the message's thread", func() bool {
		got, err := h.app.store.TicketBySlackThread(context.Background(), general, msgTS)
		tk = got
		return err == nil && got.Slack.TS != ""
	})
	if tk.Subject != "Our order #1001 arrived <broken>" || tk.Customer.Email != "carla@example.com" || tk.Source != tickets.SourceSlack {
		t.Errorf("ticket %+v", tk)
	}
	if cards := h.fake.Thread(general, msgTS); len(cards) != 1 || !strings.Contains(slacktest.Text(cards[0].Blocks), tk.Ref()) {
		t.Errorf("thread of the message: %+v", cards)
	}
	// Again by someone else, and by the shortcut: still one ticket.
	react["user"] = agentKim
	h.event(t, "", react)
	h.interact(t, map[string]any{"type": "message_action", "callback_id": "create_ticket", "user": map[string]any{"id": agentSam},
		"channel": map[string]any{"id": general}, "message": map[string]any{"user": "U0CARLA", "text": "Our order #1001 arrived &lt;broken&gt;\nPlease help", "ts": msgTS},
		"response_url": h.fake.ResponseURL("sc")})
	// The shortcut on another message makes another ticket.
	other := "1800000200.000100"
	h.interact(t, map[string]any{"type": "message_action", "callback_id": "create_ticket", "user": map[string]any{"id": agentSam},
		"channel": map[string]any{"id": general}, "message": map[string]any{"user": "U0CARLA", "text": "And the invoice is wrong", "ts": other},
		"response_url": h.fake.ResponseURL("sc2")})
	waitFor(t, "the shortcut's ticket", func() bool {
		got, err := h.app.store.TicketBySlackThread(context.Background(), general, other)
		return err == nil && got.Slack.TS != ""
	})
	// A reply in the message's thread is a note on its ticket.
	h.event(t, "", map[string]any{"type": "message", "channel": general, "user": agentKim, "text": "On it", "ts": "1800000300.000100", "thread_ts": msgTS})
	waitFor(t, "the note", func() bool { return len(h.messages(t, tk.ID)) == 1 })
	time.Sleep(time.Second)
	list, _, _ := h.app.store.ListTickets(context.Background(), tickets.Filter{})
	if len(list) != 2 {
		t.Errorf("%d tickets; want 2 (one per message)", len(list))
	}
	var byKim bool
	for _, e := range h.events(t, tk.ID) {
		if e.Type == tickets.EventCreated && e.Actor.Kind == tickets.ActorSlack && e.Actor.ID == agentSam {
			byKim = true
		}
	}
	if !byKim {
		t.Error("the ticket's creation is not under the Slack user who reacted")
	}
}

func TestSlackRateLimitDelaysThePost(t *testing.T) {
	h := bootSlackHub(t, nil)
	h.fake.RateLimit("chat.postMessage", "2", 1)
	start := time.Now()
	limited := h.intake(t, "rl-1", `{"subject":"Rate limited","email":"a@example.com","tags":["billing"]}`)
	took := time.Since(start)
	calls := h.fake.Calls("chat.postMessage")
	if len(calls) < 2 || calls[0].Form.Get("channel") != "C0BILLING" {
		t.Fatalf("post calls: %d", len(calls))
	}
	if took < 2*time.Second {
		t.Errorf("the card was posted %s after a 429 with Retry-After: 2", took)
	}
	if n := topLevel(h.fake.Messages("C0BILLING")); n != 1 || limited.Slack.Channel != "C0BILLING" {
		t.Errorf("%d cards in C0BILLING", n)
	}
	// While one card waits out its Retry-After, other tickets' cards go on.
	h.fake.RateLimit("chat.postMessage", "5", 1)
	h.call(t, http.MethodPost, "/webhooks/zapier", `{"subject":"Waits","email":"w@example.com","tags":["billing"]}`, map[string]string{"X-API-Key": h.key, "Idempotency-Key": "rl-2"})
	waitFor(t, "the 429", func() bool { return h.fake.Count("chat.postMessage") >= len(calls)+1 })
	free := h.intake(t, "rl-3", `{"subject":"Goes on","email":"g@example.com"}`)
	if free.Slack.TS == "" {
		t.Fatal("the other card was not posted")
	}
	waitFor(t, "the delayed card", func() bool { return topLevel(h.fake.Messages("C0BILLING")) == 2 })
	// The card is in Slack; its ts is recorded on the ticket right after.
	waitFor(t, "the delayed card recorded", func() bool { return findTicket(t, h, "rl-2").Slack.TS != "" })
	if waited := findTicket(t, h, "rl-2"); waited.Slack.TS <= free.Slack.TS {
		t.Errorf("the rate-limited card (ts %s) was not posted after the free one (ts %s)", waited.Slack.TS, free.Slack.TS)
	}
}

func findTicket(t *testing.T, h *slackHub, key string) tickets.Ticket {
	t.Helper()
	list, _, err := h.app.store.ListTickets(context.Background(), tickets.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range list {
		if x.ExternalRef == key {
			return x
		}
	}
	t.Fatalf("no ticket %s", key)
	return tickets.Ticket{}
}

func TestSlackTerminalErrors(t *testing.T) {
	h := bootSlackHub(t, map[string]string{"SLACK_FALLBACK_CHANNEL": "C0FALLBACK", "SLACK_ROUTES": "tag:gone=C0GONE,tag:archived=C0ARCH,tag:billing=C0BILLING"})
	h.fake.ChannelError("C0GONE", "channel_not_found")
	h.fake.ChannelError("C0ARCH", "is_archived")
	h.fake.ChannelError("C0FALLBACK", "is_archived")
	h.call(t, http.MethodPost, "/webhooks/zapier", `{"subject":"Gone","email":"a@example.com","tags":["gone"]}`, map[string]string{"X-API-Key": h.key, "Idempotency-Key": "gone"})
	waitFor(t, "the error recorded", func() bool {
		list, _, _ := h.app.store.ListTickets(context.Background(), tickets.Filter{})
		return len(list) == 1 && list[0].Slack.Error != ""
	})
	tk := findTicket(t, h, "gone")
	if !strings.Contains(tk.Slack.Error, "channel_not_found in C0GONE") || !strings.Contains(tk.Slack.Error, "fallback C0FALLBACK: is_archived") {
		t.Errorf("recorded %q", tk.Slack.Error)
	}
	posts := h.fake.Count("chat.postMessage")
	time.Sleep(4 * time.Second)
	if n := h.fake.Count("chat.postMessage"); n != posts {
		t.Errorf("a terminal error was retried: %d posts, then %d", posts, n)
	}
	h.fake.ChannelError("C0FALLBACK", "")
	h.call(t, http.MethodPost, "/webhooks/zapier", `{"subject":"Archived","email":"b@example.com","tags":["archived"]}`, map[string]string{"X-API-Key": h.key, "Idempotency-Key": "arch"})
	waitFor(t, "the card in the fallback channel", func() bool { return findTicketOK(h, "arch").Slack.TS != "" })
	if tk := findTicket(t, h, "arch"); tk.Slack.Channel != "C0FALLBACK" || !strings.Contains(tk.Slack.Error, "is_archived in C0ARCH") {
		t.Errorf("card %+v", tk.Slack)
	}
	_, _, metrics := h.call(t, http.MethodGet, "/metrics", "", nil)
	for _, want := range []string{`hub_slack_failures_total{error="channel_not_found"} 1`, `hub_slack_failures_total{error="is_archived"} 2`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// A revoked token stops everything, and is recorded, not retried.
	h.fake.Revoke()
	h.call(t, http.MethodPost, "/webhooks/zapier", `{"subject":"Revoked","email":"c@example.com"}`, map[string]string{"X-API-Key": h.key, "Idempotency-Key": "rev"})
	waitFor(t, "token_revoked recorded", func() bool { return strings.Contains(findTicketOK(h, "rev").Slack.Error, "token_revoked") })
}

func TestSlackOffThenConnected(t *testing.T) {
	h := bootSlackHub(t, map[string]string{"SLACK_BOT_TOKEN": "-", "SLACK_SIGNING_SECRET": "-", "SLACK_CHANNEL": "-", "SLACK_ROUTES": "-",
		"SLACK_RELOAD_EVERY": "200ms", "HUB_SECRET_KEY": "test-secret-key-0123456789abcdef"})
	h.call(t, http.MethodPost, "/webhooks/zapier", `{"subject":"Before Slack","email":"a@example.com"}`, map[string]string{"X-API-Key": h.key, "Idempotency-Key": "off-1"})
	waitFor(t, "no card recorded", func() bool { return findTicketOK(h, "off-1").Slack.Error == whslack.NotConfigured })
	if code, _ := h.signed(t, "/slack/events", "application/json", `{"type":"url_verification","challenge":"x"}`); code != http.StatusUnauthorized {
		t.Errorf("events without Slack configured: %d", code)
	}
	var out strings.Builder
	err := h.app.connectSlack(context.Background(), []string{"--token", slacktest.Token, "--signing-secret", testSigningSecret, "--channel", triage}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), slacktest.TeamID) || strings.Contains(out.String(), slacktest.Token) {
		t.Errorf("connect printed %q", out.String())
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := h.app.client.Enqueue(whslack.NewSweepTask(), asynq.Queue(h.app.cfg.Queue)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the card posted by the sweep", func() bool { return findTicketOK(h, "off-1").Slack.TS != "" })
	if tk := findTicketOK(h, "off-1"); tk.Slack.Channel != triage || tk.Slack.Error != "" {
		t.Errorf("card %+v", tk.Slack)
	}
	if code, resp := h.signed(t, "/slack/events", "application/json", `{"type":"url_verification","challenge":"ok-now"}`); code != 200 || resp != "ok-now" {
		t.Errorf("events once connected: %d %s", code, resp)
	}
}

func findTicketOK(h *slackHub, key string) tickets.Ticket {
	list, _, _ := h.app.store.ListTickets(context.Background(), tickets.Filter{Limit: 100})
	for _, x := range list {
		if x.ExternalRef == key {
			return x
		}
	}
	return tickets.Ticket{}
}

func TestConnectSlackValidates(t *testing.T) {
	h := bootSlackHub(t, map[string]string{"SLACK_BOT_TOKEN": "-", "SLACK_SIGNING_SECRET": "-", "SLACK_CHANNEL": "-", "HUB_SECRET_KEY": "test-secret-key-0123456789abcdef"})
	for _, args := range [][]string{
		{},
		{"--token", "xoxp-user-token", "--signing-secret", "s", "--channel", triage},
		{"--token", slacktest.Token, "--channel", triage},
		{"--token", slacktest.Token, "--signing-secret", "s", "--channel", "#general"},
		{"--token", slacktest.Token, "--signing-secret", "s", "--channel", triage, "extra"},
	} {
		var ue usageError
		if err := h.app.connectSlack(context.Background(), args, &strings.Builder{}); !errorsAs(err, &ue) {
			t.Errorf("connect %v: %v; want a usage error", args, err)
		}
	}
	err := h.app.connectSlack(context.Background(), []string{"--token", "xoxb-wrong", "--signing-secret", "s", "--channel", triage}, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("a bad token: %v", err)
	}
}

func ptrTo[T any](v T) *T { return &v }

func errorsAs(err error, target any) bool { return err != nil && errors.As(err, target) }

// unJSON re-encodes a JSON answer without HTML escaping, as Slack reads it.
func unJSON(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return b.String()
}

// The pacer lets a burst through, then spaces turns at the rate; each
// holder keeps the turn it booked (asking again does not queue twice); a
// turn further away than the caller will wait is not booked at all; and
// buckets are independent.
func TestRedisPacerTakesTurns(t *testing.T) {
	cfg, err := LoadConfig(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	rdb := cfg.Redis.MakeRedisClient().(redis.UniversalClient)
	defer rdb.Close()
	p := redisPacer{rdb}
	ctx := context.Background()
	// Holders are unique per run, like the task ids they stand for in the hub.
	ch := fmt.Sprintf("post:C0PACE%d", time.Now().UnixNano())
	rate := whslack.Rate{Every: time.Second, Burst: 3}
	for i := range 3 {
		if wait, ok, err := p.Reserve(ctx, ch, rate, ch+fmt.Sprint("burst-", i), time.Minute); err != nil || !ok || wait != 0 {
			t.Fatalf("post %d of a burst of 3: wait %s, %v, %v", i+1, wait, ok, err)
		}
	}
	wait, ok, err := p.Reserve(ctx, ch, rate, ch+"fourth", time.Minute)
	if err != nil || !ok || wait <= 0 || wait > time.Second {
		t.Fatalf("fourth post: wait %s, %v, %v; want a turn within (0, 1s]", wait, ok, err)
	}
	again, ok, _ := p.Reserve(ctx, ch, rate, ch+"fourth", time.Minute)
	if !ok || again > wait {
		t.Errorf("the fourth asking again: wait %s; want its own turn (%s or less), not a new one", again, wait)
	}
	fifth, ok, _ := p.Reserve(ctx, ch, rate, ch+"fifth", time.Minute)
	if !ok || fifth <= wait {
		t.Errorf("fifth post: wait %s; want after the fourth's %s", fifth, wait)
	}
	if w, ok, _ := p.Reserve(ctx, ch, rate, ch+"impatient", 100*time.Millisecond); ok {
		t.Errorf("a caller that waits at most 100ms got a turn %s away", w)
	}
	if w, ok, _ := p.Reserve(ctx, ch+"X", rate, ch+"other", time.Minute); !ok || w != 0 {
		t.Errorf("another channel: wait %s, %v", w, ok)
	}
}

func TestLoadSlackConfig(t *testing.T) {
	base := map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_CHANNEL": "C0TRIAGE"}
	tests := []struct {
		name    string
		env     map[string]string
		badName string // "" means valid
	}{
		{"off", map[string]string{}, ""},
		{"on", base, ""},
		{"user token", map[string]string{"SLACK_BOT_TOKEN": "xoxp-1"}, "SLACK_BOT_TOKEN"},
		{"no secret", map[string]string{"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET"},
		{"channel by name", map[string]string{"SLACK_CHANNEL": "#triage"}, "SLACK_CHANNEL"},
		{"secret without token", map[string]string{"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN"},
		{"bad routes", map[string]string{"SLACK_ROUTES": "tag:billing"}, "SLACK_ROUTES"},
		{"bad fallback", map[string]string{"SLACK_FALLBACK_CHANNEL": "general"}, "SLACK_FALLBACK_CHANNEL"},
		{"bad API URL", map[string]string{"SLACK_API_URL": "slack.test"}, "SLACK_API_URL"},
		{"bad delay", map[string]string{"SLACK_SYNC_DELAY": "soon"}, "SLACK_SYNC_DELAY"},
	}
	for _, tt := range tests {
		env := map[string]string{}
		if tt.name != "off" {
			for k, v := range base {
				env[k] = v
			}
		}
		for k, v := range tt.env {
			env[k] = v
		}
		_, err := loadSlackConfig(envOf(env))
		var ce configError
		switch {
		case tt.badName == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.badName != "" && (!errorsAs(err, &ce) || ce.name != tt.badName):
			t.Errorf("%s: %v; want an error naming %s", tt.name, err, tt.badName)
		case err != nil && strings.Contains(err.Error(), "xoxb-1"):
			t.Errorf("%s: the error shows the token", tt.name)
		}
	}
}

func TestRedisLockerHoldsOneCardAtATime(t *testing.T) {
	cfg, err := LoadConfig(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	rdb := cfg.Redis.MakeRedisClient().(redis.UniversalClient)
	defer rdb.Close()
	l, ctx := redisLocker{rdb}, context.Background()
	key := fmt.Sprintf("card:test-%d", time.Now().UnixNano())
	unlock, ok, err := l.TryLock(ctx, key, time.Minute)
	if err != nil || !ok {
		t.Fatalf("first lock: %v %v", ok, err)
	}
	if _, ok, err := l.TryLock(ctx, key, time.Minute); ok || err != nil {
		t.Fatalf("second lock while held: %v %v", ok, err)
	}
	unlock()
	unlock2, ok, err := l.TryLock(ctx, key, time.Minute)
	if err != nil || !ok {
		t.Fatalf("lock after release: %v %v", ok, err)
	}
	unlock() // a stale holder's release must not free the new holder's lock
	if _, ok, _ := l.TryLock(ctx, key, time.Minute); ok {
		t.Error("a stale unlock released someone else's lock")
	}
	unlock2()
}

// An operator alert (here: a WooCommerce store gone silent) reaches the
// triage channel, escaped; with Slack off the same task does nothing.
func TestSlackAlertReachesTheTriageChannel(t *testing.T) {
	h := bootSlackHub(t, nil)
	task := whslack.NewAlertTask("WooCommerce store shop.example.com has stopped delivering webhooks: <!channel> no delivery for 2h")
	if _, err := h.app.client.Enqueue(task, asynq.Queue(h.app.cfg.Queue)); err != nil {
		t.Fatal(err)
	}
	var text string
	waitFor(t, "the alert in the triage channel", func() bool {
		for _, m := range h.fake.Messages(triage) {
			if s := slacktest.Text(m.Blocks); strings.Contains(s, "stopped delivering") {
				text = s
				return true
			}
		}
		return false
	})
	if strings.Contains(text, "<!channel>") {
		t.Errorf("alert not escaped: %q", text)
	}
}

// A body over Slack's cap is refused with 413 before anything reads it as
// an event, and counted; even validly signed, nothing is recorded.
func TestSlackOversizedBodyIs413(t *testing.T) {
	h := bootSlackHub(t, nil)
	big := `{"type":"event_callback","pad":"` + strings.Repeat("x", 1<<20) + `"}`
	if code, body := h.signed(t, "/slack/events", "application/json", big); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d (%s), want 413", code, body)
	}
	_, _, metrics := h.call(t, http.MethodGet, "/metrics", "", nil)
	if !strings.Contains(string(metrics), `hub_slack_rejected_total{reason="too_large"} 1`) {
		t.Error("the refusal was not counted as too_large")
	}
	if ds, err := h.app.store.ListDeliveries(context.Background(), "", 10); err != nil || len(ds) != 0 {
		t.Errorf("%d deliveries recorded (%v)", len(ds), err)
	}
}

// A burst of new tickets into one channel, faster than Slack lets cards be
// posted: the first ones get their cards at once, the rest are listed in
// digests, every ticket is shown exactly once, and the hub never runs into
// Slack's limit (the fake refuses what Slack would).
func TestSlackBurstOfNewTicketsDegradesToDigests(t *testing.T) {
	h := bootSlackHub(t, nil)
	const n = 24
	for i := range n {
		body := fmt.Sprintf(`{"subject":"Burst %02d","description":"d","email":"b%d@example.com"}`, i, i)
		code, _, resp := h.call(t, http.MethodPost, "/webhooks/zapier", body, map[string]string{"X-API-Key": h.key, "Idempotency-Key": fmt.Sprint("burst-", i)})
		if code/100 != 2 {
			t.Fatalf("intake %d: %d %s", i, code, resp)
		}
	}
	var list []tickets.Ticket
	waitFor(t, "every ticket shown by a card or a digest", func() bool {
		var err error
		list, _, err = h.app.store.ListTickets(context.Background(), tickets.Filter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		shown := 0
		for _, x := range list {
			if x.Slack.TS != "" {
				shown++
			}
		}
		return len(list) == n && shown == n
	})
	cards, digests, listed := 0, 0, map[string]int{}
	for _, m := range h.fake.Messages(triage) {
		if m.ThreadTS != "" {
			continue
		}
		text := slacktest.Text(m.Blocks)
		if strings.Contains(text, "faster than this channel can take cards") {
			digests++
			for _, x := range list {
				if strings.Contains(text, x.Ref()+"*") || strings.Contains(text, x.Ref()+" ") {
					listed[x.Ref()]++
				}
			}
			continue
		}
		cards++
	}
	if digests == 0 || cards == 0 {
		t.Fatalf("%d cards and %d digests for a burst of %d", cards, digests, n)
	}
	if cards+len(listed) != n {
		t.Errorf("%d cards + %d tickets in digests, want %d shown once each", cards, len(listed), n)
	}
	for ref, k := range listed {
		if k != 1 {
			t.Errorf("%s listed in %d digests", ref, k)
		}
	}
	for _, x := range list {
		if x.Slack.Digest == tickets.DigestListed && listed[x.Ref()] == 0 {
			t.Errorf("%s marked listed but in no digest", x.Ref())
		}
	}
	// The hub's turns keep within Slack's pace with a second to spare, but
	// Slack counts a post when it arrives: on a loaded machine a post held
	// up for more than that between its turn and its arrival can bunch with
	// the next and be refused (and is then sent again after Retry-After, as
	// the checks above show). A hub that did not pace at all would have most
	// of this burst refused; a stray refusal or two is the machine.
	if l := h.fake.Limited("chat.postMessage"); l > n/8 {
		t.Errorf("Slack refused %d of the burst's posts for pacing: the hub should stay within it", l)
	} else if l > 0 {
		t.Logf("Slack refused %d posts that arrived late after their turn", l)
	}
}
