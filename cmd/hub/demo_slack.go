package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	slackapi "hub/connectors/slack"
	"hub/connectors/slack/slacktest"
	whslack "hub/webhooks/slack"
)

const (
	demoSlackSecret = "demo-signing-secret"
	demoTriage      = "C0TRIAGE"
	demoGeneral     = "C0GENERAL"
	demoSam         = "U0SAM"
)

// demoSetupSlack starts the built-in Slack fakes and points cfg at them; the
// returned func stops them.
func demoSetupSlack(cfg *Config) (stop func(), err error) {
	fake := slacktest.New()
	fake.AddUser(slacktest.User{ID: demoSam, Name: "Sam Agent", Email: "sam@shop.example"})
	fake.AddUser(slacktest.User{ID: "U0CARLA", Name: "Carla Customer", Email: "carla@example.com"})
	routes, err := whslack.ParseRoutes("tag:billing=C0BILLING")
	if err != nil {
		return nil, err
	}
	cfg.Slack = slackConfig{
		Token: slacktest.Token, SigningSecret: demoSlackSecret, Channel: demoTriage, Routes: routes,
		APIURL: fake.URL(), SyncDelay: 500 * time.Millisecond, ReloadEvery: 30 * time.Second,
	}
	return fake.Close, nil
}

// storySlack is the Slack part of hub demo: the card every ticket got,
// an agent working a ticket from Slack, and a ticket made from a message.
func storySlack(ctx context.Context, e *demoEnv) error {
	s := demoSlack{e: e, api: e.app.cfg.Slack.APIURL}
	raw, err := e.do(ctx, http.MethodGet, "/api/v1/tickets?limit=100", "")
	if err != nil {
		return err
	}
	var page struct {
		Tickets []struct {
			Ref     string `json:"ref"`
			Subject string `json:"subject"`
			Slack   *struct {
				Channel string `json:"channel"`
				TS      string `json:"ts"`
			} `json:"slack"`
		} `json:"tickets"`
	}
	if err := json.Unmarshal(raw, &page); err != nil || len(page.Tickets) == 0 {
		return fmt.Errorf("no tickets to show in Slack (%v)", err)
	}
	t := page.Tickets[len(page.Tickets)-1] // the oldest: the first story's first ticket
	card, err := s.waitCard(ctx, t.Ref)
	if err != nil {
		return err
	}
	cards, _ := s.messages(ctx, "")
	fmt.Fprintf(e.out, "Every ticket got one live card in Slack (%d cards; billing tickets went to #C0BILLING by SLACK_ROUTES).\n", topLevel(cards))
	fmt.Fprintf(e.out, "The card of %s in #%s, as an agent sees it:\n\n%s\n", t.Ref, card.Channel, indent(slacktest.Text(card.Blocks)))

	// Sam works the ticket from Slack: buttons, a priority, a thread reply.
	ticketID, err := s.ticketID(ctx, t.Ref)
	if err != nil {
		return err
	}
	for _, a := range []map[string]any{
		{"action_id": slackapi.ActionAssignMe, "value": ticketID, "block_id": "t:" + ticketID + ":assign"},
		{"action_id": slackapi.ActionPriority, "block_id": "t:" + ticketID + ":assign", "selected_option": map[string]any{"value": "urgent"}},
		{"action_id": slackapi.ActionStatus + "pending", "value": ticketID, "block_id": "t:" + ticketID + ":work"},
	} {
		a["action_ts"] = strconv.FormatInt(time.Now().UnixNano(), 10)
		payload, _ := json.Marshal(map[string]any{"type": "block_actions", "team": map[string]any{"id": slacktest.TeamID},
			"user": map[string]any{"id": demoSam}, "trigger_id": "demo-" + a["action_ts"].(string),
			"container": map[string]any{"message_ts": card.TS, "channel_id": card.Channel}, "actions": []any{a}})
		if code, body, err := s.post(ctx, "/slack/interactivity", "application/x-www-form-urlencoded", "payload="+url.QueryEscape(string(payload))); err != nil || code != 200 {
			return fmt.Errorf("click %s: %d %s %v", a["action_id"], code, body, err)
		}
		fmt.Fprintf(e.out, "Sam clicks %q on the card → 200\n", a["action_id"])
	}
	reply, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": slacktest.TeamID, "event_id": "EvDemo1",
		"event": map[string]any{"type": "message", "channel": card.Channel, "user": demoSam, "ts": "1900000000.000100", "thread_ts": card.TS,
			"text": "Asked the warehouse; waiting on the courier &amp; the customer."}})
	for i := range 2 {
		code, body, err := s.post(ctx, "/slack/events", "application/json", string(reply))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.out, "Sam replies in the card's thread (Slack sends it %s) → %d %s\n", []string{"once", "again, a retry"}[i], code, strings.TrimSpace(body))
	}
	if err := s.waitFor(ctx, func() (bool, error) {
		c, err := s.card(ctx, card.Channel, card.TS)
		return strings.Contains(slacktest.Text(c.Blocks), "Pending") && strings.Contains(slacktest.Text(c.Blocks), "sam@shop.example"), err
	}); err != nil {
		return err
	}
	card, _ = s.card(ctx, card.Channel, card.TS)
	fmt.Fprintf(e.out, "\nThe same card, updated in place (chat.update, %d edits so far):\n\n%s\n", card.Updates, indent(slacktest.Text(card.Blocks)))
	if err := s.trail(ctx, t.Ref); err != nil {
		return err
	}

	// A :ticket: reaction on a customer's message in a channel.
	msgTS := "1900000100.000100"
	for _, ev := range []map[string]any{
		{"type": "message", "channel": demoGeneral, "user": "U0CARLA", "ts": msgTS, "text": "My parcel arrived crushed <!channel> — order #1002"},
		{"type": "reaction_added", "user": demoSam, "reaction": "ticket", "item": map[string]any{"type": "message", "channel": demoGeneral, "ts": msgTS}},
	} {
		b, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": slacktest.TeamID, "event_id": "EvDemo-" + ev["type"].(string), "event": ev})
		if _, _, err := s.post(ctx, "/slack/events", "application/json", string(b)); err != nil {
			return err
		}
	}
	var thread []slacktest.Posted
	if err := s.waitFor(ctx, func() (bool, error) {
		all, err := s.messages(ctx, demoGeneral)
		thread = nil
		for _, m := range all {
			if m.ThreadTS == msgTS {
				thread = append(thread, m)
			}
		}
		return len(thread) > 0, err
	}); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "\nCarla posted in #%s and Sam reacted :ticket:. The ticket's card went into her message's thread\n(her <!channel> arrived as plain text: nobody was pinged):\n\n%s\n", demoGeneral, indent(slacktest.Text(thread[0].Blocks)))

	// /ticket mine, answered privately.
	form := url.Values{"team_id": {slacktest.TeamID}, "channel_id": {demoTriage}, "user_id": {demoSam}, "command": {"/ticket"},
		"text": {"mine"}, "response_url": {s.api + "respond/demo"}, "trigger_id": {"demo-mine"}}
	if _, _, err := s.post(ctx, "/slack/commands", "application/x-www-form-urlencoded", form.Encode()); err != nil {
		return err
	}
	var answer string
	if err := s.waitFor(ctx, func() (bool, error) {
		var rs []json.RawMessage
		err := s.get(ctx, "_fake/responses", &rs)
		if len(rs) > 0 {
			var m struct {
				Blocks json.RawMessage `json:"blocks"`
			}
			_ = json.Unmarshal(rs[len(rs)-1], &m)
			answer = slacktest.Text(m.Blocks)
		}
		return answer != "", err
	}); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "\nSam types /ticket mine; only Sam sees:\n\n%s\n", indent(answer))
	return nil
}

// demoSlack drives the Slack story: signed requests to the hub, and reads
// of what the fake Slack received.
type demoSlack struct {
	e   *demoEnv
	api string
}

func (s demoSlack) post(ctx context.Context, path, contentType, body string) (int, string, error) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.e.base+path, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slackapi.SignatureHeader(demoSlackSecret, ts, []byte(body)))
	resp, err := s.e.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func (s demoSlack) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.api+path, nil)
	if err != nil {
		return err
	}
	resp, err := s.e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

func (s demoSlack) messages(ctx context.Context, channel string) ([]slacktest.Posted, error) {
	var ms []slacktest.Posted
	return ms, s.get(ctx, "_fake/messages?channel="+url.QueryEscape(channel), &ms)
}

func (s demoSlack) card(ctx context.Context, channel, ts string) (slacktest.Posted, error) {
	ms, err := s.messages(ctx, channel)
	for _, m := range ms {
		if m.TS == ts {
			return m, err
		}
	}
	return slacktest.Posted{}, err
}

func (s demoSlack) ticketID(ctx context.Context, ref string) (string, error) {
	raw, err := s.e.do(ctx, http.MethodGet, "/api/v1/tickets/"+ref, "")
	if err != nil {
		return "", err
	}
	var t struct {
		ID string `json:"id"`
	}
	return t.ID, json.Unmarshal(raw, &t)
}

// waitCard waits for the ticket's card to be posted and returns it.
func (s demoSlack) waitCard(ctx context.Context, ref string) (slacktest.Posted, error) {
	var card slacktest.Posted
	err := s.waitFor(ctx, func() (bool, error) {
		raw, err := s.e.do(ctx, http.MethodGet, "/api/v1/tickets/"+ref, "")
		if err != nil {
			return false, err
		}
		var t struct {
			Slack *struct{ Channel, TS string } `json:"slack"`
		}
		if err := json.Unmarshal(raw, &t); err != nil || t.Slack == nil || t.Slack.TS == "" {
			return false, err
		}
		card, err = s.card(ctx, t.Slack.Channel, t.Slack.TS)
		return card.TS != "", err
	})
	return card, err
}

func (s demoSlack) waitFor(ctx context.Context, cond func() (bool, error)) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			failed, _ := s.e.do(ctx, http.MethodGet, "/api/v1/deliveries?status=failed", "")
			return fmt.Errorf("slack story: timed out (are the workers running?); failed deliveries: %s", cut(string(failed), 600))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// trail prints the ticket's audit trail from the API: Sam's Slack actions
// are there under his Slack user.
func (s demoSlack) trail(ctx context.Context, ref string) error {
	raw, err := s.e.do(ctx, http.MethodGet, "/api/v1/tickets/"+ref+"/events", "")
	if err != nil {
		return err
	}
	var ev struct {
		Events []struct {
			Type  string                          `json:"type"`
			Actor struct{ Kind, ID, Name string } `json:"actor"`
			After map[string]any                  `json:"after"`
		} `json:"events"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return err
	}
	fmt.Fprintf(s.e.out, "\nIts audit trail (GET /api/v1/tickets/%s/events):\n", ref)
	tw := tabwriter.NewWriter(s.e.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  EVENT\tBY\tCHANGE")
	for _, x := range ev.Events {
		who := x.Actor.ID
		switch {
		case x.Actor.Kind == "api_key" && x.Actor.Name != "":
			who = x.Actor.Name // the key's name says more than its id
		case x.Actor.Name != "" && x.Actor.Name != x.Actor.ID:
			who = x.Actor.Name + " (" + x.Actor.ID + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s %s\t%s\n", x.Type, x.Actor.Kind, who, compactJSON(x.After))
	}
	return tw.Flush()
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// topLevel counts the messages that are not thread replies: the cards.
func topLevel(ms []slacktest.Posted) int {
	n := 0
	for _, m := range ms {
		if m.ThreadTS == "" {
			n++
		}
	}
	return n
}
