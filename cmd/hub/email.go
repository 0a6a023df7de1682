package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	conn "hub/connectors/email"
	"hub/tickets"
	whemail "hub/webhooks/email"
)

// emailConfig is the email channel's part of the configuration: the
// connector's EMAIL_* variables and the hub's own limits.
type emailConfig struct {
	conn.Config
	// MaxMessageBytes caps one inbound message (EMAIL_MAX_MESSAGE_BYTES,
	// default 25 MB): the listener answers 552 past it, the poller leaves
	// such mail for people.
	MaxMessageBytes int64
	// MaxAttachmentBytes is how many attachment bytes of one message are
	// kept in Postgres (EMAIL_MAX_ATTACHMENT_BYTES, default 10 MB; 0 keeps
	// none); larger files are listed without their bytes.
	MaxAttachmentBytes int64
	// SendAttempts and SendBackoff shape the retries of a reply
	// (EMAIL_SEND_ATTEMPTS, default 8; EMAIL_SEND_BACKOFF, default 30s,
	// doubling).
	SendAttempts int
	SendBackoff  time.Duration
	// PollEvery is how often the IMAP poller looks when the server has no
	// IDLE (EMAIL_IMAP_POLL, default 1m).
	PollEvery time.Duration
	// CAFile is EMAIL_TLS_CA_FILE: PEM certificates trusted for the IMAP
	// and SMTP servers besides the system's (a private mail server).
	CAFile string
	// Ack sends new tickets opened by email an acknowledgement with their
	// reference (EMAIL_ACK, default false; needs EMAIL_SMTP_URL).
	Ack bool
	// tls, when set (the demo's fake mail server), is trusted for IMAP and
	// SMTP instead of EMAIL_TLS_CA_FILE's.
	tls *tls.Config
}

func loadEmailConfig(getenv func(string) string) (emailConfig, error) {
	c := emailConfig{MaxMessageBytes: conn.DefaultMaxMessageBytes, MaxAttachmentBytes: 10 << 20}
	// Without EMAIL_ADDRESS the listener's settings still count, for a
	// stored connection (hub connect email) that names the address.
	cc, err := conn.ConfigFromEnv(getenv)
	if err != nil {
		var ce *conn.ConfigError
		if errors.As(err, &ce) {
			return c, configError{ce.Var, ce.Reason}
		}
		return c, err
	}
	c.Config = cc
	if v := strings.TrimSpace(getenv("EMAIL_MAX_MESSAGE_BYTES")); v != "" {
		n, err := intEnvMax(getenv, "EMAIL_MAX_MESSAGE_BYTES", 0, 100<<20)
		if err != nil {
			return c, err
		}
		c.MaxMessageBytes = int64(n)
	}
	if v := strings.TrimSpace(getenv("EMAIL_MAX_ATTACHMENT_BYTES")); v != "" {
		var n int64
		if _, err := fmt.Sscan(v, &n); err != nil || n < 0 || n > 100<<20 {
			return c, configError{"EMAIL_MAX_ATTACHMENT_BYTES", "must be a whole number of bytes from 0 to 104857600"}
		}
		c.MaxAttachmentBytes = n
	}
	if c.SendAttempts, err = intEnvMax(getenv, "EMAIL_SEND_ATTEMPTS", 8, 50); err != nil {
		return c, err
	}
	if c.SendBackoff, err = durationEnv(getenv, "EMAIL_SEND_BACKOFF", 30*time.Second); err != nil {
		return c, err
	}
	if c.PollEvery, err = durationEnv(getenv, "EMAIL_IMAP_POLL", time.Minute); err != nil {
		return c, err
	}
	c.CAFile = strings.TrimSpace(getenv("EMAIL_TLS_CA_FILE"))
	switch strings.ToLower(strings.TrimSpace(getenv("EMAIL_ACK"))) {
	case "", "false", "0", "no":
	case "true", "1", "yes":
		c.Ack = true
	default:
		return c, configError{"EMAIL_ACK", "must be true or false"}
	}
	return c, nil
}

// Connection secrets and settings of `hub connect email`.
const (
	emailSecretIMAP  = "imap_url"
	emailSecretSMTP  = "smtp_url"
	emailSettingAddr = "address"
)

// emailChannel is the wired email channel; nil when email is off.
type emailChannel struct {
	cfg     emailConfig
	addrs   *conn.ReplyAddresses
	intake  *whemail.Intake
	replies *whemail.Replies // nil without outbound SMTP
	tls     *tls.Config
	// smtpAddr receives the SMTP listener's address once it listens
	// (tests listen on port 0).
	smtpAddr chan string
}

// resolveEmail merges the environment with a stored connection (hub
// connect email): the environment wins when it names an address.
func (a *App) resolveEmail(ctx context.Context) (emailConfig, bool, error) {
	c := a.cfg.Email
	if c.Address.Address != "" {
		return c, true, nil
	}
	list, err := a.store.ListConnections(ctx, tickets.SourceEmail)
	if err != nil {
		return c, false, fmt.Errorf("email: load the connection: %w", err)
	}
	for _, cn := range list {
		if !cn.Active {
			continue
		}
		vals := map[string]string{
			"EMAIL_ADDRESS":  cn.Settings[emailSettingAddr],
			"EMAIL_IMAP_URL": cn.Secrets[emailSecretIMAP],
			"EMAIL_SMTP_URL": cn.Secrets[emailSecretSMTP],
		}
		cc, err := conn.ConfigFromEnv(func(k string) string { return vals[k] })
		if err != nil {
			return c, false, fmt.Errorf("email: the stored connection %s: %w", cn.Key, err)
		}
		cc.SMTPListen, cc.SMTPCertFile, cc.SMTPKeyFile = c.SMTPListen, c.SMTPCertFile, c.SMTPKeyFile
		c.Config = cc
		return c, true, nil
	}
	return c, false, nil
}

// wireEmail connects the email channel: the inbox decoder, the SMTP
// listener (web role), the IMAP poller (worker role), and replies by SMTP
// through the outbox.
func (a *App) wireEmail(ctx context.Context) error {
	c, on, err := a.resolveEmail(ctx)
	if err != nil || !on {
		return err
	}
	key, err := a.replyAddressKey(ctx)
	if err != nil {
		return err
	}
	addrs, err := conn.NewReplyAddresses(c.Address.Address, key)
	if err != nil {
		return fmt.Errorf("email: %w", err)
	}
	tlsConf, err := emailTLS(c.CAFile)
	if err != nil {
		return err
	}
	if c.tls != nil {
		tlsConf = c.tls
	}
	log := a.log.With("component", "email")
	ch := &emailChannel{cfg: c, addrs: addrs, tls: tlsConf, smtpAddr: make(chan string, 1),
		intake: &whemail.Intake{Inbox: a.pipeline, Tenant: addrs.Address()}}
	a.email = ch
	a.pipeline.Handle(tickets.SourceEmail, &whemail.Decoder{Threads: a.store, Addresses: addrs, MaxAttachmentBytes: c.MaxAttachmentBytes})

	if c.SMTP != nil {
		opts := []conn.SenderOption{}
		if tlsConf != nil {
			opts = append(opts, conn.WithTLSConfig(tlsConf))
		}
		sender := conn.NewSender(*c.SMTP, conn.Composer{From: c.Address, Now: a.now}, opts...)
		ch.replies = &whemail.Replies{Store: a.store, Mail: sender, Addresses: addrs,
			MaxAttempts: c.SendAttempts, Backoff: c.SendBackoff, Log: log}
		a.tasks = append(a.tasks, ch.replies.Register)
		a.followups = append(a.followups, ch.replies.Followups)
		a.replies = append(a.replies, ch.replies.Reaches)
		if c.Ack {
			acks := &whemail.Acks{Store: a.store, Mail: sender, Addresses: addrs}
			a.tasks = append(a.tasks, acks.Register)
			a.followups = append(a.followups, acks.Followups)
		}
	}
	if c.SMTPListen != "" {
		listenerTLS, err := c.ListenerTLS()
		if err != nil {
			return err
		}
		_, domain, _ := strings.Cut(addrs.Address(), "@")
		l, err := conn.NewListener(conn.ListenerConfig{Domain: domain, Serves: addrs.Serves, Committer: ch.intake,
			TLS: listenerTLS, MaxMessageBytes: c.MaxMessageBytes, Now: a.now, Logger: log})
		if err != nil {
			return fmt.Errorf("email: %w", err)
		}
		a.web = append(a.web, func(ctx context.Context) error { return ch.serveSMTP(ctx, l, log) })
	}
	if c.IMAP != nil {
		p, err := conn.NewPoller(conn.PollerConfig{IMAP: *c.IMAP, Committer: ch.intake, Cursors: whemail.Cursors{Store: a.store},
			TLS: tlsConf, MaxMessageBytes: c.MaxMessageBytes, PollInterval: c.PollEvery, Now: a.now, Logger: log})
		if err != nil {
			return fmt.Errorf("email: %w", err)
		}
		a.workers = append(a.workers, func(ctx context.Context) {
			log.Info("email: polling", "mailbox", c.IMAP.String())
			_ = p.Run(ctx)
		})
	}
	return nil
}

// repliesByEmail reports whether a public reply on t is mailed to its
// customer, and so counts as the first response only once sent.
func (a *App) repliesByEmail(t tickets.Ticket) bool {
	return a.email != nil && a.email.replies != nil && t.Customer.Email != ""
}

// serveSMTP runs the listener until ctx ends, then lets open sessions
// finish their commit.
func (ch *emailChannel) serveSMTP(ctx context.Context, l *conn.Listener, log interface {
	Info(string, ...any)
}) error {
	ln, err := net.Listen("tcp", ch.cfg.SMTPListen)
	if err != nil {
		return fmt.Errorf("EMAIL_SMTP_LISTEN: %w", err)
	}
	log.Info("email: SMTP listening", "addr", ln.Addr().String())
	select {
	case ch.smtpAddr <- ln.Addr().String():
	default:
	}
	errc := make(chan error, 1)
	go func() { errc <- l.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_ = l.Shutdown(shutdown)
	return <-errc
}

// replyAddressKey is the HMAC key of the per-ticket reply addresses:
// derived from HUB_SECRET_KEY, or else a random key kept in Postgres so
// that every hub process (and every restart) mints the same addresses.
func (a *App) replyAddressKey(ctx context.Context) ([]byte, error) {
	if a.cfg.SecretKey != "" {
		sum := sha256.Sum256([]byte("hub email reply addresses\x00" + a.cfg.SecretKey))
		return sum[:], nil
	}
	const kind, name = tickets.Source("email_reply_key"), "default"
	if cn, err := a.store.GetConnection(ctx, kind, name); err == nil {
		if k, err := hex.DecodeString(cn.Settings["key"]); err == nil && len(k) >= conn.MinKeyBytes {
			return k, nil
		}
	} else if tickets.ErrorCode(err) != tickets.ENOTFOUND {
		return nil, fmt.Errorf("email: reply-address key: %w", err)
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("email: reply-address key: %w", err)
	}
	// Two processes starting at once may both write; the last one wins
	// and the first re-reads it below.
	if _, err := a.store.SaveConnection(ctx, tickets.Connection{Kind: kind, Key: name, Name: "email reply addresses", Active: true,
		Settings: map[string]string{"key": hex.EncodeToString(k)}}); err != nil {
		return nil, fmt.Errorf("email: reply-address key: %w", err)
	}
	cn, err := a.store.GetConnection(ctx, kind, name)
	if err != nil {
		return nil, fmt.Errorf("email: reply-address key: %w", err)
	}
	return hex.DecodeString(cn.Settings["key"])
}

// emailTLS trusts the system's roots plus EMAIL_TLS_CA_FILE's; nil (the
// defaults) without a file.
func emailTLS(caFile string) (*tls.Config, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, configError{"EMAIL_TLS_CA_FILE", "cannot read the file"}
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, configError{"EMAIL_TLS_CA_FILE", "holds no PEM certificate"}
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// connectEmail is `hub connect email --address A [--imap-url U] [--smtp-url U]`:
// it checks the URLs (and logs in to each server) and stores the mailbox
// with its credentials sealed. The environment's EMAIL_ADDRESS, when set,
// takes precedence at start.
func (a *App) connectEmail(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("connect email", flag.ContinueOnError)
	fs.SetOutput(out)
	address := fs.String("address", "", "the support address, e.g. support@shop.example")
	imapURL := fs.String("imap-url", "", "mailbox to poll: imaps://user:pass@host/INBOX")
	smtpURL := fs.String("smtp-url", "", "outbound submission: smtp://user:pass@host:587 or smtps://...")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if *address == "" || fs.NArg() > 0 || (*imapURL == "" && *smtpURL == "") {
		return usageError{"connect email needs --address and --imap-url and/or --smtp-url (and nothing else)"}
	}
	vals := map[string]string{"EMAIL_ADDRESS": *address, "EMAIL_IMAP_URL": *imapURL, "EMAIL_SMTP_URL": *smtpURL}
	cc, err := conn.ConfigFromEnv(func(k string) string { return vals[k] })
	if err != nil {
		var ce *conn.ConfigError
		if errors.As(err, &ce) {
			return usageError{strings.NewReplacer("EMAIL_ADDRESS", "--address", "EMAIL_IMAP_URL", "--imap-url", "EMAIL_SMTP_URL", "--smtp-url").Replace(ce.Error())}
		}
		return err
	}
	if a.cfg.SecretKey == "" {
		return errors.New("HUB_SECRET_KEY is not set: the hub encrypts mailbox passwords with it, so set it (and keep it) before connecting email")
	}
	tlsConf, err := emailTLS(a.cfg.Email.CAFile)
	if err != nil {
		return err
	}
	if cc.IMAP != nil {
		// One pass against a throwaway cursor store proves the login and
		// the mailbox without importing anything.
		p, err := conn.NewPoller(conn.PollerConfig{IMAP: *cc.IMAP, Committer: conn.CommitFunc(func(context.Context, conn.Envelope, []byte) error {
			return errors.New("checking only")
		}), Cursors: probeCursors{}, TLS: tlsConf})
		if err != nil {
			return err
		}
		check, cancel := context.WithTimeout(ctx, time.Minute)
		_, err = p.Once(check)
		cancel()
		if err != nil && !strings.Contains(err.Error(), "checking only") {
			return fmt.Errorf("could not log in to %s: %w", cc.IMAP.String(), err)
		}
	}
	secrets := map[string]string{}
	if *imapURL != "" {
		secrets[emailSecretIMAP] = strings.TrimSpace(*imapURL)
	}
	if *smtpURL != "" {
		secrets[emailSecretSMTP] = strings.TrimSpace(*smtpURL)
	}
	key := strings.ToLower(cc.Address.Address)
	if _, err := a.store.SaveConnection(ctx, tickets.Connection{Kind: tickets.SourceEmail, Key: key, Name: key, Active: true,
		Secrets: secrets, Settings: map[string]string{emailSettingAddr: cc.Address.String()}}); err != nil {
		return fmt.Errorf("save the mailbox: %w", err)
	}
	fmt.Fprintf(out, "Connected email %s.\n", key)
	if cc.IMAP != nil {
		fmt.Fprintf(out, "  inbound:  IMAP %s (processed mail is %s)\n", cc.IMAP.String(), map[bool]string{true: "moved to " + cc.IMAP.MoveTo, false: "flagged \\Seen"}[cc.IMAP.MoveTo != ""])
	}
	if cc.SMTP != nil {
		fmt.Fprintf(out, "  outbound: SMTP %s\n", cc.SMTP.String())
	} else {
		fmt.Fprintln(out, "  outbound: none (public replies cannot be emailed until --smtp-url is given)")
	}
	fmt.Fprintln(out, "Restart the hub to pick it up.")
	return nil
}

// probeCursors starts from nothing and saves nothing.
type probeCursors struct{}

func (probeCursors) LoadCursor(context.Context, string) (conn.Cursor, bool, error) {
	return conn.Cursor{}, false, nil
}
func (probeCursors) SaveCursor(context.Context, string, conn.Cursor) error { return nil }
