package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// publicHub is the test hub's HUB_PUBLIC_URL: links in mails start with
// it; the test follows their paths on the hub's real address.
const publicHub = "http://hub.test"

var loginLinkRE = regexp.MustCompile(`http://hub\.test/login/link/[A-Za-z0-9_-]{43}`)

// TestWebSignInByEmailLink asks for sign-in links over HTTP, receives the
// mail on a real SMTP server, and follows the link as a browser would.
func TestWebSignInByEmailLink(t *testing.T) {
	env, outbox, _ := emailEnv(t)
	env["HUB_PUBLIC_URL"] = publicHub
	h := bootEmailHub(t, env)
	const ana, dis = "ana@example.com", "dis@example.com"
	createAgent(t, h.testHub, "Ana@Example.com", "Ana Agent", false)
	createAgent(t, h.testHub, dis, "Dis Abled", false)
	if err := h.app.store.DisableAccount(context.Background(), dis); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, h.base)
	_, _, page := b.get("/login")
	if !strings.Contains(page, "Email me a sign-in link") || !strings.Contains(page, `<label for="link-email">`) {
		t.Fatalf("the sign-in page offers no emailed link:\n%s", page)
	}
	token := b.csrf(page)
	ask := func(typed string) string {
		t.Helper()
		email := strings.ToLower(strings.TrimSpace(typed))
		code, _, body := b.post("/login/link", url.Values{"csrf_token": {token}, "email": {typed}})
		if code != http.StatusOK || !strings.Contains(body, "If an account exists for "+email+", a sign-in link is on its way.") {
			t.Fatalf("link for %s: %d\n%s", email, code, body)
		}
		return strings.ReplaceAll(body, email, "EMAIL")
	}
	// An unknown email and a disabled agent get the page an agent gets.
	unknown, disabled, known := ask("nobody@example.com"), ask(dis), ask("ANA@example.com ")
	if unknown != known || disabled != known {
		t.Errorf("the answers tell accounts apart:\nunknown:\n%s\nknown:\n%s", unknown, known)
	}
	if code, _, _ := b.post("/login/link", url.Values{"email": {ana}}); code != http.StatusForbidden {
		t.Errorf("a link request without the CSRF token: %d, want 403", code)
	}

	waitFor(t, "the sign-in link to reach the mail server", func() bool { return len(sentTo(outbox, ana)) == 1 })
	// The refusals were decided before their answers; only Ana's mail went.
	if n := len(outbox.Messages()); n != 1 {
		t.Fatalf("%d mails sent, want only Ana's", n)
	}
	m := sentTo(outbox, ana)[0]
	if m.Subject != "Your sign-in link" || m.From.Address != supportAddr || m.HTML == "" {
		t.Errorf("mail: subject %q from %v, html %d bytes", m.Subject, m.From, len(m.HTML))
	}
	link := loginLinkRE.FindString(m.Text)
	if link == "" || !strings.Contains(m.HTML, link) {
		t.Fatalf("no link to this hub in the mail:\n%s", m.Text)
	}
	path := strings.TrimPrefix(link, publicHub)

	// Opening the link spends nothing (mail scanners open links too); the
	// button does, and signs Ana in under a new session token.
	var before string
	u, _ := url.Parse(h.base)
	for i := 0; i < 2; i++ {
		code, _, page := b.get(path)
		if code != http.StatusOK || !strings.Contains(page, `action="`+path+`"`) {
			t.Fatalf("GET %s: %d\n%s", path, code, page)
		}
		token = b.csrf(page)
	}
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "hub_session" {
			before = c.Value
		}
	}
	if code, hd, body := b.post(path, url.Values{"csrf_token": {"forged"}}); code != http.StatusForbidden {
		t.Fatalf("forged CSRF token on the link: %d %v %s", code, hd, body)
	}
	code, hd, body := b.post(path, url.Values{"csrf_token": {token}})
	if code != http.StatusSeeOther || hd.Get("Location") != "/" {
		t.Fatalf("POST %s: %d %v\n%s", path, code, hd, body)
	}
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "hub_session" && c.Value == before {
			t.Error("the session token was not renewed on sign-in")
		}
	}
	if code, _, page := b.get("/"); code != http.StatusOK || !strings.Contains(page, "Ana Agent") {
		t.Fatalf("signed in by link, GET / = %d\n%s", code, page)
	}

	// Spent: another browser gets 410 and no session, on GET and POST.
	other := newBrowser(t, h.base)
	code, _, page = other.get(path)
	if code != http.StatusGone || !strings.Contains(page, "no longer works") || strings.Contains(page, `action="`+path+`"`) {
		t.Fatalf("second use, GET: %d\n%s", code, page)
	}
	if code, _, page := other.post(path, url.Values{"csrf_token": {other.csrfOf("/login")}}); code != http.StatusGone {
		t.Fatalf("second use, POST: %d\n%s", code, page)
	}
	if code, _, _ := other.get("/"); code != http.StatusSeeOther {
		t.Fatalf("a spent link signed a browser in: GET / = %d", code)
	}

	// An expired link is refused too. (Signed in, Ana's session has a new
	// CSRF token.)
	token = b.csrfOf("/")
	ask(ana)
	waitFor(t, "the second sign-in link", func() bool { return len(sentTo(outbox, ana)) == 2 })
	expired := strings.TrimPrefix(loginLinkRE.FindString(sentTo(outbox, ana)[1].Text), publicHub)
	if expired == "" || expired == path {
		t.Fatalf("second link %q", expired)
	}
	if _, err := h.app.pool.Exec(context.Background(), `update login_links set expires_at = now() - interval '1 minute' where used_at is null`); err != nil {
		t.Fatal(err)
	}
	late := newBrowser(t, h.base)
	code, _, page = late.get(expired)
	if code != http.StatusGone || !strings.Contains(page, "expired") {
		t.Fatalf("expired link, GET: %d\n%s", code, page)
	}
	if code, _, _ := late.post(expired, url.Values{"csrf_token": {late.csrfOf("/login")}}); code != http.StatusGone {
		t.Fatalf("expired link, POST: %d", code)
	}

	// A link the hub never sent, and one that is not even a token.
	for _, p := range []string{"/login/link/" + strings.Repeat("A", 43), "/login/link/nonsense"} {
		if code, _, page := late.get(p); code != http.StatusNotFound || !strings.Contains(page, "Unknown sign-in link") {
			t.Errorf("GET %s: %d\n%s", p, code, page)
		}
	}
	if code, _, _ := late.get("/"); code != http.StatusSeeOther {
		t.Fatalf("refused links signed a browser in: GET / = %d", code)
	}

	// Requests count like password attempts: the sixth for one email in
	// the window is refused, account or not, and sends nothing.
	for i := 0; i < 4; i++ {
		ask("nobody@example.com")
	}
	code, hd, body = b.post("/login/link", url.Values{"csrf_token": {token}, "email": {"nobody@example.com"}})
	if code != http.StatusTooManyRequests || hd.Get("Retry-After") == "" || !strings.Contains(body, "Too many sign-in attempts") {
		t.Fatalf("sixth link request: %d %v\n%s", code, hd, body)
	}
	if n := len(outbox.Messages()); n != 2 {
		t.Errorf("%d mails sent, want Ana's two", n)
	}
}

// TestWebSignInLinkNeedsEmail: without outbound email the sign-in page
// offers no link and the routes do not exist.
func TestWebSignInLinkNeedsEmail(t *testing.T) {
	h := bootHub(t, nil)
	b := newBrowser(t, h.base)
	_, _, page := b.get("/login")
	if strings.Contains(page, "sign-in link") {
		t.Errorf("a hub without email offers sign-in links:\n%s", page)
	}
	if code, _, _ := b.post("/login/link", url.Values{"csrf_token": {b.csrf(page)}, "email": {"ana@example.com"}}); code != http.StatusNotFound && code != http.StatusMethodNotAllowed {
		t.Errorf("POST /login/link without email: %d", code)
	}
}

// csrfOf reads the session's CSRF token from the form on the page at path.
func (b *browser) csrfOf(path string) string {
	b.t.Helper()
	_, _, page := b.get(path)
	return b.csrf(page)
}
