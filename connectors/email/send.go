package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Sender sends Outgoing messages through the shop's mail provider, one
// connection per message (support replies are few; a pool would only hold
// idle connections the provider closes anyway).
type Sender struct {
	Composer
	smtp    SMTPConfig
	tls     *tls.Config
	timeout time.Duration
}

// SenderOption adjusts a Sender.
type SenderOption func(*Sender)

// WithTLSConfig sets the TLS configuration (tests trust their own CA with
// it); ServerName defaults to the SMTP host.
func WithTLSConfig(c *tls.Config) SenderOption { return func(s *Sender) { s.tls = c.Clone() } }

// WithTimeout bounds dialling and each SMTP command (default 30 s).
func WithTimeout(d time.Duration) SenderOption { return func(s *Sender) { s.timeout = d } }

// NewSender sends through cfg (from EMAIL_SMTP_URL) as c.From.
func NewSender(cfg SMTPConfig, c Composer, opts ...SenderOption) *Sender {
	s := &Sender{Composer: c, smtp: cfg, timeout: 30 * time.Second}
	for _, o := range opts {
		o(s)
	}
	if s.tls == nil {
		s.tls = &tls.Config{}
	}
	if s.tls.ServerName == "" {
		s.tls.ServerName = cfg.Host
	}
	if s.tls.MinVersion == 0 {
		s.tls.MinVersion = tls.VersionTLS12
	}
	return s
}

// Send composes o and delivers it; it returns the Message-ID sent. A
// failure is a *SendError: Temporary ones (4xx answers, network trouble)
// are worth retrying with backoff, the others never succeed as they are.
func (s *Sender) Send(ctx context.Context, o Outgoing) (string, error) {
	m, id, err := s.msg(o)
	if err != nil {
		return "", &SendError{Err: err}
	}
	_, domain, _ := splitAddr(s.From.Address)
	opts := []gomail.Option{
		gomail.WithPort(s.smtp.Port),
		gomail.WithTimeout(s.timeout),
		gomail.WithTLSConfig(s.tls),
		gomail.WithHELO(domain),
	}
	if s.smtp.ImplicitTLS {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.smtp.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.smtp.Username), gomail.WithPassword(s.smtp.Password))
	}
	c, err := gomail.NewClient(s.smtp.Host, opts...)
	if err != nil {
		return "", &SendError{Err: fmt.Errorf("smtp client: %w", err)}
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return "", classifySend(err)
	}
	return id, nil
}

// SendError is a failed send. Code is the server's SMTP reply code when
// it answered (0 otherwise).
type SendError struct {
	Temporary bool
	Code      int
	Err       error
}

func (e *SendError) Error() string {
	kind := "permanent"
	if e.Temporary {
		kind = "temporary"
	}
	return fmt.Sprintf("email: send (%s): %v", kind, e.Err)
}

func (e *SendError) Unwrap() error { return e.Err }

// IsTemporary reports whether a Send error is worth retrying.
func IsTemporary(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Temporary
}

// classifySend sorts a go-mail error: the server's reply code decides when
// there is one; refused certificates and missing STARTTLS or AUTH are
// configuration, hence permanent; anything else (timeouts, resets, refused
// connections) is the network and temporary.
func classifySend(err error) *SendError {
	se := &SendError{Err: err, Temporary: true}
	var gse *gomail.SendError
	var tpe *textproto.Error
	switch {
	case errors.As(err, &gse):
		if code := gse.ErrorCode(); code >= 400 {
			se.Code, se.Temporary = code, code < 500
			return se
		}
		switch gse.Reason {
		case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
			se.Temporary = false
		}
	case errors.As(err, &tpe):
		se.Code, se.Temporary = tpe.Code, tpe.Code < 500
	case isCertError(err):
		se.Temporary = false
	case errors.Is(err, gomail.ErrPlainAuthNotSupported), errors.Is(err, gomail.ErrLoginAuthNotSupported):
		se.Temporary = false
	default:
		var ne net.Error
		if !errors.As(err, &ne) && isConfigMessage(err.Error()) {
			se.Temporary = false
		}
	}
	return se
}

func isCertError(err error) bool {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci)
}

// isConfigMessage spots go-mail's plain-text errors for a server that
// lacks what the URL demands.
func isConfigMessage(msg string) bool {
	for _, s := range []string{"does not support STARTTLS", "does not support SMTP AUTH"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
