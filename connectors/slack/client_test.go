package slack_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"hub/connectors/slack"
	"hub/connectors/slack/slacktest"
)

func TestClientAgainstTheFake(t *testing.T) {
	fake := slacktest.New()
	defer fake.Close()
	fake.AddUser(slacktest.User{ID: "U1", Name: "Sam Agent", Email: "Sam@Shop.example"})
	c := slack.New(slacktest.Token, fake.URL())
	ctx := context.Background()

	id, err := c.AuthTest(ctx)
	if err != nil || id.TeamID != slacktest.TeamID || id.BotUserID != slacktest.BotUserID {
		t.Fatalf("AuthTest = %+v, %v", id, err)
	}
	card := slack.RenderCard(slack.CardData{TicketID: "x", Ref: "T-1", Subject: "s", Status: "open", Priority: "low"})
	ts1, err := c.Post(ctx, "C1", "", card)
	if err != nil {
		t.Fatal(err)
	}
	ts2, err := c.Post(ctx, "C1", ts1, slack.Notice("in thread"))
	if err != nil || ts2 == ts1 {
		t.Fatalf("second post: ts %q (first %q), %v", ts2, ts1, err)
	}
	if err := c.Update(ctx, "C1", ts1, card); err != nil {
		t.Fatal(err)
	}
	if got := fake.Thread("C1", ts1); len(got) != 1 || got[0].TS != ts2 {
		t.Errorf("thread = %+v", got)
	}
	if err := c.Update(ctx, "C1", "1.2", card); slack.ErrorCode(err) != "message_not_found" {
		t.Errorf("update of a missing message: %v", err)
	}
	u, err := c.UserInfo(ctx, "U1")
	if err != nil || u.Email != "Sam@Shop.example" || u.Name != "Sam Agent" || u.IsBot {
		t.Errorf("UserInfo = %+v, %v", u, err)
	}
	if _, err := c.UserInfo(ctx, "U404"); slack.ErrorCode(err) != "user_not_found" {
		t.Errorf("unknown user: %v", err)
	}
	human := fake.AddHistory("C2", "U1", "my parcel is late")
	m, err := c.MessageAt(ctx, "C2", human)
	if err != nil || m.Text != "my parcel is late" || m.User != "U1" {
		t.Errorf("MessageAt = %+v, %v", m, err)
	}
	if err := c.OpenView(ctx, "trig-1", slack.LinkOrderModal(slack.LinkData{TicketID: "x", Ref: "T-1"})); err != nil {
		t.Errorf("OpenView: %v", err)
	}
	if err := c.OpenView(ctx, "expired-1", slack.LinkOrderModal(slack.LinkData{TicketID: "x"})); slack.ErrorCode(err) != "expired_trigger_id" {
		t.Errorf("expired trigger: %v", err)
	}
	if err := c.Respond(ctx, fake.ResponseURL("r1"), slack.Notice("hi")); err != nil || len(fake.Responses()) != 1 {
		t.Errorf("Respond: %v (%d responses)", err, len(fake.Responses()))
	}
	for _, bad := range []string{"https://evil.example/hook", "http://hooks.slack.com/x", "https://user@hooks.slack.com/x", "::"} {
		if err := c.Respond(ctx, bad, slack.Notice("hi")); err == nil {
			t.Errorf("Respond to %q was allowed", bad)
		}
	}
}

func TestClientErrors(t *testing.T) {
	fake := slacktest.New()
	defer fake.Close()
	c := slack.New(slacktest.Token, fake.URL())
	ctx := context.Background()
	msg := slack.Notice("x")

	tests := []struct {
		name      string
		setup     func()
		retry     time.Duration // want a RetryAfter of this much
		code      string
		channel   bool
		token     bool
		permanent bool
	}{
		{"429 with whole seconds", func() { fake.RateLimit("chat.postMessage", "7", 1) }, 7 * time.Second, "", false, false, false},
		{"429 with a fraction", func() { fake.RateLimit("chat.postMessage", "2.5", 1) }, 3 * time.Second, "", false, false, false},
		{"429 without Retry-After", func() { fake.RateLimit("chat.postMessage", "", 1) }, time.Second, "", false, false, false},
		{"channel_not_found", func() { fake.Fail("chat.postMessage", "channel_not_found", 1) }, 0, "channel_not_found", true, false, true},
		{"not_in_channel", func() { fake.ChannelError("C1", "not_in_channel") }, 0, "not_in_channel", true, false, true},
		{"is_archived", func() { fake.ChannelError("C1", "is_archived") }, 0, "is_archived", true, false, true},
		{"invalid_auth", func() { fake.ChannelError("C1", ""); fake.Fail("chat.postMessage", "invalid_auth", 1) }, 0, "invalid_auth", false, true, true},
		{"internal_error is retried", func() { fake.Fail("chat.postMessage", "internal_error", 1) }, 0, "internal_error", false, false, false},
		{"token_revoked", func() { fake.Revoke() }, 0, "token_revoked", false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup()
			_, err := c.Post(ctx, "C1", "", msg)
			if err == nil {
				t.Fatal("no error")
			}
			var rl interface{ RetryAfter() time.Duration }
			if tt.retry > 0 {
				if !errors.As(err, &rl) || rl.RetryAfter() != tt.retry {
					t.Fatalf("err %v: want RetryAfter %s", err, tt.retry)
				}
				return
			}
			if errors.As(err, &rl) {
				t.Errorf("err %v carries a RetryAfter", err)
			}
			if slack.ErrorCode(err) != tt.code || slack.IsChannelError(err) != tt.channel ||
				slack.IsTokenError(err) != tt.token || slack.IsPermanent(err) != tt.permanent {
				t.Errorf("err %v: code %q channel %v token %v permanent %v", err, slack.ErrorCode(err),
					slack.IsChannelError(err), slack.IsTokenError(err), slack.IsPermanent(err))
			}
		})
	}
}
