package slacktest

import (
	"context"
	"errors"
	"testing"

	"github.com/slack-go/slack"
)

// The fake refuses what Slack would refuse: past a channel's burst, a post
// answers 429 with a Retry-After, another channel is unaffected.
func TestPostMessagePacedPerChannel(t *testing.T) {
	s := New()
	defer s.Close()
	api := slack.New(Token, slack.OptionAPIURL(s.URL()))
	post := func(ch string) error {
		_, _, err := api.PostMessageContext(context.Background(), ch, slack.MsgOptionText("hi", false))
		return err
	}
	var limited *slack.RateLimitedError
	for i := range 4 {
		if err := post("C1"); err != nil {
			t.Fatalf("post %d within the burst: %v", i, err)
		}
	}
	err := post("C1")
	if !errors.As(err, &limited) || limited.RetryAfter <= 0 {
		t.Fatalf("fifth post at once: %v, want rate limited with a Retry-After", err)
	}
	if err := post("C2"); err != nil {
		t.Fatalf("another channel: %v", err)
	}
	if n := len(s.Messages("C1")); n != 4 {
		t.Errorf("%d messages in C1, want the 4 accepted", n)
	}
	if s.Limited("chat.postMessage") != 1 {
		t.Errorf("limited count %d", s.Limited("chat.postMessage"))
	}
}

func TestUpdatePacedPerWorkspace(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetLimit("chat.update", Limit{Every: 1 << 40, Burst: 2})
	api := slack.New(Token, slack.OptionAPIURL(s.URL()))
	_, ts, err := api.PostMessage("C1", slack.MsgOptionText("card", false))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, _, _, err := api.UpdateMessage("C1", ts, slack.MsgOptionText("v", false)); err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
	}
	var limited *slack.RateLimitedError
	if _, _, _, err := api.UpdateMessage("C1", ts, slack.MsgOptionText("v", false)); !errors.As(err, &limited) {
		t.Fatalf("third update: %v, want rate limited", err)
	}
}
