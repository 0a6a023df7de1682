package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestUsageAndExitCodes(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		inStderr string
		inStdout string
	}{
		{[]string{"--help"}, 0, "", "hub [serve]"},
		{[]string{"help"}, 0, "", "hub apikey create"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`, ""},
		{[]string{"apikey"}, 2, "apikey needs a subcommand", ""},
		{[]string{"deliveries", "--help"}, 0, "", "deliveries replay"},
		{[]string{"serve", "--bogus"}, 2, "flag provided but not defined", ""},
		{[]string{"migrate", "--help"}, 0, "", ""},
		{[]string{"connect"}, 2, "connect needs shopify, woocommerce, slack or email", ""},
		{[]string{"connect", "--help"}, 0, "", "hub connect woocommerce"},
		{[]string{"connect", "magento"}, 2, `cannot connect "magento"`, ""},
	}
	for _, tt := range tests {
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

func TestBadConfigIsOneLineAndExitOne(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"serve"}, envOf(map[string]string{"REDIS_URL": "nope://"}), &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if got := strings.TrimSpace(errb.String()); strings.Count(got, "\n") != 0 || !strings.Contains(got, "REDIS_URL") {
		t.Errorf("stderr %q: want one line naming REDIS_URL", got)
	}
}
