package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"
	"github.com/hibiken/asynq"

	conn "hub/connectors/email"
	"hub/tickets"
	"hub/tickets/postgres"
	"hub/tickets/web"
)

// wireWeb mounts the dashboard (tickets/web) at /, its sessions in Postgres.
func (a *App) wireWeb(context.Context) error {
	// No cleanup goroutine of pgxstore's own (it races with StopCleanup):
	// the scheduler deletes expired sessions, once for all hub processes.
	sm := scs.New()
	sm.Store = pgxstore.NewWithCleanupInterval(a.pool, 0)
	a.tasks = append(a.tasks, func(mux *asynq.ServeMux) {
		mux.HandleFunc(typeSessionsCleanup, func(ctx context.Context, _ *asynq.Task) error {
			_, err := a.store.DeleteExpiredSessions(ctx)
			return err
		})
	})
	a.periodic = append(a.periodic, periodicTask{"@every 10m", asynq.NewTask(typeSessionsCleanup, nil)})
	a.dashboard = web.New(web.Config{
		Store:         a.store,
		Sessions:      sm,
		Replayer:      a.pipeline,
		Keys:          webKeys{a.store},
		ReplyRoutes:   replyRouter{a}.ReplyRoutes,
		SurveyURL:     surveyURL(a.cfg),
		SecureCookies: strings.HasPrefix(a.cfg.PublicURL, "https://"),
		Policy:        a.cfg.Policy,
		Logger:        a.log.With("component", "web"),
		Mailer:        a.linkMailer(),
		LoginLinkURL:  func(token string) string { return linkBase(a.cfg) + "/login/link/" + token },
	})
	a.routes = append(a.routes, a.dashboard.Routes)
	a.streams = append(a.streams, a.dashboard.StreamRoutes)
	// Sign-in link mails still being sent finish before the hub exits.
	a.closers = append(a.closers, a.dashboard.Wait)
	return nil
}

// webKeys adapts the store's API keys to the dashboard's Team page: the
// dashboard has its own key type, as it does not import tickets/postgres.
type webKeys struct{ s *postgres.Store }

func (k webKeys) ListAPIKeys(ctx context.Context) ([]web.APIKey, error) {
	list, err := k.s.ListAPIKeys(ctx)
	out := make([]web.APIKey, len(list))
	for i, key := range list {
		out[i] = webKey(key)
	}
	return out, err
}

func (k webKeys) CreateAPIKey(ctx context.Context, name string) (string, web.APIKey, error) {
	plaintext, key, err := k.s.CreateAPIKey(ctx, name)
	return plaintext, webKey(key), err
}

func (k webKeys) RevokeAPIKey(ctx context.Context, id string) error { return k.s.RevokeAPIKey(ctx, id) }

func webKey(k postgres.APIKey) web.APIKey {
	return web.APIKey{ID: k.ID, Name: k.Name, Prefix: k.Prefix, CreatedAt: k.CreatedAt, RevokedAt: k.RevokedAt}
}

const typeSessionsCleanup = "web:sessions_cleanup"

// linkMailer sends the dashboard's sign-in links through the email
// channel's SMTP server (EMAIL_SMTP_URL, from EMAIL_ADDRESS); nil, and so no
// emailed links, without outbound email.
func (a *App) linkMailer() web.Mailer {
	if a.email == nil || a.email.cfg.SMTP == nil {
		return nil
	}
	var opts []conn.SenderOption
	if a.email.tls != nil {
		opts = append(opts, conn.WithTLSConfig(a.email.tls))
	}
	return smtpMailer{conn.NewSender(*a.email.cfg.SMTP, conn.Composer{From: a.email.cfg.Address, Now: a.now}, opts...)}
}

type smtpMailer struct{ s *conn.Sender }

func (m smtpMailer) SendMail(ctx context.Context, msg web.Mail) error {
	_, err := m.s.Send(ctx, conn.Outgoing{To: []mail.Address{{Name: msg.ToName, Address: msg.To}},
		Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML})
	return err
}

const agentUsage = `Usage:
  hub agent create --email E --name N [--admin]   create or reset an account; prints a one-time password on its last line
  hub agent list                                 list agents
  hub agent disable --email E                    stop an agent from signing in
`

// runAgent is hub agent create|list|disable.
func runAgent(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, agentUsage)
		if len(args) == 0 {
			return usageError{"agent needs create, list or disable"}
		}
		return nil
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("agent "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, agentUsage) }
	email := fs.String("email", "", "the agent's email")
	name := fs.String("name", "", "the agent's name")
	admin := fs.Bool("admin", false, "an admin (integrations, agents, keys)")
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{"agent " + sub + " takes only flags"}
	}
	switch sub {
	case "create":
		if *email == "" || *name == "" {
			return usageError{"agent create needs --email and --name"}
		}
	case "disable":
		if *email == "" {
			return usageError{"agent disable needs --email"}
		}
	case "list":
	default:
		return usageError{fmt.Sprintf("unknown agent subcommand %q (want create, list or disable)", sub)}
	}
	app, err := openApp(ctx, getenv, stderr, false)
	if err != nil {
		return err
	}
	defer app.Close()
	switch sub {
	case "create":
		password, err := web.NewPassword()
		if err != nil {
			return err
		}
		hash, err := web.HashPassword(password)
		if err != nil {
			return err
		}
		acct, err := app.store.CreateAccount(ctx, tickets.Account{Email: *email, Name: *name, Admin: *admin, PasswordHash: hash})
		if err != nil {
			return errors.New(tickets.ErrorMessage(err))
		}
		role := "agent"
		if acct.Admin {
			role = "admin"
		}
		fmt.Fprintf(stdout, "Agent %s (%s, %s) can sign in at %s/login with this password, shown only once:\n%s\n",
			acct.Email, acct.Name, role, publicBase(app.cfg), password)
		return nil
	case "disable":
		if err := app.store.DisableAccount(ctx, *email); err != nil {
			return errors.New(tickets.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "Agent %s can no longer sign in.\n", tickets.NormaliseEmail(*email))
		return nil
	}
	list, err := app.store.ListAccounts(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tSIGN-IN\tCREATED")
	for _, a := range list {
		role, state := "agent", "enabled"
		if a.Admin {
			role = "admin"
		}
		switch {
		case a.DisabledAt != nil:
			state = "disabled"
		case a.PasswordHash == "":
			state = "no password"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Email, a.Name, role, state, a.CreatedAt.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}

// publicBase is where agents reach the hub, for the sign-in hint.
func publicBase(cfg Config) string {
	if cfg.PublicURL != "" {
		return cfg.PublicURL
	}
	addr := cfg.Addr
	if strings.HasPrefix(addr, ":") {
		addr = "localhost" + addr
	}
	return "http://" + addr
}

// streamRoutes mounts routes outside the admission limit (see router.go).
type streamRoutes []func(chi.Router)
