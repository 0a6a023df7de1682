package web

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"

	"hub/tickets"
)

type nilMailer struct{}

func (nilMailer) SendMail(context.Context, Mail) error { return nil }

// TestLoginLinkGolden renders the sign-in page with the emailed link
// offered, each state of the link page, and the mail.
func TestLoginLinkGolden(t *testing.T) {
	sm := scs.New()
	sm.Store = memstore.NewWithCleanupInterval(0)
	s := New(Config{Store: nilStore{}, Sessions: sm, Now: func() time.Time { return goldenNow },
		Mailer: nilMailer{}, LoginLinkURL: func(tok string) string { return "https://hub.example/login/link/" + tok }})
	pages := []struct {
		file, page string
		data       any
	}{
		{"login-mail", "login", loginView{Next: "/", Mail: true}},
		{"loginlink-sent", "loginlink", loginLinkView{State: "sent", Email: "ana@example.com"}},
		{"loginlink-confirm", "loginlink", loginLinkView{State: "confirm", Token: "TOKEN"}},
		{"loginlink-gone", "loginlink", loginLinkView{State: "gone"}},
		{"loginlink-unknown", "loginlink", loginLinkView{State: "unknown"}},
	}
	for _, p := range pages {
		t.Run(p.file, func(t *testing.T) {
			ctx, err := sm.Load(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			sm.Put(ctx, keyCSRF, "CSRF-TOKEN")
			w := httptest.NewRecorder()
			r := httptest.NewRequest("GET", "/", nil).WithContext(ctx)
			if err := s.render(w, r, p.page, p.data); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", p.file+".golden.html"), w.Body.Bytes())
		})
	}

	m, err := loginLinkMail(tickets.Account{Email: "ana@example.com", Name: "Ana <Admin>"}, "https://hub.example/login/link/TOKEN?x=1&y=2", LoginLinkTTL)
	if err != nil {
		t.Fatal(err)
	}
	if m.To != "ana@example.com" || m.ToName != "Ana <Admin>" || m.Subject != "Your sign-in link" {
		t.Errorf("mail headers: %+v", m)
	}
	golden(t, filepath.Join("testdata", "loginlink-mail.golden.txt"), []byte(m.Text))
	golden(t, filepath.Join("testdata", "loginlink-mail.golden.html"), []byte(m.HTML))
	if !strings.Contains(m.HTML, "Ana &lt;Admin&gt;") || !strings.Contains(m.HTML, `href="https://hub.example/login/link/TOKEN?x=1&amp;y=2"`) {
		t.Errorf("HTML mail does not escape its parts:\n%s", m.HTML)
	}
}

func TestValidToken(t *testing.T) {
	for _, c := range []struct {
		token string
		want  bool
	}{
		{randomToken(), true},
		{"", false},
		{"short", false},
		{strings.Repeat("A", 43), true},
		{strings.Repeat("A", 44), false},
		{strings.Repeat("+", 43), false},
	} {
		if got := validToken(c.token); got != c.want {
			t.Errorf("validToken(%q) = %v, want %v", c.token, got, c.want)
		}
	}
}
