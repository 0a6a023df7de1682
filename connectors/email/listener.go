package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// Defaults for ListenerConfig.
const (
	DefaultMaxMessageBytes = 25 << 20 // what Gmail and Microsoft 365 accept
	DefaultMaxRecipients   = 50
	defaultCommitTimeout   = 30 * time.Second
	defaultSMTPReadTimeout = 5 * time.Minute // RFC 5321 §4.5.3.2.7
)

// ListenerConfig configures the hub's own SMTP intake.
type ListenerConfig struct {
	// Domain is the name the listener greets with; usually the support
	// address's domain.
	Domain string
	// Serves reports whether a RCPT TO address is one the hub takes mail
	// for; others are refused with 550 at RCPT. ReplyAddresses.Serves fits.
	Serves func(addr string) bool
	// Committer records each accepted message before the 250.
	Committer Committer
	// TLS, when set, offers STARTTLS.
	TLS *tls.Config

	MaxMessageBytes int64         // default DefaultMaxMessageBytes; 552 past it
	MaxRecipients   int           // default DefaultMaxRecipients; 452 past it
	CommitTimeout   time.Duration // default 30 s; the sender waits this long at most
	ReadTimeout     time.Duration // default 5 min per command, and for the whole DATA
	Now             func() time.Time
	Logger          *slog.Logger
}

// Listener is the SMTP intake. Construct it with NewListener, run it with
// Serve, stop it with Shutdown.
type Listener struct {
	cfg    ListenerConfig
	srv    *smtp.Server
	ctx    context.Context // parent of every Commit; cancelled by Close
	cancel context.CancelFunc
}

// NewListener checks cfg and builds a Listener.
func NewListener(cfg ListenerConfig) (*Listener, error) {
	if cfg.Serves == nil || cfg.Committer == nil {
		return nil, errors.New("email: listener needs Serves and Committer")
	}
	if cfg.Domain == "" {
		cfg.Domain = "localhost"
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if cfg.MaxRecipients <= 0 {
		cfg.MaxRecipients = DefaultMaxRecipients
	}
	if cfg.CommitTimeout <= 0 {
		cfg.CommitTimeout = defaultCommitTimeout
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = defaultSMTPReadTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	l := &Listener{cfg: cfg}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	s := smtp.NewServer(smtp.BackendFunc(l.newSession))
	s.Domain = cfg.Domain
	s.MaxMessageBytes = cfg.MaxMessageBytes
	s.MaxRecipients = cfg.MaxRecipients
	s.ReadTimeout = cfg.ReadTimeout
	s.WriteTimeout = time.Minute
	s.TLSConfig = cfg.TLS
	s.EnableSMTPUTF8 = true
	s.ErrorLog = slogPrinter{cfg.Logger}
	l.srv = s
	return l, nil
}

// Serve accepts connections on ln until Shutdown or Close; it then returns
// nil.
func (l *Listener) Serve(ln net.Listener) error {
	if err := l.srv.Serve(ln); err != nil {
		return fmt.Errorf("email: smtp serve: %w", err)
	}
	return nil
}

// Shutdown stops accepting connections and waits for open ones to end (or
// ctx to expire); then it closes whatever is left. Commits in flight are
// cancelled only at that point, so a message being committed when Shutdown
// starts still gets its 250 if ctx allows.
func (l *Listener) Shutdown(ctx context.Context) error {
	err := l.srv.Shutdown(ctx)
	if errors.Is(err, smtp.ErrServerClosed) {
		err = nil
	}
	l.Close()
	return err
}

// Close drops every connection at once; their senders will retry.
func (l *Listener) Close() {
	l.cancel()
	if err := l.srv.Close(); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		l.cfg.Logger.Debug("email: smtp close", "err", err)
	}
}

func (l *Listener) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{l: l, conn: c}, nil
}

// session is one SMTP connection's state between MAIL and DATA.
type session struct {
	l     *Listener
	conn  *smtp.Conn
	from  string
	rcpts []string
}

var (
	errNoSuchUser = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: "No such user here"}
	errTempFail = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message: "Temporary failure storing the message, please retry"}
)

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	s.rcpts = s.rcpts[:0]
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !s.l.cfg.Serves(to) {
		return errNoSuchUser
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}

// Data reads the whole message (go-smtp stops it at MaxMessageBytes with
// its own 552 error, which must be returned as is), stamps the trace
// headers and answers 250 only after the commit.
func (s *session) Data(r io.Reader) error {
	var body bytes.Buffer
	if _, err := body.ReadFrom(r); err != nil {
		if err == smtp.ErrDataTooLarge {
			s.l.cfg.Logger.Info("email: smtp message too large", "remote", s.remote())
			return err
		}
		return fmt.Errorf("reading message: %w", err)
	}
	env := s.envelope()
	raw := s.traced(env, body.Bytes())
	ctx, cancel := context.WithTimeout(s.l.ctx, s.l.cfg.CommitTimeout)
	defer cancel()
	if err := s.l.cfg.Committer.Commit(ctx, env, raw); err != nil {
		if rej, ok := isRejection(err); ok {
			return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: oneLine(rej.Reason)}
		}
		// The error may name tables or hosts: log it, tell the sender less.
		s.l.cfg.Logger.Warn("email: smtp commit failed", "remote", s.remote(), "err", err)
		return errTempFail
	}
	return nil
}

func (s *session) Reset() {
	s.from = ""
	s.rcpts = s.rcpts[:0]
}

func (s *session) Logout() error { return nil }

func (s *session) remote() string {
	if a := s.conn.Conn().RemoteAddr(); a != nil {
		return a.String()
	}
	return ""
}

func (s *session) envelope() Envelope {
	_, isTLS := s.conn.TLSConnectionState()
	return Envelope{
		Via:        "smtp",
		ReceivedAt: s.l.cfg.Now(),
		MailFrom:   s.from,
		Recipients: append([]string(nil), s.rcpts...),
		RemoteAddr: s.remote(),
		Helo:       s.conn.Hostname(),
		TLS:        isTLS,
	}
}

// traced prepends Return-Path and Received, as the final delivery server
// must (RFC 5321 §4.4). Return-Path also lets Parse see a null sender.
func (s *session) traced(env Envelope, body []byte) []byte {
	proto := "ESMTP"
	if env.TLS {
		proto = "ESMTPS"
	}
	host, _, err := net.SplitHostPort(env.RemoteAddr)
	if err != nil {
		host = env.RemoteAddr
	}
	var b bytes.Buffer
	b.Grow(len(body) + 256)
	fmt.Fprintf(&b, "Return-Path: <%s>\r\n", headerSafe(env.MailFrom))
	fmt.Fprintf(&b, "Received: from %s ([%s])\r\n\tby %s with %s;\r\n\t%s\r\n",
		headerSafe(env.Helo), host, s.l.cfg.Domain, proto,
		env.ReceivedAt.Format(time.RFC1123Z))
	b.Write(body)
	return b.Bytes()
}

// headerSafe keeps a peer-supplied value from breaking out of its header.
func headerSafe(v string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == '<' || r == '>' {
			return -1
		}
		return r
	}, v)
}

// slogPrinter routes go-smtp's log lines (connection errors) to slog.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Printf(format string, v ...any) {
	p.log.Debug("email: smtp: " + fmt.Sprintf(format, v...))
}

func (p slogPrinter) Println(v ...any) {
	p.log.Debug("email: smtp: " + strings.TrimSpace(fmt.Sprintln(v...)))
}
