package zapier_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"hub/tickets"
	"hub/webhooks/zapier"
)

// call makes an API request with the bundle's key (or the given one) and
// decodes the JSON answer into out (when not nil).
func (b *bundle) call(t testing.TB, method, path, body, key string, out any) int {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, b.api.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if key == "" {
		key = b.plain
	}
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}

type apiError struct {
	Error struct{ Code, Message, Field string } `json:"error"`
}

func TestSubscribeAndUnsubscribe(t *testing.T) {
	b := setup(t)
	target := b.fake.HookURL("zap-1")
	body := fmt.Sprintf(`{"target_url":%q,"event":"ticket.created"}`, target)

	var h zapier.HookJSON
	if code := b.call(t, http.MethodPost, "/api/v1/hooks", body, "", &h); code != http.StatusCreated || h.ID == "" || h.Event != "ticket.created" {
		t.Fatalf("subscribe: %d %+v", code, h)
	}
	var again zapier.HookJSON
	if code := b.call(t, http.MethodPost, "/api/v1/hooks", body, "", &again); code != http.StatusOK || again.ID != h.ID {
		t.Fatalf("same subscribe again: %d %+v, want 200 with %s", code, again, h.ID)
	}
	var list struct{ Hooks []zapier.HookJSON }
	if code := b.call(t, http.MethodGet, "/api/v1/hooks", "", "", &list); code != 200 || len(list.Hooks) != 1 || list.Hooks[0].TargetURL != target {
		t.Fatalf("list: %d %+v", code, list)
	}

	// Another key neither sees nor deletes it.
	other, _, err := b.store.CreateAPIKey(b.ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	if code := b.call(t, http.MethodGet, "/api/v1/hooks", "", other, &list); code != 200 || len(list.Hooks) != 0 {
		t.Errorf("other key lists %d hooks", len(list.Hooks))
	}
	var e apiError
	if code := b.call(t, http.MethodDelete, "/api/v1/hooks/"+h.ID, "", other, &e); code != http.StatusNotFound || e.Error.Code != "not_found" {
		t.Errorf("other key's delete: %d %+v", code, e)
	}

	if code := b.call(t, http.MethodDelete, "/api/v1/hooks/"+h.ID, "", "", nil); code != http.StatusNoContent {
		t.Errorf("unsubscribe: %d", code)
	}
	if code := b.call(t, http.MethodDelete, "/api/v1/hooks/"+h.ID, "", "", nil); code != http.StatusNoContent {
		t.Errorf("unsubscribe again: %d", code)
	}
	if code := b.call(t, http.MethodDelete, "/api/v1/hooks/whatever", "", "", nil); code != http.StatusNoContent {
		t.Errorf("unsubscribe of an unknown id: %d", code)
	}
	if code := b.call(t, http.MethodGet, "/api/v1/hooks", "", "no-such-key", nil); code != http.StatusUnauthorized {
		t.Errorf("without a valid key: %d", code)
	}
	if code := b.call(t, http.MethodPut, "/api/v1/hooks", "", "", &e); code != http.StatusMethodNotAllowed || e.Error.Code != "method_not_allowed" {
		t.Errorf("PUT: %d %+v", code, e)
	}
}

func TestSubscribeRefusals(t *testing.T) {
	b := setup(t)
	ok := b.fake.HookURL("ok")
	for _, tc := range []struct {
		name, body, field, says string
	}{
		{"private address", `{"target_url":"http://10.0.0.5/hook","event":"ticket.created"}`, "target_url", "must start with"},
		{"metadata service", `{"target_url":"http://169.254.169.254/latest/","event":"ticket.created"}`, "target_url", "must start with"},
		{"outside the allowlist", `{"target_url":"https://evil.example/hooks/","event":"ticket.created"}`, "target_url", "ZAPIER_HOOK_ALLOWLIST"},
		{"userinfo", `{"target_url":"https://hooks.zapier.com@evil.example/","event":"ticket.created"}`, "target_url", "user name"},
		{"no target", `{"event":"ticket.created"}`, "target_url", "required"},
		{"unknown event", `{"target_url":"` + ok + `","event":"ticket.deleted"}`, "event", "ticket.created, ticket.updated"},
		{"kind on another event", `{"target_url":"` + ok + `","event":"ticket.created","message_kind":"reply"}`, "message_kind", "ticket.message_created only"},
		{"bad kind", `{"target_url":"` + ok + `","event":"ticket.message_created","message_kind":"email"}`, "message_kind", "customer, reply, note, system"},
		{"unknown field", `{"target_url":"` + ok + `","event":"ticket.created","filter":"x"}`, "filter", "unknown field"},
		{"wrong type", `{"target_url":5,"event":"ticket.created"}`, "target_url", "must be a string"},
		{"not json", `target_url=x`, "", "JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e apiError
			code := b.call(t, http.MethodPost, "/api/v1/hooks", tc.body, "", &e)
			if code != http.StatusBadRequest || e.Error.Field != tc.field || !strings.Contains(e.Error.Message, tc.says) {
				t.Errorf("%d %+v; want 400 on %q saying %q", code, e.Error, tc.field, tc.says)
			}
		})
	}
	list, _ := b.store.ListHooks(b.ctx, b.key.ID)
	if len(list) != 0 {
		t.Errorf("refused subscribes saved %d hooks", len(list))
	}
}

func TestSubscriptionsAreCappedPerKey(t *testing.T) {
	b := setup(t, func(c *zapier.Config) { c.MaxHooks = 2 })
	for i := 0; i < 2; i++ {
		body := fmt.Sprintf(`{"target_url":%q,"event":"ticket.created"}`, b.fake.HookURL(fmt.Sprint(i)))
		if code := b.call(t, http.MethodPost, "/api/v1/hooks", body, "", nil); code != http.StatusCreated {
			t.Fatalf("hook %d: %d", i, code)
		}
	}
	var e apiError
	body := fmt.Sprintf(`{"target_url":%q,"event":"%s"}`, b.fake.HookURL("x"), tickets.EventUpdated)
	if code := b.call(t, http.MethodPost, "/api/v1/hooks", body, "", &e); code != http.StatusConflict || !strings.Contains(e.Error.Message, "limit") {
		t.Errorf("over the cap: %d %+v", code, e)
	}
}
