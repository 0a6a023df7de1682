package emailtest

import (
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Delivery is one message the Outbox accepted.
type Delivery struct {
	From string   // MAIL FROM
	To   []string // RCPT TO
	Raw  []byte   // the message as received
	TLS  bool     // it came over TLS (STARTTLS or implicit)
	User string   // the AUTH user, "" without AUTH
}

// OutboxConfig shapes the Outbox.
type OutboxConfig struct {
	TLS         *tls.Config // required: submission without TLS is not tested
	ImplicitTLS bool        // smtps (465) instead of STARTTLS (587)
	Username    string      // when set, AUTH PLAIN with Password is required
	Password    string
}

// Outbox is an SMTP submission server on 127.0.0.1 that keeps what it gets.
type Outbox struct {
	Addr string // host:port

	srv  *smtp.Server
	cfg  OutboxConfig
	mu   sync.Mutex
	msgs []Delivery
	fail []*smtp.SMTPError
}

// StartOutbox listens on a free port and serves until Close.
func StartOutbox(cfg OutboxConfig) (*Outbox, error) {
	if cfg.TLS == nil {
		return nil, errors.New("emailtest: outbox needs TLS")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("emailtest: listen: %w", err)
	}
	o := &Outbox{Addr: ln.Addr().String(), cfg: cfg}
	o.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &outboxSession{o: o, conn: c}, nil
	}))
	o.srv.Domain = "outbox.test"
	o.srv.ErrorLog = quietLog{}
	if cfg.ImplicitTLS {
		ln = tls.NewListener(ln, cfg.TLS)
	} else {
		o.srv.TLSConfig = cfg.TLS
	}
	go func() { _ = o.srv.Serve(ln) }()
	return o, nil
}

// Messages returns a copy of what was accepted so far, in order.
func (o *Outbox) Messages() []Delivery {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Delivery(nil), o.msgs...)
}

// FailNext makes the next message's DATA answer code (e.g. 451 or 554)
// instead of 250; calls queue up.
func (o *Outbox) FailNext(code int, message string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fail = append(o.fail, &smtp.SMTPError{Code: code,
		EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: message})
}

// Close stops the server.
func (o *Outbox) Close() error { return o.srv.Close() }

type outboxSession struct {
	o    *Outbox
	conn *smtp.Conn
	user string
	d    Delivery
}

func (s *outboxSession) AuthMechanisms() []string {
	if s.o.cfg.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *outboxSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.o.cfg.Username || subtle.ConstantTimeCompare([]byte(pass), []byte(s.o.cfg.Password)) != 1 {
			return smtp.ErrAuthFailed
		}
		s.user = user
		return nil
	}), nil
}

func (s *outboxSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.o.cfg.Username != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.d = Delivery{From: from, TLS: isTLS, User: s.user}
	return nil
}

func (s *outboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.d.To = append(s.d.To, to)
	return nil
}

func (s *outboxSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.o.mu.Lock()
	defer s.o.mu.Unlock()
	if len(s.o.fail) > 0 {
		f := s.o.fail[0]
		s.o.fail = s.o.fail[1:]
		return f
	}
	s.d.Raw = raw
	s.o.msgs = append(s.o.msgs, s.d)
	return nil
}

func (s *outboxSession) Reset()        { s.d = Delivery{} }
func (s *outboxSession) Logout() error { return nil }

// quietLog drops go-smtp's connection chatter.
type quietLog struct{}

func (quietLog) Printf(string, ...any) {}
func (quietLog) Println(...any)        {}
