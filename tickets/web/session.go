package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"hub/tickets"
)

// Session keys.
const (
	keyEmail = "agent"
	keyCSRF  = "csrf"
	keyFlash = "flash"
	// keyPassword binds a session to the password it was signed in under
	// (a digest of its hash, not the hash): a new password, which is how
	// an account is enabled again, ends every earlier session, including
	// one left idle while the account was disabled.
	keyPassword = "pw"
)

// passwordMark is what a session keeps of its account's password hash.
func passwordMark(hash string) string {
	sum := sha256.Sum256([]byte(hash))
	return hex.EncodeToString(sum[:8])
}

// startSession signs acct in on this request's session.
func (s *Server) startSession(ctx context.Context, acct tickets.Account) error {
	// A new token on sign-in: a session id planted before cannot be ridden.
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, keyEmail, acct.Email)
	s.sessions.Put(ctx, keyPassword, passwordMark(acct.PasswordHash))
	s.sessions.Put(ctx, keyCSRF, randomToken())
	return nil
}

type accountKey struct{}

// agentFrom is the signed-in agent requireAgent put in ctx.
func agentFrom(ctx context.Context) tickets.Account {
	a, _ := ctx.Value(accountKey{}).(tickets.Account)
	return a
}

// requireAgent lets through requests of a signed-in agent whose account is
// still enabled; others go to the sign-in page (or get 401 for the stream).
func (s *Server) requireAgent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		email := s.sessions.GetString(r.Context(), keyEmail)
		var acct tickets.Account
		var err error
		if email != "" {
			acct, err = s.store.Account(r.Context(), email)
			if err != nil && tickets.ErrorCode(err) != tickets.ENOTFOUND {
				s.fail(w, r, err)
				return
			}
		}
		if email == "" || err != nil || acct.DisabledAt != nil || acct.PasswordHash == "" ||
			s.sessions.GetString(r.Context(), keyPassword) != passwordMark(acct.PasswordHash) {
			if email != "" {
				_ = s.sessions.Destroy(r.Context())
			}
			if r.URL.Path == "/events" {
				http.Error(w, "sign in first", http.StatusUnauthorized)
				return
			}
			next := ""
			if r.Method == http.MethodGet {
				next = "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			// A form sent after the session ended lands on the sign-in page
			// too; what it said is lost, which the agent sees.
			http.Redirect(w, r, "/login"+next, http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), accountKey{}, acct)))
	})
}

func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !agentFrom(r.Context()).Admin {
			s.fail(w, r, tickets.Errorf(tickets.EUNAUTHORIZED, "this page is for admins"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// csrf gives every session a token and refuses a POST that does not carry
// it in the form field csrf_token, or that a browser marks cross-origin.
func (s *Server) csrf(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderStatus(w, r, http.StatusForbidden, "error", errorPage{Status: http.StatusForbidden,
			Message: "This form was sent from another site and was refused."})
	}))
	return cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			// Dashboard forms are small; a reply is text.
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			want := s.sessions.GetString(r.Context(), keyCSRF)
			got := r.PostFormValue("csrf_token")
			if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
				s.renderStatus(w, r, http.StatusForbidden, "error", errorPage{Status: http.StatusForbidden,
					Message: "This form has expired or was not sent from the dashboard. Go back, reload the page and try again."})
				return
			}
		}
		next.ServeHTTP(w, r)
	}))
}

// csrfToken is the session's token, made on first use.
func (s *Server) csrfToken(ctx context.Context) string {
	if t := s.sessions.GetString(ctx, keyCSRF); t != "" {
		return t
	}
	t := randomToken()
	s.sessions.Put(ctx, keyCSRF, t)
	return t
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

type loginView struct {
	Email, Next, Error string
	// Mail offers an emailed sign-in link (email sending is configured).
	Mail bool
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	if s.sessions.GetString(r.Context(), keyEmail) != "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, "login", loginView{Next: safeNext(r.URL.Query().Get("next")), Mail: s.cfg.Mailer != nil})
}

// login checks the password, limited per email and per client address:
// past the limit it answers 429 without checking, so guessing is slow
// whichever way it is spread.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	email := tickets.NormaliseEmail(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	view := loginView{Email: email, Next: next, Mail: s.cfg.Mailer != nil}
	now := s.now()
	emailKey, addrKey := "email:"+email, "ip:"+clientAddr(r)
	since := now.Add(-s.cfg.LoginWindow)
	nEmail, err := s.store.LoginFailures(r.Context(), emailKey, since)
	if err != nil {
		return err
	}
	nAddr, err := s.store.LoginFailures(r.Context(), addrKey, since)
	if err != nil {
		return err
	}
	if nEmail >= s.cfg.LoginPerEmail || nAddr >= s.cfg.LoginPerAddr {
		w.Header().Set("Retry-After", strconv.Itoa(int(s.cfg.LoginWindow.Seconds())))
		view.Error = fmt.Sprintf("Too many failed sign-ins. Try again in %d minutes.", int(s.cfg.LoginWindow.Minutes()))
		return s.renderStatus(w, r, http.StatusTooManyRequests, "login", view)
	}
	acct, err := s.store.Account(r.Context(), email)
	if err != nil && tickets.ErrorCode(err) != tickets.ENOTFOUND {
		return err
	}
	hash := acct.PasswordHash
	if err != nil || hash == "" {
		hash = dummyHash()
	}
	ok := CheckPassword(hash, password) && err == nil && acct.PasswordHash != "" && acct.DisabledAt == nil
	if !ok {
		if err := s.store.RecordLoginFailure(r.Context(), now, emailKey, addrKey); err != nil {
			return err
		}
		s.log.Info("web: sign-in refused", "email", email, "addr", clientAddr(r))
		view.Error = "That email and password do not match an enabled account."
		return s.renderStatus(w, r, http.StatusUnauthorized, "login", view)
	}
	if err := s.store.ClearLoginFailures(r.Context(), emailKey); err != nil {
		return err
	}
	if err := s.startSession(r.Context(), acct); err != nil {
		return err
	}
	s.log.Info("web: signed in", "agent", acct.Email)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// clientAddr is the client's IP (chi's RealIP has already applied proxies'
// headers where the hub trusts them).
func clientAddr(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// flash keeps a message for the next page the agent sees (after a
// redirect): the outcome of what they just did.
type flash struct {
	Kind string // "ok" or "error"
	Text string
}

func (s *Server) setFlash(ctx context.Context, kind, text string) {
	s.sessions.Put(ctx, keyFlash, kind+"\x00"+text)
}

func (s *Server) popFlash(ctx context.Context) *flash {
	v := s.sessions.PopString(ctx, keyFlash)
	if v == "" {
		return nil
	}
	kind, text, _ := strings.Cut(v, "\x00")
	return &flash{Kind: kind, Text: text}
}
