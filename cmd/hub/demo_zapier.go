package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	hookclient "hub/connectors/zapier"
	"hub/connectors/zapier/zapiertest"
)

// demoSetupZapier starts a fake of Zapier's hook endpoints and allows hooks
// to target it (it listens on 127.0.0.1, which the allowlist then names).
func demoSetupZapier(cfg *Config) (stop func(), err error) {
	fake := zapiertest.NewServer()
	allow, err := hookclient.ParseAllowlist(cfg.Zapier.Allowlist.String() + "," + fake.Prefix())
	if err != nil {
		fake.Close()
		return nil, err
	}
	cfg.Zapier.Allowlist, cfg.Zapier.demo = allow, fake
	return fake.Close, nil
}

// storyZapier subscribes Zaps the way the Zapier app does, makes a ticket
// through the intake, works it, and shows what each Zap received.
func storyZapier(ctx context.Context, e *demoEnv) error {
	fake := e.app.cfg.Zapier.demo
	if fake == nil {
		return fmt.Errorf("the fake Zapier is not running")
	}
	zaps := []struct{ name, event, kind string }{
		{"new-ticket", "ticket.created", ""},
		{"status-changed", "ticket.status_changed", ""},
		{"public-reply", "ticket.message_created", "reply"},
		{"deleted-zap", "ticket.created", ""},
	}
	fake.Script("deleted-zap", zapiertest.Reply{Status: http.StatusGone})
	for _, z := range zaps {
		body := fmt.Sprintf(`{"target_url":%q,"event":%q,"message_kind":%q}`, fake.HookURL(z.name), z.event, z.kind)
		if _, err := e.do(ctx, http.MethodPost, "/api/v1/hooks", body); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.out, "Four Zaps subscribed (POST /api/v1/hooks), one of them since deleted at Zapier (it will answer 410).\n")
	_, err := e.do(ctx, http.MethodPost, "/api/v1/hooks", `{"target_url":"http://169.254.169.254/latest/meta-data/","event":"ticket.created"}`)
	if err == nil {
		return fmt.Errorf("a hook aimed at the metadata address was accepted")
	}
	msg := err.Error()
	if i := strings.Index(msg, `"message":"`); i >= 0 {
		msg = strings.TrimSuffix(strings.SplitN(msg[i+11:], `"`, 2)[0], `\`)
	}
	fmt.Fprintf(e.out, "A hook aimed at the cloud metadata address is refused (400): %s\n\n", msg)

	status, raw, err := e.post(ctx, "/webhooks/zapier", "zap-demo-1",
		`{"subject":"Gift card code does not work","customer":"Katherine Johnson <katherine@example.com>","priority":"high","tags":"giftcard"}`)
	if err != nil {
		return err
	}
	var made struct {
		Ticket struct{ Ref, Status string } `json:"ticket"`
	}
	_ = json.Unmarshal([]byte(raw), &made)
	fmt.Fprintf(e.out, "POST /webhooks/zapier → %d, ticket %s (%s): the intake answers with the ticket once the worker has made it.\n", status, made.Ticket.Ref, made.Ticket.Status)
	status, _, err = e.post(ctx, "/webhooks/zapier", "zap-demo-1", `{"subject":"Gift card code does not work"}`)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "The same Idempotency-Key again → %d with the same ticket.\n", status)

	ref := made.Ticket.Ref
	if _, err := e.do(ctx, http.MethodPost, "/api/v1/tickets/"+ref+"/messages", `{"body":"Here is a new code: GIFT-4242.","visibility":"public"}`); err != nil {
		return err
	}
	if _, err := e.do(ctx, http.MethodPatch, "/api/v1/tickets/"+ref, `{"status":"resolved"}`); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "An agent replied publicly and resolved %s.\n\n", ref)

	// Earlier stories' events go out too; the story waits for its own.
	mine := func(zap string) []map[string]any {
		var out []map[string]any
		for _, p := range fake.ReceivedJSON(zap) {
			if dig(p, "ticket", "ref") == ref {
				out = append(out, p)
			}
		}
		return out
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(mine("new-ticket")) < 1 || len(mine("status-changed")) < 1 || len(mine("public-reply")) < 1 {
		if time.Now().After(deadline) {
			return fmt.Errorf("the Zaps received nothing after 30s: are the workers running?")
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Fprintf(e.out, "What each Zap received about %s (one POST per hook and event; the id is stable, for Zapier's dedupe):\n", ref)
	tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ZAP\tEVENT\tID\tDETAIL")
	for _, z := range zaps[:3] {
		for _, p := range mine(z.name) {
			id := fmt.Sprint(p["id"])
			fmt.Fprintf(tw, "%s\t%s\t…%s\t%s\n", z.name, p["event"], id[max(0, len(id)-10):], demoDetail(p))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var hooks struct{ Hooks []struct{ ID string } }
	for len(hooks.Hooks) != 3 && time.Now().Before(deadline) {
		raw, err := e.do(ctx, http.MethodGet, "/api/v1/hooks", "")
		if err != nil {
			return err
		}
		_ = json.Unmarshal(raw, &hooks)
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintf(e.out, "\nThe deleted Zap answered 410 Gone: its subscription was removed (%d of 4 left).\n", len(hooks.Hooks))

	raw2, err := e.do(ctx, http.MethodGet, "/api/v1/search/tickets?email=katherine@example.com", "")
	if err != nil {
		return err
	}
	var found []struct{ Ref, Status string }
	_ = json.Unmarshal(raw2, &found)
	fmt.Fprintf(e.out, "Find Ticket by email (GET /api/v1/search/tickets?email=katherine@example.com) → %s\n", dig2(found))
	return nil
}

func demoDetail(p map[string]any) string {
	switch p["event"] {
	case "ticket.status_changed":
		return fmt.Sprintf("status %v → %v", dig(p, "changes", "status", "from"), dig(p, "changes", "status", "to"))
	case "ticket.message_created":
		return "reply: " + cut(fmt.Sprint(dig(p, "message", "body")), 40)
	}
	return fmt.Sprintf("%v, %v", dig(p, "ticket", "subject"), dig(p, "ticket", "customer", "email"))
}

// dig reads a nested value of a decoded payload.
func dig(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	return v
}

func dig2(list []struct{ Ref, Status string }) string {
	var out []string
	for _, t := range list {
		out = append(out, t.Ref+" ("+t.Status+")")
	}
	return strings.Join(out, ", ")
}
