package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	conn "hub/connectors/email"
	"hub/connectors/slack/slacktest"
	"hub/tickets"
)

// The demo's story with real mail on the wire: a customer emails, the
// agent replies from Slack's reply modal, the customer's answer threads
// back, reopens the ticket and shows in the Slack thread.
func TestEmailConversationInSlack(t *testing.T) {
	env, outbox, _ := emailEnv(t)
	// A channel of its own: Slack pacing is kept in Redis per channel,
	// shared with every other test that posts to the triage channel.
	env["SLACK_CHANNEL"] = "C0MAIL" + strings.ToUpper(strconv.FormatInt(time.Now().UnixNano(), 36))
	h := bootSlackHub(t, env)
	var smtpAddr string
	select {
	case smtpAddr = <-h.app.email.smtpAddr:
	case <-time.After(30 * time.Second):
		t.Fatal("the SMTP listener did not start")
	}
	send := func(raw string) {
		t.Helper()
		c, err := smtp.Dial(smtpAddr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.SendMail("hana@customer.test", []string{supportAddr}, strings.NewReader(raw)); err != nil {
			t.Fatal(err)
		}
	}
	send(mailText("Hana Sato <hana@customer.test>", supportAddr, "Missing screws", "hana1@customer.test", "", "The shelf came without screws."))
	var tk tickets.Ticket
	waitFor(t, "the ticket's card", func() bool {
		list, _, err := h.app.store.ListTickets(context.Background(), tickets.Filter{Email: "hana@customer.test"})
		if err != nil || len(list) == 0 {
			return false
		}
		tk = list[0]
		return tk.Slack.TS != ""
	})
	if !strings.Contains(h.cardText(tk), "The shelf came without screws.") {
		t.Errorf("card: %s", h.cardText(tk))
	}

	// The reply modal says the reply goes by email; its submission sends it.
	h.click(t, agentSam, tk, map[string]any{"action_id": "reply", "value": tk.ID, "type": "button", "block_id": "t:" + tk.ID + ":work"})
	waitFor(t, "the reply modal", func() bool { return len(h.fake.Views()) == 1 })
	if v := string(h.fake.Views()[0]); !strings.Contains(v, "an email to hana@customer.test") {
		t.Errorf("reply modal: %s", v)
	}
	h.interact(t, map[string]any{"type": "view_submission", "user": map[string]any{"id": agentSam},
		"view": map[string]any{"id": "V1", "callback_id": "reply", "private_metadata": tk.ID,
			"state": map[string]any{"values": map[string]any{"reply_body": map[string]any{"body": map[string]any{"type": "plain_text_input", "value": "Sorry! Screws are on their way."}}}}}})
	var sent *conn.Message
	waitFor(t, "the reply mailed", func() bool {
		if m := sentTo(outbox, "hana@customer.test"); len(m) == 1 {
			sent = m[0]
			return true
		}
		return false
	})
	if !strings.Contains(sent.Text, "Screws are on their way.") || sent.InReplyTo[0] != "hana1@customer.test" {
		t.Errorf("mail: %q in reply to %v", sent.Text, sent.InReplyTo)
	}

	// The agent resolves; the customer's answer reopens and shows in Slack.
	if _, err := h.app.store.UpdateTicket(context.Background(), tickets.Actor{Kind: tickets.ActorSlack, ID: agentSam},
		tk.ID, tickets.Patch{Status: ptrTo(tickets.StatusResolved)}); err != nil {
		t.Fatal(err)
	}
	send(mailText("hana@customer.test", supportAddr, "Re: Missing screws", "hana2@customer.test", sent.MessageID, "They arrived, but one is the wrong size."))
	waitFor(t, "the answer in the Slack thread", func() bool {
		for _, m := range h.fake.Thread(tk.Slack.Channel, tk.Slack.TS) {
			if strings.Contains(m.Text+slacktest.Text(m.Blocks), "one is the wrong size") {
				return true
			}
		}
		return false
	})
	if st := h.ticket(t, tk.ID).Status; st != tickets.StatusOpen {
		t.Errorf("status %s after the customer's answer, want open", st)
	}

	// A reply the mail server refuses: the card says so.
	outbox.FailNext(550, "mailbox unavailable")
	h.interact(t, map[string]any{"type": "view_submission", "user": map[string]any{"id": agentSam},
		"view": map[string]any{"id": "V2", "callback_id": "reply", "private_metadata": tk.ID,
			"state": map[string]any{"values": map[string]any{"reply_body": map[string]any{"body": map[string]any{"type": "plain_text_input", "value": "We'll send the right one."}}}}}})
	waitFor(t, "the card to warn", func() bool {
		return strings.Contains(h.cardText(h.ticket(t, tk.ID)), "last reply not delivered")
	})
}
