package slack

import (
	"bytes"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// inboundSeeds are the recorded Slack bodies in testdata/inbound, as Slack
// sends them: events as JSON, interactions as a form with one payload
// field, commands as a form.
func inboundSeeds(t testing.TB) (events, interactions, commands [][]byte) {
	t.Helper()
	files, err := filepath.Glob("testdata/inbound/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no seeds in testdata/inbound: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.TrimSpace(b)
		switch name := filepath.Base(f); {
		case strings.HasPrefix(name, "interaction_"):
			interactions = append(interactions, []byte("payload="+url.QueryEscape(string(b))))
		case strings.HasPrefix(name, "command_"):
			commands = append(commands, b)
		default:
			events = append(events, b)
		}
	}
	return events, interactions, commands
}

const fuzzSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// FuzzVerify: whatever the headers and body, Verify accepts exactly the
// requests whose signature is Slack's HMAC of that body and timestamp
// under the secret, with the timestamp inside the window, and never panics.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1767000000, 0)
	events, interactions, commands := inboundSeeds(f)
	for _, b := range append(append(events, interactions...), commands...) {
		ts := strconv.FormatInt(now.Unix(), 10)
		f.Add(b, ts, SignatureHeader(fuzzSecret, ts, b))
		f.Add(b, ts, SignatureHeader("other-secret", ts, b))
		f.Add(b, "1766990000", SignatureHeader(fuzzSecret, "1766990000", b))
	}
	f.Add([]byte("{}"), "+1767000000", "v0=00")
	f.Add([]byte("{}"), "99999999999999999999", "V0=ZZ")
	f.Fuzz(func(t *testing.T, body []byte, ts, sig string) {
		h := http.Header{}
		h.Set("X-Slack-Request-Timestamp", ts)
		h.Set("X-Slack-Signature", sig)
		err := Verify(h, body, []string{"", fuzzSecret}, now)
		if err != nil {
			if err != ErrBadSignature {
				t.Fatalf("error %v says more than ErrBadSignature", err)
			}
			// A correct signature for a timestamp in the window must pass.
			tts := strings.TrimSpace(ts)
			secs, perr := strconv.ParseInt(tts, 10, 64)
			if perr == nil && tts != "" && tts[0] >= '0' && tts[0] <= '9' && len(tts) <= 12 &&
				secs >= now.Add(-MaxSkew).Unix() && secs <= now.Add(MaxSkew).Unix() &&
				strings.TrimSpace(sig) == SignatureHeader(fuzzSecret, tts, body) {
				t.Fatalf("a valid signature was refused (ts %q)", ts)
			}
			return
		}
		tts := strings.TrimSpace(ts)
		got, derr := hex.DecodeString(strings.ToLower(strings.TrimPrefix(strings.TrimSpace(sig), "v0=")))
		if derr != nil || !bytes.Equal(got, Sign(fuzzSecret, tts, body)) {
			t.Fatalf("accepted a signature that is not the body's HMAC: ts %q sig %q", ts, sig)
		}
		secs, _ := strconv.ParseInt(tts, 10, 64)
		if at := time.Unix(secs, 0); at.Before(now.Add(-MaxSkew)) || at.After(now.Add(MaxSkew)) {
			t.Fatalf("accepted a timestamp outside the window: %q", ts)
		}
		// The same signature over another body never passes.
		if Verify(h, append(body, 'x'), []string{fuzzSecret}, now) == nil {
			t.Fatal("a signature verified a body it was not made for")
		}
	})
}

// FuzzParseEnvelope: any body decodes or errors, never panics, and a
// challenge that comes out is a short non-empty string.
func FuzzParseEnvelope(f *testing.F) {
	events, _, _ := inboundSeeds(f)
	for _, b := range events {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := ParseEnvelope(body)
		if err != nil {
			return
		}
		if c, ok := e.ChallengeString(); ok && (c == "" || len(c) > 256) {
			t.Fatalf("challenge %q passed", c)
		}
		_ = e.Event.Item.TS
		if m := e.Event.Message; m != nil && m.Edited != nil {
			_ = m.Edited.TS
		}
	})
}

// FuzzParseInteraction: any body decodes or errors, never panics; a decoded
// interaction has a type and came from exactly one payload field.
func FuzzParseInteraction(f *testing.F) {
	_, interactions, _ := inboundSeeds(f)
	for _, b := range interactions {
		f.Add(b)
	}
	f.Add([]byte("payload=%7B%7D&payload=%7B%7D"))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := ParseInteraction(body)
		if err != nil {
			return
		}
		if in.Type == "" {
			t.Fatal("an interaction without a type was accepted")
		}
		form, ferr := url.ParseQuery(string(body))
		if ferr != nil || len(form["payload"]) != 1 {
			t.Fatalf("accepted a body without exactly one payload: %q", body)
		}
		for _, a := range in.Actions {
			_ = a.Choice()
		}
		_ = in.View.Input("reply")
	})
}

// FuzzParseCommand: any body decodes or errors, never panics; a decoded
// command names its user and command.
func FuzzParseCommand(f *testing.F) {
	_, _, commands := inboundSeeds(f)
	for _, b := range commands {
		f.Add(b)
	}
	f.Add([]byte("user_id=U1&command=%2Fticket&text=%ZZ"))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := ParseCommand(body)
		if err != nil {
			return
		}
		if c.UserID == "" || c.Command == "" {
			t.Fatalf("command without user or command: %+v", c)
		}
		if c.Text != strings.TrimSpace(c.Text) {
			t.Fatalf("text not trimmed: %q", c.Text)
		}
	})
}
