package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var secretRE = regexp.MustCompile(`<code class="secret-value">([^<]+)</code>`)

// shownSecret is the one-time password or key a Team page shows.
func shownSecret(t *testing.T, page string) string {
	t.Helper()
	m := secretRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no one-time secret on the page:\n%s", page)
	}
	return m[1]
}

// TestWebTeam drives the Team page as an admin: an agent added there signs
// in with the password shown once, is disabled and loses their session, is
// enabled again with a new password; an API key made there works against
// the API until it is revoked. Agents who are not admins get 403.
func TestWebTeam(t *testing.T) {
	h := bootHub(t, nil)
	leadPW := createAgent(t, h, "lead@example.com", "Lee Lead", true)
	anaPW := createAgent(t, h, "ana@example.com", "Ana Agent", false)

	// Not an admin: no link, and 403 on the page and on every action.
	ana := newBrowser(t, h.base)
	if code, _ := ana.signIn("ana@example.com", anaPW); code != http.StatusSeeOther {
		t.Fatalf("ana signs in: %d", code)
	}
	_, _, page := ana.get("/")
	if strings.Contains(page, `href="/team"`) {
		t.Fatal("an agent who is not an admin sees the Team link")
	}
	if code, _, _ := ana.get("/team"); code != http.StatusForbidden {
		t.Fatalf("agent GET /team: %d", code)
	}
	tok := ana.csrf(page)
	for _, p := range []struct {
		path string
		form url.Values
	}{
		{"/team/agents", url.Values{"email": {"eve@example.com"}, "name": {"Eve"}, "admin": {"1"}}},
		{"/team/agents/disable", url.Values{"email": {"lead@example.com"}}},
		{"/team/agents/enable", url.Values{"email": {"lead@example.com"}}},
		{"/team/keys", url.Values{"name": {"mine"}}},
		{"/team/keys/00000000-0000-0000-0000-000000000000/revoke", url.Values{}},
	} {
		p.form.Set("csrf_token", tok)
		if code, _, _ := ana.post(p.path, p.form); code != http.StatusForbidden {
			t.Errorf("agent POST %s: %d, want 403", p.path, code)
		}
	}
	if _, err := h.app.store.Account(t.Context(), "eve@example.com"); err == nil {
		t.Fatal("an agent who is not an admin added an account")
	}

	lead := newBrowser(t, h.base)
	if code, _ := lead.signIn("lead@example.com", leadPW); code != http.StatusSeeOther {
		t.Fatalf("lead signs in: %d", code)
	}
	code, _, page := lead.get("/team")
	if code != http.StatusOK || !strings.Contains(page, `href="/team" aria-current="page"`) || !strings.Contains(page, "ana@example.com") {
		t.Fatalf("admin GET /team: %d\n%s", code, page)
	}
	tok = lead.csrf(page)
	if code, _, _ := lead.post("/team/agents", url.Values{"email": {"bo@example.com"}, "name": {"Bo"}}); code != http.StatusForbidden {
		t.Fatalf("add agent without a CSRF token: %d", code)
	}

	// Add Bo; the password is on this answer and no other page.
	code, _, page = lead.post("/team/agents", url.Values{"csrf_token": {tok}, "email": {"Bo@Example.com"}, "name": {"Bo New"}})
	if code != http.StatusOK || !strings.Contains(page, "Shown only this once") {
		t.Fatalf("add agent: %d\n%s", code, page)
	}
	boPW := shownSecret(t, page)
	if _, _, again := lead.get("/team"); strings.Contains(again, boPW) || !strings.Contains(again, "Bo New") {
		t.Fatalf("the Team page after adding Bo shows the password again, or not Bo:\n%s", again)
	}
	// An email with an enabled account is not quietly reset.
	code, _, page = lead.post("/team/agents", url.Values{"csrf_token": {tok}, "email": {"bo@example.com"}, "name": {"Bo"}, "admin": {"1"}})
	if code != http.StatusBadRequest || !strings.Contains(page, "already has an account") || secretRE.MatchString(page) {
		t.Fatalf("add an existing agent: %d\n%s", code, page)
	}
	if code, _, page := lead.post("/team/agents", url.Values{"csrf_token": {tok}, "email": {"not an email"}, "name": {"X"}}); code != http.StatusBadRequest || !strings.Contains(page, `value="X"`) {
		t.Fatalf("add with a bad email: %d\n%s", code, page)
	}

	bo := newBrowser(t, h.base)
	if code, loc := bo.signIn("bo@example.com", boPW); code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("bo signs in with the shown password: %d %s", code, loc)
	}
	if code, _, _ := bo.get("/"); code != http.StatusOK {
		t.Fatalf("bo's list: %d", code)
	}

	// An admin cannot disable themselves.
	if code, hd, _ := lead.post("/team/agents/disable", url.Values{"csrf_token": {tok}, "email": {"LEAD@example.com"}}); code != http.StatusSeeOther || hd.Get("Location") != "/team" {
		t.Fatalf("disable self: %d %s", code, hd.Get("Location"))
	}
	if _, _, page := lead.get("/team"); !strings.Contains(page, "You cannot disable your own account") {
		t.Fatalf("no error after disabling self:\n%s", page)
	}
	if acct, err := h.app.store.Account(t.Context(), "lead@example.com"); err != nil || acct.DisabledAt != nil {
		t.Fatalf("lead after disabling self: %+v %v", acct, err)
	}

	// A second session of Bo's stays idle through the disable and enable
	// below: it must not come back with the new password.
	boIdle := newBrowser(t, h.base)
	if code, _ := boIdle.signIn("bo@example.com", boPW); code != http.StatusSeeOther {
		t.Fatalf("bo's second sign-in: %d", code)
	}

	// Disable Bo: his session ends and his password stops working.
	if code, _, _ := lead.post("/team/agents/disable", url.Values{"csrf_token": {tok}, "email": {"bo@example.com"}}); code != http.StatusSeeOther {
		t.Fatalf("disable bo: %d", code)
	}
	if _, _, page := lead.get("/team"); !strings.Contains(page, "bo@example.com can no longer sign in") || !strings.Contains(page, "Enable with a new password") {
		t.Fatalf("after disabling bo:\n%s", page)
	}
	if code, hd, _ := bo.get("/"); code != http.StatusSeeOther || !strings.HasPrefix(hd.Get("Location"), "/login") {
		t.Fatalf("disabled bo's session: %d %s", code, hd.Get("Location"))
	}
	if code, _ := bo.signIn("bo@example.com", boPW); code != http.StatusUnauthorized {
		t.Fatalf("disabled bo signs in: %d", code)
	}

	// Enable him again: a new password, the old one no good.
	code, _, page = lead.post("/team/agents/enable", url.Values{"csrf_token": {tok}, "email": {"bo@example.com"}})
	if code != http.StatusOK {
		t.Fatalf("enable bo: %d\n%s", code, page)
	}
	boPW2 := shownSecret(t, page)
	if boPW2 == boPW {
		t.Fatal("enabling bo kept his old password")
	}
	if code, _ := bo.signIn("bo@example.com", boPW); code != http.StatusUnauthorized {
		t.Fatalf("bo's old password after enabling: %d", code)
	}
	if code, _ := bo.signIn("bo@example.com", boPW2); code != http.StatusSeeOther {
		t.Fatalf("bo's new password: %d", code)
	}
	if code, hd, _ := boIdle.get("/"); code != http.StatusSeeOther || !strings.HasPrefix(hd.Get("Location"), "/login") {
		t.Fatalf("a session left idle while bo was disabled works again after enabling: %d %s", code, hd.Get("Location"))
	}
	if code, _, _ := bo.get("/"); code != http.StatusOK {
		t.Fatalf("bo's session with the new password: %d", code)
	}

	// An API key made on the page works against the API until revoked.
	code, _, page = lead.post("/team/keys", url.Values{"csrf_token": {tok}, "name": {"team test"}})
	if code != http.StatusOK {
		t.Fatalf("create key: %d\n%s", code, page)
	}
	key := shownSecret(t, page)
	if code, _, raw := h.call(t, http.MethodGet, "/api/v1/tickets", "", map[string]string{"X-API-Key": key}); code != http.StatusOK {
		t.Fatalf("the new key against the API: %d %s", code, raw)
	}
	_, _, page = lead.get("/team")
	if strings.Contains(page, key) {
		t.Fatal("the Team page shows the key again")
	}
	m := regexp.MustCompile(`(?s)<h3>team test</h3>.*?action="/team/keys/([^/"]+)/revoke"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no revoke form for the new key:\n%s", page)
	}
	if code, _, _ := lead.post("/team/keys/"+m[1]+"/revoke", url.Values{"csrf_token": {tok}}); code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", code)
	}
	if _, _, page := lead.get("/team"); !strings.Contains(page, "The API key is revoked") {
		t.Fatalf("no outcome after revoking:\n%s", page)
	}
	if code, _, _ := h.call(t, http.MethodGet, "/api/v1/tickets", "", map[string]string{"X-API-Key": key}); code != http.StatusUnauthorized {
		t.Fatalf("the revoked key against the API: %d", code)
	}
	if code, _, _ := lead.post("/team/keys/not-a-key/revoke", url.Values{"csrf_token": {tok}}); code != http.StatusSeeOther {
		t.Fatalf("revoke an unknown key: %d", code)
	}
	if _, _, page := lead.get("/team"); !strings.Contains(page, "There is no such API key") {
		t.Fatalf("no error after revoking an unknown key:\n%s", page)
	}
}
