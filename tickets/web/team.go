package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"hub/tickets"
)

// APIKey is an API key as the Team page shows it. Only the key's hash is
// stored; the plaintext exists once, when the key is made.
type APIKey struct {
	ID        string
	Name      string
	Prefix    string // the key's first characters, to tell keys apart
	CreatedAt time.Time
	RevokedAt *time.Time
}

// KeyStore makes, lists and revokes API keys. It is separate from Store
// because the store's own key type lives in tickets/postgres, which the
// dashboard does not import: cmd/hub adapts one to the other.
type KeyStore interface {
	ListAPIKeys(ctx context.Context) ([]APIKey, error)
	CreateAPIKey(ctx context.Context, name string) (plaintext string, k APIKey, err error)
	RevokeAPIKey(ctx context.Context, id string) error
}

type teamView struct {
	Me     string // the signed-in admin, who cannot disable themselves
	Agents []tickets.Account
	// Keys is nil without a KeyStore; KeysOn says whether there is one.
	Keys   []APIKey
	KeysOn bool
	// Mail: agents can also ask for an emailed sign-in link.
	Mail bool
	// Secret is a password or key just made, shown on this one page only:
	// it is rendered into the answer to the POST, never kept in the session.
	Secret *secret
	// Add is the add-agent form as sent, kept when it was refused.
	Add      addAgentForm
	AddError string
	KeyName  string
	KeyError string
}

func (teamView) PageTitle() string { return "Team" }

type addAgentForm struct {
	Email, Name string
	Admin       bool
}

type secret struct {
	Kind  string // "password" or "key"
	For   string // the agent's email or the key's name
	Value string
	Again bool // a password made for an account that had one (enabled again)
}

// teamPage lists the agents and the API keys.
func (s *Server) teamPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderTeam(w, r, http.StatusOK, teamView{})
}

// renderTeam fills in the lists and renders v with status.
func (s *Server) renderTeam(w http.ResponseWriter, r *http.Request, status int, v teamView) error {
	ctx := r.Context()
	var err error
	if v.Agents, err = s.store.ListAccounts(ctx); err != nil {
		return err
	}
	if s.cfg.Keys != nil {
		v.KeysOn = true
		if v.Keys, err = s.cfg.Keys.ListAPIKeys(ctx); err != nil {
			return err
		}
	}
	v.Me = agentFrom(ctx).Email
	v.Mail = s.cfg.Mailer != nil
	return s.renderStatus(w, r, status, "team", v)
}

// addAgent creates an account with a one-time password and shows it. An
// email that already has an enabled account is refused: the form would
// otherwise quietly replace that agent's password and role.
func (s *Server) addAgent(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f := addAgentForm{Email: tickets.NormaliseEmail(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Admin: r.PostFormValue("admin") != ""}
	refuse := func(msg string) error {
		return s.renderTeam(w, r, http.StatusBadRequest, teamView{Add: f, AddError: msg})
	}
	if f.Email == "" || f.Name == "" {
		return refuse("An agent needs an email and a name.")
	}
	old, err := s.store.Account(ctx, f.Email)
	switch {
	case err == nil && old.PasswordHash != "" && old.DisabledAt == nil:
		return refuse(fmt.Sprintf("%s already has an account that can sign in.", old.Email))
	case err != nil && tickets.ErrorCode(err) != tickets.ENOTFOUND:
		return err
	}
	acct, password, err := s.givePassword(ctx, tickets.Account{Email: f.Email, Name: f.Name, Admin: f.Admin})
	if tickets.ErrorCode(err) == tickets.EINVALID {
		return refuse(tickets.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	s.log.Info("web: agent added", "email", acct.Email, "admin", acct.Admin, "agent", agentFrom(ctx).Email)
	return s.renderTeam(w, r, http.StatusOK, teamView{Secret: &secret{Kind: "password", For: acct.Email, Value: password}})
}

// enableAgent lets a disabled agent (or one known only as an assignee)
// sign in again, with a new one-time password: the store enables an
// account by setting its password, and the old one may be why it was
// disabled.
func (s *Server) enableAgent(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	email := tickets.NormaliseEmail(r.PostFormValue("email"))
	old, err := s.store.Account(ctx, email)
	switch {
	case tickets.ErrorCode(err) == tickets.ENOTFOUND:
		return s.teamFlash(w, r, "error", fmt.Sprintf("There is no agent %s.", email))
	case err != nil:
		return err
	case old.PasswordHash != "" && old.DisabledAt == nil:
		return s.teamFlash(w, r, "error", fmt.Sprintf("%s can already sign in.", old.Email))
	}
	acct, password, err := s.givePassword(ctx, tickets.Account{Email: old.Email, Name: old.Name, Admin: old.Admin})
	if err != nil {
		return err
	}
	s.log.Info("web: agent enabled", "email", acct.Email, "agent", agentFrom(ctx).Email)
	return s.renderTeam(w, r, http.StatusOK, teamView{Secret: &secret{Kind: "password", For: acct.Email, Value: password, Again: old.PasswordHash != ""}})
}

// givePassword creates or enables a with a new random password, the way
// hub agent create does, and returns the password in clear.
func (s *Server) givePassword(ctx context.Context, a tickets.Account) (tickets.Account, string, error) {
	password, err := NewPassword()
	if err != nil {
		return a, "", err
	}
	if a.PasswordHash, err = HashPassword(password); err != nil {
		return a, "", err
	}
	acct, err := s.store.CreateAccount(ctx, a)
	return acct, password, err
}

// disableAgent stops an agent from signing in; their sessions end at their
// next request. An admin cannot disable themselves, so a hub always keeps
// the admin who is looking at it.
func (s *Server) disableAgent(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	email := tickets.NormaliseEmail(r.PostFormValue("email"))
	me := agentFrom(ctx).Email
	if email == me {
		return s.teamFlash(w, r, "error", "You cannot disable your own account. Another admin can.")
	}
	err := s.store.DisableAccount(ctx, email)
	switch {
	case tickets.ErrorCode(err) == tickets.ENOTFOUND:
		return s.teamFlash(w, r, "error", fmt.Sprintf("There is no agent %s.", email))
	case err != nil:
		return err
	}
	s.log.Info("web: agent disabled", "email", email, "agent", me)
	return s.teamFlash(w, r, "ok", fmt.Sprintf("%s can no longer sign in; their sessions have ended.", email))
}

// createKey makes an API key and shows it once.
func (s *Server) createKey(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if s.cfg.Keys == nil {
		return tickets.Errorf(tickets.ENOTFOUND, "API keys are not managed from this dashboard")
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		return s.renderTeam(w, r, http.StatusBadRequest, teamView{KeyError: "An API key needs a name: say who or what will use it."})
	}
	plaintext, k, err := s.cfg.Keys.CreateAPIKey(ctx, name)
	if tickets.ErrorCode(err) == tickets.EINVALID {
		return s.renderTeam(w, r, http.StatusBadRequest, teamView{KeyName: name, KeyError: tickets.ErrorMessage(err)})
	}
	if err != nil {
		return err
	}
	s.log.Info("web: API key created", "key", k.ID, "name", k.Name, "agent", agentFrom(ctx).Email)
	return s.renderTeam(w, r, http.StatusOK, teamView{Secret: &secret{Kind: "key", For: k.Name, Value: plaintext}})
}

// revokeKey revokes an API key; the API refuses it from the next request.
func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if s.cfg.Keys == nil {
		return tickets.Errorf(tickets.ENOTFOUND, "API keys are not managed from this dashboard")
	}
	id := chi.URLParam(r, "id")
	err := s.cfg.Keys.RevokeAPIKey(ctx, id)
	switch {
	case tickets.ErrorCode(err) == tickets.ENOTFOUND:
		return s.teamFlash(w, r, "error", "There is no such API key.")
	case err != nil:
		return err
	}
	s.log.Info("web: API key revoked", "key", id, "agent", agentFrom(ctx).Email)
	return s.teamFlash(w, r, "ok", "The API key is revoked: the API refuses it from now on.")
}

// teamFlash says how an action went on the Team page, after a redirect.
func (s *Server) teamFlash(w http.ResponseWriter, r *http.Request, kind, text string) error {
	s.setFlash(r.Context(), kind, text)
	http.Redirect(w, r, "/team", http.StatusSeeOther)
	return nil
}
