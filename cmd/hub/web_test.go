package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so a test sees each answer.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
}

func newBrowser(t testing.TB, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) get(path string) (int, http.Header, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

func (b *browser) post(path string, form url.Values) (int, http.Header, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf reads the token from a page's form.
func (b *browser) csrf(page string) string {
	b.t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no CSRF token in page:\n%s", page)
	}
	return m[1]
}

func (b *browser) signIn(email, password string) (int, string) {
	b.t.Helper()
	_, _, page := b.get("/login")
	code, h, body := b.post("/login", url.Values{"csrf_token": {b.csrf(page)}, "email": {email}, "password": {password}, "next": {"/"}})
	if code == http.StatusSeeOther {
		return code, h.Get("Location")
	}
	return code, body
}

// createAgent runs hub agent create against the hub's database and returns
// the password from its last line.
func createAgent(t testing.TB, h *testHub, email, name string, admin bool) string {
	t.Helper()
	args := []string{"agent", "create", "--email", email, "--name", name}
	if admin {
		args = append(args, "--admin")
	}
	var out, errb bytes.Buffer
	env := envOf(map[string]string{"DATABASE_URL": h.app.cfg.DatabaseURL, "HUB_QUEUE": h.app.cfg.Queue})
	if code := run(context.Background(), args, env, &out, &errb); code != 0 {
		t.Fatalf("agent create: %d %s %s", code, out.String(), errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	pw := lines[len(lines)-1]
	if len(pw) != 20 || strings.ContainsAny(pw, " :") {
		t.Fatalf("agent create's last line %q is not a password", pw)
	}
	return pw
}

func TestWebSignInSessionsAndCSRF(t *testing.T) {
	h := bootHub(t, nil)
	pw := createAgent(t, h, "Ana@Example.com", "Ana Agent", false)

	b := newBrowser(t, h.base)
	if code, h, _ := b.get("/"); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
		t.Fatalf("signed out GET / = %d %s, want a redirect to /login", code, h.Get("Location"))
	}
	if code, body := b.signIn("ana@example.com", "wrong password"); code != http.StatusUnauthorized || !strings.Contains(body, "do not match") {
		t.Fatalf("wrong password: %d %s", code, body)
	}
	code, loc := b.signIn("ana@example.com", pw)
	if code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("sign in: %d %s", code, loc)
	}
	var cookie *http.Cookie
	u, _ := url.Parse(h.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "hub_session" {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("no session cookie")
	}

	// A ticket, changed from the dashboard: the audit trail names the agent.
	code, _, raw := h.call(t, http.MethodPost, "/api/v1/tickets",
		`{"subject":"Where is my parcel","customer":{"email":"cy@example.com"}}`, map[string]string{"X-API-Key": h.key})
	if code != http.StatusCreated {
		t.Fatalf("create ticket: %d %s", code, raw)
	}
	code, _, page := b.get("/tickets/T-1001")
	if code != http.StatusOK || !strings.Contains(page, "Where is my parcel") {
		t.Fatalf("ticket page: %d\n%s", code, page)
	}
	token := b.csrf(page)
	if code, _, body := b.post("/tickets/T-1001/update", url.Values{"csrf_token": {"forged" + token}, "status": {"pending"}}); code != http.StatusForbidden {
		t.Fatalf("forged CSRF token: %d %s", code, body)
	}
	if code, _, body := b.post("/tickets/T-1001/update", url.Values{"status": {"pending"}}); code != http.StatusForbidden {
		t.Fatalf("missing CSRF token: %d %s", code, body)
	}
	if code, hd, body := b.post("/tickets/T-1001/update", url.Values{"csrf_token": {token}, "status": {"pending"}, "priority": {"high"}}); code != http.StatusSeeOther {
		t.Fatalf("update: %d %v %s", code, hd, body)
	}
	_, _, page = b.get("/tickets/T-1001")
	if !strings.Contains(page, "Saved: status is now pending; priority is now high.") {
		t.Fatalf("no outcome shown after the update:\n%s", page)
	}
	_, _, events := h.call(t, http.MethodGet, "/api/v1/tickets/T-1001/events", "", map[string]string{"X-API-Key": h.key})
	if !bytes.Contains(events, []byte(`"ana@example.com"`)) || !bytes.Contains(events, []byte(`"agent"`)) {
		t.Fatalf("audit trail does not name the agent: %s", events)
	}
	// A reply with no channel to the customer says it could not be delivered.
	b.post("/tickets/T-1001/reply", url.Values{"csrf_token": {token}, "body": {"We are on it."}})
	_, _, page = b.get("/tickets/T-1001")
	if !strings.Contains(page, "could not be delivered") {
		t.Fatalf("undeliverable reply not shown as such:\n%s", page)
	}

	// Agents are not admins: no integrations page.
	if code, _, _ := b.get("/integrations"); code != http.StatusForbidden {
		t.Fatalf("agent on /integrations: %d", code)
	}

	// Signing out ends the session in the store: the old cookie is no good.
	_, _, page = b.get("/")
	if code, _, _ := b.post("/logout", url.Values{"csrf_token": {b.csrf(page)}}); code != http.StatusSeeOther {
		t.Fatalf("logout: %d", code)
	}
	req, _ := http.NewRequest(http.MethodGet, h.base+"/", nil)
	req.AddCookie(cookie)
	resp, err := (&http.Client{CheckRedirect: b.c.CheckRedirect}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session cookie after sign-out: %d", resp.StatusCode)
	}

	// A disabled agent's session ends at the next request.
	b2 := newBrowser(t, h.base)
	if code, _ := b2.signIn("ana@example.com", pw); code != http.StatusSeeOther {
		t.Fatalf("second sign in: %d", code)
	}
	var out, errb bytes.Buffer
	env := envOf(map[string]string{"DATABASE_URL": h.app.cfg.DatabaseURL})
	if code := run(context.Background(), []string{"agent", "disable", "--email", "ana@example.com"}, env, &out, &errb); code != 0 {
		t.Fatalf("agent disable: %d %s", code, errb.String())
	}
	if code, _, _ := b2.get("/"); code != http.StatusSeeOther {
		t.Fatalf("disabled agent's session still works: %d", code)
	}
	if code, _ := b2.signIn("ana@example.com", pw); code != http.StatusUnauthorized {
		t.Fatalf("disabled agent signed in: %d", code)
	}
	out.Reset()
	if code := run(context.Background(), []string{"agent", "list"}, env, &out, &errb); code != 0 || !strings.Contains(out.String(), "ana@example.com") || !strings.Contains(out.String(), "disabled") {
		t.Fatalf("agent list: %d %s", code, out.String())
	}
}

func TestWebSignInIsRateLimited(t *testing.T) {
	h := bootHub(t, nil)
	pw := createAgent(t, h, "bo@example.com", "Bo", true)
	b := newBrowser(t, h.base)
	for i := 0; i < 5; i++ {
		if code, _ := b.signIn("bo@example.com", "guess"); code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, code)
		}
	}
	// Past the limit even the right password is not checked.
	code, body := b.signIn("bo@example.com", pw)
	if code != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-ins") {
		t.Fatalf("after 5 failures: %d %s", code, body)
	}
}

func TestAgentCommandUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"agent"}, 2},
		{[]string{"agent", "create", "--email", "a@example.com"}, 2},
		{[]string{"agent", "disable"}, 2},
		{[]string{"agent", "promote"}, 2},
		{[]string{"agent", "--help"}, 0},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), tc.args, envOf(nil), &out, &errb); code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, errb.String())
		}
	}
}
