package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	conn "hub/connectors/email"
	"hub/connectors/email/emailtest"
	"hub/connectors/slack/slacktest"
	whslack "hub/webhooks/slack"
)

const (
	demoSupport        = "support@shop.example"
	demoSupportChannel = "C0SUPPORT"
)

// demoSetupEmail turns the email channel on: the hub's SMTP listener on a
// free port, and replies sent to a built-in mail server that keeps them.
func demoSetupEmail(cfg *Config) (stop func(), err error) {
	certs, err := emailtest.NewTLS(time.Now())
	if err != nil {
		return nil, err
	}
	outbox, err := emailtest.StartOutbox(emailtest.OutboxConfig{TLS: certs.Server})
	if err != nil {
		return nil, err
	}
	host, port, _ := strings.Cut(outbox.Addr, ":")
	var p int
	fmt.Sscan(port, &p)
	cfg.Email = emailConfig{
		Config: conn.Config{Address: mail.Address{Name: "Shop Support", Address: demoSupport}, SMTPListen: "127.0.0.1:0",
			SMTP: &conn.SMTPConfig{Host: host, Port: p}},
		MaxMessageBytes: conn.DefaultMaxMessageBytes, MaxAttachmentBytes: 10 << 20,
		SendAttempts: 8, SendBackoff: time.Second, PollEvery: time.Minute, tls: certs.Client,
	}
	demoOutbox = outbox
	// Email tickets get a Slack channel of their own (SLACK_ROUTES
	// source:email=...), as a support team would set it up: the triage
	// channel is busy with the other stories' cards.
	mail, err := whslack.ParseRoutes("source:email=" + demoSupportChannel)
	if err != nil {
		return nil, err
	}
	cfg.Slack.Routes = append(cfg.Slack.Routes, mail...)
	return func() { _ = outbox.Close() }, nil
}

// demoOutbox is the demo's receiving mail server, for the story to show
// what the customer got.
var demoOutbox *emailtest.Outbox

func storyEmail(ctx context.Context, e *demoEnv) error {
	var smtpAddr string
	select {
	case smtpAddr = <-e.app.email.smtpAddr:
	case <-time.After(30 * time.Second):
		return fmt.Errorf("the SMTP listener did not start")
	}
	send := func(id, inReplyTo, subject, body string) error {
		raw := "From: Hana Sato <hana@example.com>\r\nTo: " + demoSupport + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + id + ">\r\n"
		if inReplyTo != "" {
			raw += "In-Reply-To: <" + inReplyTo + ">\r\nReferences: <" + inReplyTo + ">\r\n"
		}
		raw += "Content-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n") + "\r\n"
		c, err := smtp.Dial(smtpAddr)
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.SendMail("hana@example.com", []string{demoSupport}, strings.NewReader(raw)); err != nil {
			return err
		}
		fmt.Fprintf(e.out, "SMTP from hana@example.com to the hub's listener: %q → 250 (committed to the inbox first)\n", subject)
		return nil
	}
	if err := send("hana-1@example.com", "", "Shelf arrived without screws", "Hi, the shelf I got today came without the screws.\nHana"); err != nil {
		return err
	}
	s := demoSlack{e: e, api: e.app.cfg.Slack.APIURL}
	var tk struct {
		ID     string `json:"id"`
		Ref    string `json:"ref"`
		Status string `json:"status"`
		Slack  *struct {
			Channel string `json:"channel"`
			TS      string `json:"ts"`
		} `json:"slack"`
	}
	find := func() (bool, error) {
		raw, err := e.do(ctx, http.MethodGet, "/api/v1/tickets?email=hana@example.com", "")
		if err != nil {
			return false, err
		}
		var page struct {
			Tickets []json.RawMessage `json:"tickets"`
		}
		if err := json.Unmarshal(raw, &page); err != nil || len(page.Tickets) == 0 {
			return false, err
		}
		return tk.Slack != nil && tk.Slack.TS != "", json.Unmarshal(page.Tickets[0], &tk)
	}
	if err := s.waitFor(ctx, find); err != nil {
		return err
	}
	_, _ = find()
	fmt.Fprintf(e.out, "The worker opened %s (source email) and its card went to Slack (#%s, by SLACK_ROUTES source:email=%s).\n", tk.Ref, tk.Slack.Channel, demoSupportChannel)

	// Sam answers from the card's "Reply to customer" modal.
	payload, _ := json.Marshal(map[string]any{"type": "view_submission", "team": map[string]any{"id": slacktest.TeamID},
		"user": map[string]any{"id": demoSam}, "trigger_id": "demo-email-reply",
		"view": map[string]any{"id": "VDEMOMAIL", "callback_id": "reply", "private_metadata": tk.ID,
			"state": map[string]any{"values": map[string]any{"reply_body": map[string]any{"body": map[string]any{"type": "plain_text_input",
				"value": "Sorry, Hana! A bag of screws is on its way today."}}}}}})
	if code, body, err := s.post(ctx, "/slack/interactivity", "application/x-www-form-urlencoded", "payload="+url.QueryEscape(string(payload))); err != nil || code != 200 {
		return fmt.Errorf("reply modal: %d %s %v", code, body, err)
	}
	fmt.Fprintln(e.out, "Sam sends a reply from the Slack reply modal → 200")
	var sent *conn.Message
	if err := s.waitFor(ctx, func() (bool, error) {
		for _, d := range demoOutbox.Messages() {
			if len(d.To) != 1 || d.To[0] != "hana@example.com" {
				continue // earlier stories' replies went by email too
			}
			if m, err := conn.Parse(d.Raw, conn.ParseOptions{}); err == nil {
				sent = m
			}
		}
		return sent != nil, nil
	}); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "\nThe outbox mailed it to the customer, threaded for her mail client:\n  Subject: %s\n  In-Reply-To: <%s>\n  Reply-To: %s\n  Message-ID: <%s>\n  (text and HTML)\n",
		sent.Subject, strings.Join(sent.InReplyTo, "> <"), sent.ReplyTo[0].Address, sent.MessageID)

	if _, err := e.do(ctx, http.MethodPatch, "/api/v1/tickets/"+tk.Ref, `{"status":"resolved"}`); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "\nSam resolves %s. Hana answers the mail:\n", tk.Ref)
	if err := send("hana-2@example.com", sent.MessageID, sent.Subject,
		"Thanks, they arrived, but one is the wrong size.\n\nOn Tue, Sam wrote:\n> Sorry, Hana! A bag of screws is on its way today."); err != nil {
		return err
	}
	if err := s.waitFor(ctx, func() (bool, error) {
		raw, err := e.do(ctx, http.MethodGet, "/api/v1/tickets/"+tk.Ref, "")
		if err != nil {
			return false, err
		}
		return json.Unmarshal(raw, &tk) == nil && tk.Status == "open", nil
	}); err != nil {
		return fmt.Errorf("waiting for %s to reopen: %w", tk.Ref, err)
	}
	// The thread post takes its turn in the channel's pacing: it may wait.
	var line string
	for deadline := time.Now().Add(2 * time.Minute); line == "" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		ms, err := s.messages(ctx, tk.Slack.Channel)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.ThreadTS == tk.Slack.TS && strings.Contains(m.Text+slacktest.Text(m.Blocks), "wrong size") {
				if line = strings.TrimSpace(slacktest.Text(m.Blocks)); line == "" {
					line = strings.TrimSpace(m.Text)
				}
			}
		}
	}
	if line == "" {
		return fmt.Errorf("the answer did not reach %s's Slack thread in 2 minutes", tk.Ref)
	}
	fmt.Fprintf(e.out, "It threaded back by its headers and reopened %s (status %s); the quoted history was trimmed.\nIn the card's Slack thread:\n%s\n", tk.Ref, tk.Status, indent(line))
	return nil
}
