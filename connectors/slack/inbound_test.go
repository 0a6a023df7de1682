package slack

import (
	"net/url"
	"testing"
)

func TestParseInteractionReadsOnlyTheBody(t *testing.T) {
	body := "payload=" + url.QueryEscape(`{"type":"block_actions","trigger_id":"tr","user":{"id":"U1","team_id":"T1"},"team":{"id":"T1"},
		"container":{"message_ts":"1.2","channel_id":"C1"},
		"actions":[{"action_id":"priority","block_id":"t:abc:assign","selected_option":{"value":"urgent"},"action_ts":"3.4"}]}`)
	in, err := ParseInteraction([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if in.Type != "block_actions" || in.User.ID != "U1" || len(in.Actions) != 1 || in.Actions[0].Choice() != "urgent" || in.Container.MessageTS != "1.2" {
		t.Errorf("parsed %+v", in)
	}
	for _, bad := range []string{"", "payload=", "payload=%7B", "payload=%7B%7D", body + "&" + body, "other=1"} {
		if _, err := ParseInteraction([]byte(bad)); err == nil {
			t.Errorf("ParseInteraction(%.40q) accepted", bad)
		}
	}
}

func TestParseCommand(t *testing.T) {
	c, err := ParseCommand([]byte("team_id=T1&channel_id=C1&user_id=U1&command=%2Fticket&text=+new+Broken+lid+&response_url=https%3A%2F%2Fhooks.slack.com%2Fx&trigger_id=tr"))
	if err != nil || c.Text != "new Broken lid" || c.Command != "/ticket" || c.ResponseURL != "https://hooks.slack.com/x" {
		t.Errorf("ParseCommand = %+v, %v", c, err)
	}
	if _, err := ParseCommand([]byte("text=hi")); err == nil {
		t.Error("a command without user and command was accepted")
	}
}

func TestEnvelopeChallenge(t *testing.T) {
	for body, ok := range map[string]bool{
		`{"type":"url_verification","challenge":"abc123"}`: true,
		`{"type":"url_verification","challenge":42}`:       false,
		`{"type":"url_verification","challenge":""}`:       false,
		`{"type":"url_verification"}`:                      false,
	} {
		e, err := ParseEnvelope([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if _, got := e.ChallengeString(); got != ok {
			t.Errorf("%s: challenge ok=%v", body, got)
		}
	}
}
