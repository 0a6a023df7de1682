package slack

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Slack's documented example (PROTOCOLS.md §3.2).
const (
	docSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	docTS     = "1531420618"
	docBody   = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	docSig    = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func TestVerify(t *testing.T) {
	docNow := time.Unix(1531420618, 0).Add(30 * time.Second)
	sgSecret, sgTS := "e6b19c573432dcc6b075501d51b51bb8", "1531431954"
	sgBody := `{"token":"aF5ynEYQH0dFN9imlgcADxDB","team_id":"XXXXXXXXX","api_app_id":"YYYYYYYYY","event":{"type":"app_mention","user":"AAAAAAAAA","text":"<@EEEEEEEEE> hello world","client_msg_id":"477cc591-ch73-a14z-4db8-g0cd76321bec","ts":"1531431954.000073","channel":"TTTTTTTTT","event_ts":"1531431954.000073"},"type":"event_callback","event_id":"TvBP7LRED7","event_time":1531431954,"authed_users":["EEEEEEEEE"]}`
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return h
	}
	now := time.Now()
	fresh := func(ts time.Time, secret, body string) http.Header {
		str := strconv.FormatInt(ts.Unix(), 10)
		return hdr("X-Slack-Request-Timestamp", str, "X-Slack-Signature", SignatureHeader(secret, str, []byte(body)))
	}
	tests := []struct {
		name    string
		h       http.Header
		body    string
		secrets []string
		now     time.Time
		ok      bool
	}{
		{"Slack's documented vector", hdr("X-Slack-Request-Timestamp", docTS, "X-Slack-Signature", docSig), docBody, []string{docSecret}, docNow, true},
		{"slack-go's vector", hdr("X-Slack-Request-Timestamp", sgTS, "X-Slack-Signature", "v0=adada4ed31709aef585c2580ca3267678c6a8eaeb7e0c1aca3ee57b656886b2c"), sgBody, []string{sgSecret}, time.Unix(1531431954, 0), true},
		{"without the v0= prefix", hdr("X-Slack-Request-Timestamp", docTS, "X-Slack-Signature", strings.TrimPrefix(docSig, "v0=")), docBody, []string{docSecret}, docNow, true},
		{"uppercase hex", hdr("X-Slack-Request-Timestamp", docTS, "X-Slack-Signature", "v0="+strings.ToUpper(docSig[3:])), docBody, []string{docSecret}, docNow, true},
		{"the previous secret during a rotation", hdr("X-Slack-Request-Timestamp", docTS, "X-Slack-Signature", docSig), docBody, []string{"new-secret", docSecret}, docNow, true},
		{"wrong secret", hdr("X-Slack-Request-Timestamp", docTS, "X-Slack-Signature", docSig), docBody, []string{"other"}, docNow, false},
		{"empty secret", fresh(now, "", "x"), "x", []string{""}, now, false},
		{"no secrets", fresh(now, "s", "x"), "x", nil, now, false},
		{"body changed", hdr("X-Slack-Request-Timestamp", docTS, "X-Slack-Signature", docSig), docBody + "&text=hi", []string{docSecret}, docNow, false},
		{"missing signature", hdr("X-Slack-Request-Timestamp", docTS), docBody, []string{docSecret}, docNow, false},
		{"missing timestamp", hdr("X-Slack-Signature", docSig), docBody, []string{docSecret}, docNow, false},
		{"two signatures", hdr("X-Slack-Request-Timestamp", docTS, "X-Slack-Signature", docSig, "X-Slack-Signature", docSig), docBody, []string{docSecret}, docNow, false},
		{"six minutes old", hdr("X-Slack-Request-Timestamp", docTS, "X-Slack-Signature", docSig), docBody, []string{docSecret}, time.Unix(1531420618, 0).Add(6 * time.Minute), false},
		{"six minutes in the future", hdr("X-Slack-Request-Timestamp", docTS, "X-Slack-Signature", docSig), docBody, []string{docSecret}, time.Unix(1531420618, 0).Add(-6 * time.Minute), false},
		{"absurd future timestamp", fresh(time.Unix(9999999999999, 0), "s", "x"), "x", []string{"s"}, now, false},
		{"negative timestamp", hdr("X-Slack-Request-Timestamp", "-1531420618", "X-Slack-Signature", SignatureHeader("s", "-1531420618", []byte("x"))), "x", []string{"s"}, now, false},
		{"plus sign", hdr("X-Slack-Request-Timestamp", "+"+docTS, "X-Slack-Signature", SignatureHeader(docSecret, "+"+docTS, []byte(docBody))), docBody, []string{docSecret}, docNow, false},
		{"not a number", hdr("X-Slack-Request-Timestamp", "soon", "X-Slack-Signature", docSig), docBody, []string{docSecret}, docNow, false},
		{"not hex", hdr("X-Slack-Request-Timestamp", docTS, "X-Slack-Signature", "v0=zz"+docSig[5:]), docBody, []string{docSecret}, docNow, false},
		{"too short", hdr("X-Slack-Request-Timestamp", docTS, "X-Slack-Signature", docSig[:40]), docBody, []string{docSecret}, docNow, false},
		{"fresh and right", fresh(now, "s", "x"), "x", []string{"s"}, now, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.h, []byte(tt.body), tt.secrets, tt.now)
			if (err == nil) != tt.ok {
				t.Fatalf("Verify = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && (!errors.Is(err, ErrBadSignature) || strings.Contains(err.Error(), "v0=")) {
				t.Errorf("error %q must be the bare ErrBadSignature", err)
			}
		})
	}
}
