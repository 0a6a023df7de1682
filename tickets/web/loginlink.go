package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	htmltemplate "html/template"
	"net/http"
	"strconv"
	"text/template"
	"time"

	"github.com/go-chi/chi/v5"

	"hub/tickets"
)

// Mailer sends a sign-in link's mail (cmd/hub sends it through the email
// channel's SMTP server).
type Mailer interface {
	SendMail(ctx context.Context, m Mail) error
}

// Mail is one message to an agent.
type Mail struct {
	To, ToName    string
	Subject, Text string
	HTML          string
}

// LoginLinkTTL is how long an emailed sign-in link works.
const LoginLinkTTL = 15 * time.Minute

// loginLinkView is the page of /login/link and /login/link/{token}: the
// neutral answer to a request, the button that spends a link, or why a
// link no longer works.
type loginLinkView struct {
	State string // "sent", "confirm", "gone" or "unknown"
	Token string
	Email string
}

func (v loginLinkView) PageTitle() string {
	switch v.State {
	case "sent":
		return "Check your email"
	case "confirm":
		return "Sign in"
	}
	return "Sign-in link not valid"
}

func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// validToken tells a token the hub could have minted (32 random bytes,
// base64url) from anything else, which is not worth a query.
func validToken(t string) bool {
	b, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil && len(b) == 32
}

// requestLink mails a sign-in link to an enabled agent. It answers the
// same page whether or not the email has an account, and sends the mail
// after answering, so neither the page nor its timing tell which emails
// are agents'. Requests count against the sign-in limits (per email and
// per client address) whatever their outcome: each one may send a mail.
func (s *Server) requestLink(w http.ResponseWriter, r *http.Request) error {
	email := tickets.NormaliseEmail(r.PostFormValue("email"))
	now := s.now()
	linkKey, addrKey := "link:"+email, "ip:"+clientAddr(r)
	since := now.Add(-s.cfg.LoginWindow)
	nEmail, err := s.store.LoginFailures(r.Context(), linkKey, since)
	if err != nil {
		return err
	}
	nAddr, err := s.store.LoginFailures(r.Context(), addrKey, since)
	if err != nil {
		return err
	}
	if nEmail >= s.cfg.LoginPerEmail || nAddr >= s.cfg.LoginPerAddr {
		w.Header().Set("Retry-After", strconv.Itoa(int(s.cfg.LoginWindow.Seconds())))
		return s.renderStatus(w, r, http.StatusTooManyRequests, "login", loginView{Email: email, Next: "/", Mail: true,
			Error: fmt.Sprintf("Too many sign-in attempts. Try again in %d minutes.", int(s.cfg.LoginWindow.Minutes()))})
	}
	if err := s.store.RecordLoginFailure(r.Context(), now, linkKey, addrKey); err != nil {
		return err
	}
	acct, err := s.store.Account(r.Context(), email)
	if err != nil && tickets.ErrorCode(err) != tickets.ENOTFOUND {
		return err
	}
	if err == nil && acct.PasswordHash != "" && acct.DisabledAt == nil {
		token := randomToken()
		if err := s.store.CreateLoginLink(r.Context(), acct.Email, tokenHash(token), now, now.Add(LoginLinkTTL)); err != nil {
			return err
		}
		m, err := loginLinkMail(acct, s.cfg.LoginLinkURL(token), LoginLinkTTL)
		if err != nil {
			return err
		}
		s.mails.Add(1)
		go func() {
			defer s.mails.Done()
			ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 2*time.Minute)
			defer cancel()
			if err := s.cfg.Mailer.SendMail(ctx, m); err != nil {
				s.log.Error("web: sign-in link not sent", "agent", acct.Email, "err", err)
				return
			}
			s.log.Info("web: sign-in link sent", "agent", acct.Email)
		}()
	} else {
		s.log.Info("web: sign-in link refused", "email", email, "addr", clientAddr(r))
	}
	return s.render(w, r, "loginlink", loginLinkView{State: "sent", Email: email})
}

// linkPage shows the button that spends a link. The GET spends nothing:
// mail scanners that open every link would otherwise use it up before the
// agent does.
func (s *Server) linkPage(w http.ResponseWriter, r *http.Request) error {
	token := chi.URLParam(r, "token")
	if !validToken(token) {
		return s.renderStatus(w, r, http.StatusNotFound, "loginlink", loginLinkView{State: "unknown"})
	}
	if _, err := s.store.CheckLoginLink(r.Context(), tokenHash(token), s.now()); err != nil {
		return s.linkFailed(w, r, err)
	}
	return s.render(w, r, "loginlink", loginLinkView{State: "confirm", Token: token})
}

// useLink spends the link and signs its agent in, if still enabled.
func (s *Server) useLink(w http.ResponseWriter, r *http.Request) error {
	token := chi.URLParam(r, "token")
	if !validToken(token) {
		return s.renderStatus(w, r, http.StatusNotFound, "loginlink", loginLinkView{State: "unknown"})
	}
	email, err := s.store.UseLoginLink(r.Context(), tokenHash(token), s.now())
	if err != nil {
		return s.linkFailed(w, r, err)
	}
	acct, err := s.store.Account(r.Context(), email)
	if err != nil && tickets.ErrorCode(err) != tickets.ENOTFOUND {
		return err
	}
	if err != nil || acct.PasswordHash == "" || acct.DisabledAt != nil {
		s.log.Info("web: sign-in link of a disabled agent refused", "email", email)
		return s.renderStatus(w, r, http.StatusGone, "loginlink", loginLinkView{State: "gone"})
	}
	if err := s.store.ClearLoginFailures(r.Context(), "email:"+acct.Email); err != nil {
		return err
	}
	if err := s.startSession(r.Context(), acct); err != nil {
		return err
	}
	s.log.Info("web: signed in", "agent", acct.Email, "by", "email link")
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// linkFailed shows why a link does not work: 404 for one never issued,
// 410 for one used or expired.
func (s *Server) linkFailed(w http.ResponseWriter, r *http.Request, err error) error {
	switch tickets.ErrorCode(err) {
	case tickets.ENOTFOUND:
		return s.renderStatus(w, r, http.StatusNotFound, "loginlink", loginLinkView{State: "unknown"})
	case tickets.ECONFLICT:
		return s.renderStatus(w, r, http.StatusGone, "loginlink", loginLinkView{State: "gone"})
	}
	return err
}

var (
	linkText = template.Must(template.New("text").Parse(`Hello {{.Name}},

Someone (hopefully you) asked to sign in to the hub dashboard as {{.Email}}.
Open this link within {{.Minutes}} minutes and press "Sign in":

{{.Link}}

The link works once. If you did not ask for it, ignore this mail: nobody
can sign in without opening it.
`))
	linkHTML = htmltemplate.Must(htmltemplate.New("html").Parse(`<!doctype html>
<html><body style="font-family:sans-serif">
<p>Hello {{.Name}},</p>
<p>Someone (hopefully you) asked to sign in to the hub dashboard as {{.Email}}.
Open this link within {{.Minutes}} minutes and press “Sign in”:</p>
<p><a href="{{.Link}}">Sign in to hub</a></p>
<p>The link works once. If you did not ask for it, ignore this mail: nobody can sign in without opening it.</p>
</body></html>
`))
)

// loginLinkMail is the mail that carries a sign-in link.
func loginLinkMail(a tickets.Account, link string, ttl time.Duration) (Mail, error) {
	name := a.Name
	if name == "" {
		name = a.Email
	}
	data := struct {
		Name, Email, Link string
		Minutes           int
	}{name, a.Email, link, int(ttl.Minutes())}
	var text, html bytes.Buffer
	if err := linkText.Execute(&text, data); err != nil {
		return Mail{}, err
	}
	if err := linkHTML.Execute(&html, data); err != nil {
		return Mail{}, err
	}
	return Mail{To: a.Email, ToName: a.Name, Subject: "Your sign-in link", Text: text.String(), HTML: html.String()}, nil
}
