package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"hub/connectors/zapier/zapiertest"
)

func TestLoadZapierConfig(t *testing.T) {
	for _, tc := range []struct {
		env     map[string]string
		bad     string
		allowed string
		wait    time.Duration
	}{
		{env: nil, allowed: "https://hooks.zapier.com/", wait: 5 * time.Second},
		{env: map[string]string{"ZAPIER_HOOK_ALLOWLIST": "https://hooks.zapier.com/, http://127.0.0.1:9000/", "ZAPIER_INTAKE_WAIT": "0s"},
			allowed: "https://hooks.zapier.com/,http://127.0.0.1:9000/"},
		{env: map[string]string{"ZAPIER_HOOK_ALLOWLIST": "hooks.zapier.com"}, bad: "ZAPIER_HOOK_ALLOWLIST"},
		{env: map[string]string{"ZAPIER_INTAKE_WAIT": "forever"}, bad: "ZAPIER_INTAKE_WAIT"},
		{env: map[string]string{"ZAPIER_INTAKE_WAIT": "40s"}, bad: "ZAPIER_INTAKE_WAIT"},
	} {
		c, err := LoadConfig(envOf(tc.env))
		if tc.bad != "" {
			if err == nil || !strings.Contains(err.Error(), tc.bad) {
				t.Errorf("%v: error %v, want one naming %s", tc.env, err, tc.bad)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tc.env, err)
		}
		if c.Zapier.Allowlist.String() != tc.allowed || c.Zapier.IntakeWait != tc.wait {
			t.Errorf("%v: allowlist %q wait %v", tc.env, c.Zapier.Allowlist, c.Zapier.IntakeWait)
		}
	}
}

// zapierHub is a whole hub whose hook allowlist names a fake Zapier.
func zapierHub(t *testing.T) (*testHub, *zapiertest.Server) {
	t.Helper()
	fake := zapiertest.NewServer()
	t.Cleanup(fake.Close)
	h := bootHub(t, map[string]string{"ZAPIER_HOOK_ALLOWLIST": "https://hooks.zapier.com/," + fake.Prefix()})
	return h, fake
}

func (h *testHub) api(t *testing.T, method, path, body string, out any) int {
	t.Helper()
	code, _, raw := h.call(t, method, path, body, map[string]string{"X-API-Key": h.key})
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return code
}

func (h *testHub) subscribe(t *testing.T, target, event string) string {
	t.Helper()
	var hook struct{ ID string }
	if code := h.api(t, http.MethodPost, "/api/v1/hooks", fmt.Sprintf(`{"target_url":%q,"event":%q}`, target, event), &hook); code != http.StatusCreated {
		t.Fatalf("subscribe %s: %d", event, code)
	}
	return hook.ID
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func TestZapierIntakeAnswersWithOneTicket(t *testing.T) {
	h, _ := zapierHub(t)
	auth := map[string]string{"Authorization": "Bearer " + h.key, "Idempotency-Key": "zap-run-1"}
	body := `{"subject":"Parcel arrived damaged","email":"lin@example.com","priority":"urgent"}`
	type answer struct {
		Duplicate bool
		Ticket    struct{ ID, Ref, Priority string }
	}
	var first, again answer
	code, _, raw := h.call(t, http.MethodPost, "/webhooks/zapier", body, auth)
	if code != http.StatusCreated || json.Unmarshal(raw, &first) != nil || first.Ticket.ID == "" || first.Ticket.Priority != "urgent" {
		t.Fatalf("intake: %d %s", code, raw)
	}
	code, _, raw = h.call(t, http.MethodPost, "/webhooks/zapier", body, auth)
	if code != http.StatusOK || json.Unmarshal(raw, &again) != nil || !again.Duplicate || again.Ticket.ID != first.Ticket.ID {
		t.Fatalf("the same intake again: %d %s", code, raw)
	}
	var page struct{ Tickets []struct{ ID string } }
	h.api(t, http.MethodGet, "/api/v1/tickets", "", &page)
	if len(page.Tickets) != 1 {
		t.Errorf("%d tickets, want 1", len(page.Tickets))
	}
	code, _, raw = h.call(t, http.MethodPost, "/webhooks/zapier", `{"email":"lin@example.com"}`, auth)
	if code != http.StatusBadRequest || !bytes.Contains(raw, []byte(`"field":"subject"`)) {
		t.Errorf("missing subject: %d %s", code, raw)
	}
}

func TestZapierHooksEndToEnd(t *testing.T) {
	h, fake := zapierHub(t)
	created := h.subscribe(t, fake.HookURL("created"), "ticket.created")
	h.subscribe(t, fake.HookURL("status"), "ticket.status_changed")
	h.subscribe(t, fake.HookURL("dead"), "ticket.created")
	h.subscribe(t, fake.HookURL("flaky"), "ticket.created")
	fake.Script("dead", zapiertest.Reply{Status: http.StatusGone})
	fake.Script("flaky", zapiertest.Reply{Status: http.StatusInternalServerError}, zapiertest.Reply{Status: http.StatusOK})

	var tk struct{ ID, Ref string }
	if code := h.api(t, http.MethodPost, "/api/v1/tickets", `{"subject":"Where is my order?","customer":{"email":"ada@example.com"}}`, &tk); code != http.StatusCreated {
		t.Fatalf("create: %d", code)
	}
	eventually(t, "ticket.created delivered", func() bool { return len(fake.Received("created")) == 1 })
	eventually(t, "the 500 retried", func() bool { return len(fake.Received("flaky")) == 1 })
	var hooks struct{ Hooks []struct{ ID, Event string } }
	eventually(t, "the 410 hook removed", func() bool {
		h.api(t, http.MethodGet, "/api/v1/hooks", "", &hooks)
		return len(hooks.Hooks) == 3
	})

	// What the Zap was built on (performList) is what it received
	// (rendered from the ticket as it is now, which has not changed but
	// for the note that no Slack card was posted, written meanwhile).
	var sample []json.RawMessage
	h.api(t, http.MethodGet, "/api/v1/events?event=ticket.created&limit=3", "", &sample)
	if len(sample) != 1 || !sameJSON(withoutSlack(t, sample[0]), withoutSlack(t, fake.Received("created")[0])) {
		t.Errorf("sample %s\ndelivered %s", sample, fake.Received("created")[0])
	}

	if code := h.api(t, http.MethodPatch, "/api/v1/tickets/"+tk.Ref, `{"status":"pending"}`, nil); code != http.StatusOK {
		t.Fatalf("patch: %d", code)
	}
	eventually(t, "ticket.status_changed delivered", func() bool { return len(fake.Received("status")) == 1 })
	got := fake.ReceivedJSON("status")[0]
	if got["event"] != "ticket.status_changed" || got["ticket"].(map[string]any)["status"] != "pending" {
		t.Errorf("payload %v", got)
	}

	// Unsubscribed, it gets nothing more; a sentinel subscribed to the same
	// event shows when the next one has gone out.
	if code := h.api(t, http.MethodDelete, "/api/v1/hooks/"+created, "", nil); code != http.StatusNoContent {
		t.Fatalf("unsubscribe: %d", code)
	}
	h.subscribe(t, fake.HookURL("sentinel"), "ticket.created")
	h.api(t, http.MethodPost, "/api/v1/tickets", `{"subject":"Second"}`, nil)
	// One task posts the event to every hook, in parallel: wait for both
	// remaining hooks, then the unsubscribed one has had its chance.
	eventually(t, "sentinel delivery", func() bool { return len(fake.Received("sentinel")) == 1 })
	eventually(t, "flaky's post for the second ticket", func() bool { return len(fake.Received("flaky")) == 2 })
	if n := len(fake.Received("created")); n != 1 {
		t.Errorf("an unsubscribed hook got %d posts", n)
	}

	var found []struct{ ID string }
	if code := h.api(t, http.MethodGet, "/api/v1/search/tickets?number="+tk.Ref, "", &found); code != 200 || len(found) != 1 || found[0].ID != tk.ID {
		t.Errorf("search: %d %v", code, found)
	}
	code, _, metrics := h.call(t, http.MethodGet, "/metrics", "", nil)
	if code != 200 || !bytes.Contains(metrics, []byte(`hub_zapier_hook_deliveries_total{outcome="gone"} 1`)) {
		t.Errorf("metrics lack the 410")
	}
}

func TestZapierRefusesUnsafeTargets(t *testing.T) {
	h, fake := zapierHub(t)
	for _, target := range []string{
		"http://10.0.0.8/hooks/standard/1/",
		"http://127.0.0.1:6379/",
		"https://hooks.zapier.com.evil.example/x/",
		"https://evil.example/hooks/standard/1/",
		strings.Replace(fake.HookURL("x"), "127.0.0.1", "localhost", 1),
	} {
		var e struct{ Error struct{ Field string } }
		if code := h.api(t, http.MethodPost, "/api/v1/hooks", fmt.Sprintf(`{"target_url":%q,"event":"ticket.created"}`, target), &e); code != http.StatusBadRequest || e.Error.Field != "target_url" {
			t.Errorf("%s: %d %+v", target, code, e)
		}
	}
	if code := h.api(t, http.MethodPost, "/api/v1/hooks", `{"target_url":"https://hooks.zapier.com/hooks/standard/1/2/","event":"ticket.created"}`, nil); code != http.StatusCreated {
		t.Errorf("a Zapier hook: %d", code)
	}
}

func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// withoutSlack drops the ticket's slack field from an event payload.
func withoutSlack(t *testing.T, raw []byte) []byte {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if tk, ok := v["ticket"].(map[string]any); ok {
		delete(tk, "slack")
	}
	b, _ := json.Marshal(v)
	return b
}
