package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"hub/connectors/zapier/zapiertest"
	"hub/tickets/postgres/pgtest"
)

func TestRepliesAndReportUsage(t *testing.T) {
	for _, tt := range []struct {
		args     []string
		code     int
		inStderr string
		inStdout string
	}{
		{[]string{"replies"}, 2, "replies needs a subcommand", "{{tracking_link}}"},
		{[]string{"replies", "--help"}, 0, "", "hub replies add NAME"},
		{[]string{"replies", "add", "x"}, 2, "needs a NAME and --body", ""},
		{[]string{"replies", "add", "x", "--body", "a", "--file", "f"}, 2, "not both", ""},
		{[]string{"replies", "frob"}, 2, `unknown replies subcommand "frob"`, ""},
		{[]string{"report", "--bogus"}, 2, "flag provided but not defined", ""},
		{[]string{"report", "--from", "2026-02-01", "--to", "2026-01-01"}, 2, "from must be before to", ""},
		{[]string{"report", "--help"}, 0, "", "--json"},
		{[]string{"replies", "add", "--help"}, 0, "", "{{survey_link}}"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tt.args, envOf(nil), &out, &errb)
			if code != tt.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tt.code, errb.String())
			}
			if !strings.Contains(errb.String(), tt.inStderr) || !strings.Contains(out.String(), tt.inStdout) {
				t.Errorf("stdout %q / stderr %q", out.String(), errb.String())
			}
		})
	}
}

// cli runs a hub command against env; it fails the test unless the exit
// code is want.
func cli(t *testing.T, env map[string]string, want int, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, envOf(env), &out, &errb); code != want {
		t.Fatalf("hub %s: exit %d, want %d; stderr %s", strings.Join(args, " "), code, want, errb.String())
	}
	return out.String()
}

func TestRepliesCommand(t *testing.T) {
	env := map[string]string{"DATABASE_URL": pgtest.URL(t),
		"HUB_QUEUE": "hubtest-replies-" + strconv.FormatInt(time.Now().UnixNano(), 36), "HUB_LOG_LEVEL": "error"}
	cli(t, env, 0, "replies", "add", "Shipped", "--body", "Hi {{customer_first_name}}, track it: {{tracking_link}}")
	cli(t, env, 1, "replies", "add", "shipped", "--body", "again")
	cli(t, env, 1, "replies", "add", "typo", "--body", "{{tracking}}")
	cli(t, env, 0, "replies", "edit", "shipped", "--name", "on-its-way")
	out := cli(t, env, 0, "replies", "list")
	if !strings.Contains(out, "on-its-way") || !strings.Contains(out, "customer_first_name,tracking_link") {
		t.Errorf("list:\n%s", out)
	}
	if out := cli(t, env, 0, "replies", "show", "on-its-way"); !strings.Contains(out, "track it: {{tracking_link}}") {
		t.Errorf("show:\n%s", out)
	}
	cli(t, env, 0, "replies", "delete", "on-its-way")
	cli(t, env, 1, "replies", "delete", "on-its-way")
}

// A resolution reply through the hub's API carries a survey link the hub
// serves; the answer shows on the ticket; `hub report --json` says what the
// API says.
func TestSurveyAndReportThroughTheHub(t *testing.T) {
	dbURL := pgtest.URL(t)
	// A public reply needs a channel to the customer: a Zapier workflow on
	// replies, here a fake one.
	fake := zapiertest.NewServer()
	t.Cleanup(fake.Close)
	h := bootHub(t, map[string]string{"DATABASE_URL": dbURL, "ZAPIER_HOOK_ALLOWLIST": fake.Prefix()})
	h.subscribe(t, fake.HookURL("replies"), "ticket.message_created")
	auth := map[string]string{"X-API-Key": h.key}
	code, _, body := h.call(t, http.MethodPost, "/api/v1/tickets", `{"subject":"Cracked mug","customer":{"email":"ada@example.com","name":"Ada"}}`, auth)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	var tk struct {
		ID   string `json:"id"`
		CSAT *struct {
			Rating int `json:"rating"`
		} `json:"csat"`
		Status string `json:"status"`
	}
	_ = json.Unmarshal(body, &tk)
	code, _, body = h.call(t, http.MethodPost, "/api/v1/tickets/"+tk.ID+"/messages",
		`{"body":"A new one is on its way.","visibility":"public","resolve":true,"survey":true}`, auth)
	if code != http.StatusCreated {
		t.Fatalf("resolution reply: %d %s", code, body)
	}
	// Without HUB_PUBLIC_URL the link points at the listen address.
	m := regexp.MustCompile(`http://localhost:8080(/survey/[A-Za-z0-9_-]+)`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no survey link in %s", body)
	}
	m1 := m[1]
	if code, _, page := h.call(t, http.MethodGet, string(m[1]), "", nil); code != 200 || !bytes.Contains(page, []byte(`name="rating"`)) {
		t.Fatalf("survey page: %d %s", code, page)
	}
	res, err := http.PostForm(h.base+string(m[1]), url.Values{"rating": {"3"}, "comment": {"fine"}})
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("answer: %v %v", res, err)
	}
	res.Body.Close()
	_, _, body = h.call(t, http.MethodGet, "/api/v1/tickets/"+tk.ID, "", auth)
	_ = json.Unmarshal(body, &tk)
	if tk.CSAT == nil || tk.CSAT.Rating != 3 || tk.Status != "resolved" {
		t.Errorf("ticket after the answer: %s", body)
	}
	// The workflow got the reply, link included, to send to the customer.
	eventually(t, "the reply at the Zapier hook", func() bool {
		for _, p := range fake.ReceivedJSON("replies") {
			if m, _ := p["message"].(map[string]any); strings.Contains(fmt.Sprint(m["body"]), string(m1)) {
				return true
			}
		}
		return false
	})

	day := time.Now().UTC().Format("2006-01-02")
	_, _, apiJSON := h.call(t, http.MethodGet, "/api/v1/reports/summary?from="+day+"&to="+day, "", auth)
	cliJSON := cli(t, map[string]string{"DATABASE_URL": dbURL, "HUB_LOG_LEVEL": "error",
		"HUB_QUEUE": "hubtest-report-" + strconv.FormatInt(time.Now().UnixNano(), 36)}, 0, "report", "--json", "--from", day, "--to", day)
	var a, c map[string]any
	if err := json.Unmarshal(apiJSON, &a); err != nil {
		t.Fatalf("%v: %s", err, apiJSON)
	}
	if err := json.Unmarshal([]byte(cliJSON), &c); err != nil {
		t.Fatalf("%v: %s", err, cliJSON)
	}
	// The backlog is as of each one's now.
	delete(a["backlog"].(map[string]any), "at")
	delete(c["backlog"].(map[string]any), "at")
	aj, _ := json.Marshal(a)
	cj, _ := json.Marshal(c)
	if !bytes.Equal(aj, cj) {
		t.Errorf("hub report --json differs from the API:\ncli %s\napi %s", cj, aj)
	}
	if csat := a["csat"].(map[string]any); csat["answered"] != float64(1) || csat["average"] != float64(3) {
		t.Errorf("report csat %v", csat)
	}
	if text := cli(t, map[string]string{"DATABASE_URL": dbURL, "HUB_LOG_LEVEL": "error", "HUB_QUEUE": "hubtest-report-text"}, 0, "report", "--from", day, "--to", day); !strings.Contains(text, "SATISFACTION: 1 survey sent, 1 answered (100%), average 3.00 / 5") {
		t.Errorf("report text:\n%s", text)
	}
}
