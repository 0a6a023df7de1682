package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"hub/tickets/postgres/pgtest"
	"hub/tickets/rules"
)

const staffedRules = `version: 1
teams:
  billing:
    members: [ana@example.com, ben@example.com]
rules:
  - name: tag-billing
    if: mentions(text, "invoice*")
    tag: billing
  - name: route-billing
    if: team == "" && "billing" in tags
    team: billing
    assign: team
`

// brokenRules has two mistakes, on lines 5 and 8.
const brokenRules = `version: 1
rules:
  - name: tag-billing
    on: [ticket.created]
    if: mentions(txt, "invoice*")
    tag: billing
  - name: urgent
    priority: very
`

func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRulesCommands(t *testing.T) {
	good := writeFile(t, "good.yaml", staffedRules)
	broken := writeFile(t, "broken.yaml", brokenRules)
	ticket := `{"subject":"Where is my invoice?","agents":{"away":["ana@example.com"]}}`
	tests := []struct {
		name     string
		args     []string
		code     int
		inStdout []string
		inStderr string
	}{
		{"check good", []string{"rules", "check", good}, 0, []string{"version 1, 2 rules, 1 teams"}, ""},
		{"check default", []string{"rules", "check", "default"}, 0, []string{"default.yaml: version 1"}, ""},
		{"check broken", []string{"rules", "check", broken}, 1, []string{broken + ":5:", "unknown name txt", broken + ":8:", "priority"}, "2 mistake(s)"},
		{"check missing", []string{"rules", "check", filepath.Join(t.TempDir(), "nope.yaml")}, 1, nil, "no such file"},
		{"check no file", []string{"rules", "check"}, 2, nil, "needs one FILE"},
		{"test", []string{"rules", "test", good, "--ticket", ticket}, 0,
			[]string{"tag-billing", "route-billing", "assignee: (none) → ben@example.com (round_robin)", "team      billing"}, ""},
		{"test flag first", []string{"rules", "test", "--ticket", ticket, good}, 0, []string{"assignee  ben@example.com"}, ""},
		{"test from a file", []string{"rules", "test", good, "--ticket", "@" + writeFile(t, "t.json", ticket)}, 0, []string{"route-billing"}, ""},
		{"test broken file", []string{"rules", "test", broken, "--ticket", ticket}, 1, []string{":5:"}, "has mistakes"},
		{"test bad ticket", []string{"rules", "test", good, "--ticket", `{"priority":"asap"}`}, 2, nil, "priority"},
		{"test no ticket", []string{"rules", "test", good}, 2, nil, "needs --ticket"},
		{"defaults", []string{"rules", "defaults"}, 0, []string{"route-billing", "version: 1"}, ""},
		{"help", []string{"rules", "--help"}, 0, []string{"hub rules check FILE"}, ""},
		{"none", []string{"rules"}, 2, nil, "rules needs check, test or defaults"},
		{"unknown", []string{"rules", "lint", good}, 2, nil, `unknown rules subcommand "lint"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tt.args, envOf(nil), &out, &errb)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, tt.code, out.String(), errb.String())
			}
			for _, s := range tt.inStdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, out.String())
				}
			}
			if !strings.Contains(errb.String(), tt.inStderr) {
				t.Errorf("stderr %q lacks %q", errb.String(), tt.inStderr)
			}
		})
	}
}

// A hub refuses to start on a broken rules file, naming the mistakes.
func TestBrokenRulesFileStopsTheStart(t *testing.T) {
	// A database of its own, though the refusal comes before any database
	// is touched.
	cfg, err := LoadConfig(envOf(map[string]string{"DATABASE_URL": pgtest.URL(t), "HUB_RULES_FILE": writeFile(t, "broken.yaml", brokenRules)}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "broken.yaml:5:") {
		t.Fatalf("Open = %v; want the file refused with its line", err)
	}
}

// The hub loads HUB_RULES_FILE at start and again on SIGHUP; a broken file
// is refused and the rules in force keep working.
func TestRulesReloadOnSIGHUP(t *testing.T) {
	// Hold SIGHUP for the whole test process first: the hub registers its
	// own handler as it starts, and an unhandled SIGHUP would end the run.
	hold := make(chan os.Signal, 1)
	signal.Notify(hold, syscall.SIGHUP)
	defer signal.Stop(hold)

	file := writeFile(t, "rules.yaml", `version: 1
rules: []
`)
	h := bootHub(t, map[string]string{"HUB_RULES_FILE": file})
	create := func(subject string) map[string]any {
		t.Helper()
		code, _, body := h.call(t, http.MethodPost, "/api/v1/tickets", `{"subject":"`+subject+`"}`, map[string]string{"X-API-Key": h.key})
		if code != http.StatusCreated {
			t.Fatalf("create: %d %s", code, body)
		}
		var tk map[string]any
		if err := json.Unmarshal(body, &tk); err != nil {
			t.Fatal(err)
		}
		return tk
	}
	if tk := create("My invoice is wrong"); tk["assignee"] != nil && tk["assignee"] != "" {
		t.Fatalf("no rules yet, but assigned to %v", tk["assignee"])
	}

	if err := os.WriteFile(file, []byte(staffedRules), 0o600); err != nil {
		t.Fatal(err)
	}
	want, _ := rules.Parse(file, []byte(staffedRules))
	deadline := time.Now().Add(30 * time.Second)
	for h.app.rules.Get().Digest != want.Digest {
		if time.Now().After(deadline) {
			t.Fatal("SIGHUP did not load the new rules")
		}
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if tk := create("Invoice missing"); tk["assignee"] != "ana@example.com" {
		t.Fatalf("after SIGHUP: assignee %v, want ana (the new rules)", tk["assignee"])
	}

	// A broken file is refused: the rules in force stay and keep working.
	if err := os.WriteFile(file, []byte(brokenRules), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := h.app.reloadRules(); err == nil || !strings.Contains(err.Error(), ":5:") {
		t.Fatalf("reload of a broken file = %v; want its mistakes", err)
	}
	if got := h.app.rules.Get().Digest; got != want.Digest {
		t.Fatalf("rules in force after a refused reload: digest %s, want %s", got, want.Digest)
	}
	if tk := create("Another invoice"); tk["assignee"] != "ben@example.com" {
		t.Errorf("after a refused reload: assignee %v, want ben (the rules in force, next in turn)", tk["assignee"])
	}
}
