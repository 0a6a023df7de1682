package email

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
)

// Config is the email channel's configuration, read once by cmd/hub.
type Config struct {
	Address    mail.Address // EMAIL_ADDRESS: the support address, maybe with a display name
	SMTPListen string       // EMAIL_SMTP_LISTEN: the SMTP intake's listen address, e.g. ":2525"
	// EMAIL_SMTP_TLS_CERT and EMAIL_SMTP_TLS_KEY: PEM files; when both are
	// set the listener offers STARTTLS (see ListenerTLS).
	SMTPCertFile, SMTPKeyFile string
	IMAP                      *IMAPConfig // EMAIL_IMAP_URL; nil when unset
	SMTP                      *SMTPConfig // EMAIL_SMTP_URL; nil when unset
}

// IMAPConfig is a mailbox to poll: imaps://user:pass@host[:993]/INBOX
// (implicit TLS) or imap://... (STARTTLS on 143), with ?move=Folder to move
// processed mail there instead of flagging it \Seen.
type IMAPConfig struct {
	Host        string
	Port        int
	ImplicitTLS bool
	Username    string
	Password    string
	Mailbox     string // default INBOX
	MoveTo      string // "" flags processed mail \Seen
}

// SMTPConfig is the outbound submission server: smtp://user:pass@host:587
// (STARTTLS, required) or smtps://user:pass@host:465 (implicit TLS).
// Without a user no AUTH is attempted.
type SMTPConfig struct {
	Host        string
	Port        int
	ImplicitTLS bool
	Username    string
	Password    string
}

// Addr is host:port.
func (c IMAPConfig) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// String is the URL with the password masked, safe for logs.
func (c IMAPConfig) String() string {
	scheme := "imap"
	if c.ImplicitTLS {
		scheme = "imaps"
	}
	return redactedURL(scheme, c.Username, c.Addr(), "/"+c.Mailbox)
}

// Addr is host:port.
func (c SMTPConfig) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// String is the URL with the password masked, safe for logs.
func (c SMTPConfig) String() string {
	scheme := "smtp"
	if c.ImplicitTLS {
		scheme = "smtps"
	}
	return redactedURL(scheme, c.Username, c.Addr(), "")
}

func redactedURL(scheme, user, hostport, path string) string {
	u := url.URL{Scheme: scheme, Host: hostport, Path: path}
	if user != "" {
		u.User = url.UserPassword(user, "xxxxx")
	}
	return u.String()
}

// ConfigError names the variable that is wrong and why. It never holds
// the variable's value, which may carry a password.
type ConfigError struct {
	Var    string
	Reason string
}

func (e *ConfigError) Error() string { return "email: " + e.Var + ": " + e.Reason }

// ConfigFromEnv reads the EMAIL_* variables through getenv (os.Getenv in
// cmd/hub). Without EMAIL_ADDRESS the channel is off unless a stored
// connection names one; only the listener's settings are kept then.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var c Config
	addr := strings.TrimSpace(getenv("EMAIL_ADDRESS"))
	c.SMTPListen = strings.TrimSpace(getenv("EMAIL_SMTP_LISTEN"))
	c.SMTPCertFile = strings.TrimSpace(getenv("EMAIL_SMTP_TLS_CERT"))
	c.SMTPKeyFile = strings.TrimSpace(getenv("EMAIL_SMTP_TLS_KEY"))
	imapURL, smtpURL := getenv("EMAIL_IMAP_URL"), getenv("EMAIL_SMTP_URL")

	// The listener is this process's: it is read even without an address,
	// which a stored connection (hub connect email) may give instead.
	if c.SMTPListen != "" {
		if _, port, err := net.SplitHostPort(c.SMTPListen); err != nil || !validPort(port, true) {
			return Config{}, &ConfigError{"EMAIL_SMTP_LISTEN", "want host:port, e.g. :2525"}
		}
	}
	if (c.SMTPCertFile == "") != (c.SMTPKeyFile == "") {
		return Config{}, &ConfigError{"EMAIL_SMTP_TLS_CERT", "EMAIL_SMTP_TLS_CERT and EMAIL_SMTP_TLS_KEY go together"}
	}
	if addr == "" {
		for _, v := range []string{"EMAIL_IMAP_URL", "EMAIL_SMTP_URL"} {
			if getenv(v) != "" {
				return Config{}, &ConfigError{"EMAIL_ADDRESS", "required when " + v + " is set"}
			}
		}
		return c, nil
	}
	a, err := mail.ParseAddress(addr)
	if err != nil {
		return Config{}, &ConfigError{"EMAIL_ADDRESS", "not an email address"}
	}
	if local, _, ok := splitAddr(a.Address); !ok || strings.Contains(local, "+") {
		return Config{}, &ConfigError{"EMAIL_ADDRESS", "must be local@domain without a +tag"}
	}
	c.Address = *a
	if imapURL != "" {
		if c.IMAP, err = parseIMAPURL(imapURL); err != nil {
			return Config{}, err
		}
	}
	if smtpURL != "" {
		if c.SMTP, err = parseSMTPURL(smtpURL); err != nil {
			return Config{}, err
		}
	}
	return c, nil
}

// ListenerTLS loads the listener's certificate, or returns nil (no
// STARTTLS) when none is configured.
func (c Config) ListenerTLS() (*tls.Config, error) {
	if c.SMTPCertFile == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(c.SMTPCertFile, c.SMTPKeyFile)
	if err != nil {
		return nil, &ConfigError{"EMAIL_SMTP_TLS_CERT", fmt.Sprintf("cannot load the key pair: %v", err)}
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

func parseIMAPURL(raw string) (*IMAPConfig, error) {
	const v = "EMAIL_IMAP_URL"
	u, err := serverURL(v, raw, map[string]int{"imaps": 993, "imap": 143}, true)
	if err != nil {
		return nil, err
	}
	c := &IMAPConfig{Host: u.host, Port: u.port, ImplicitTLS: u.scheme == "imaps",
		Username: u.user, Password: u.pass, Mailbox: "INBOX"}
	if p := strings.Trim(u.path, "/"); p != "" {
		c.Mailbox = p
	}
	for k, vals := range u.query {
		if k != "move" {
			return nil, &ConfigError{v, fmt.Sprintf("unknown parameter %q (only move=Folder)", k)}
		}
		c.MoveTo = strings.TrimSpace(vals[0])
	}
	return c, nil
}

func parseSMTPURL(raw string) (*SMTPConfig, error) {
	const v = "EMAIL_SMTP_URL"
	u, err := serverURL(v, raw, map[string]int{"smtps": 465, "smtp": 587}, false)
	if err != nil {
		return nil, err
	}
	if u.path != "" && u.path != "/" || len(u.query) > 0 {
		return nil, &ConfigError{v, "takes no path or parameters"}
	}
	return &SMTPConfig{Host: u.host, Port: u.port, ImplicitTLS: u.scheme == "smtps",
		Username: u.user, Password: u.pass}, nil
}

type parsedURL struct {
	scheme, host, user, pass, path string
	port                           int
	query                          url.Values
}

// serverURL checks the parts every server URL shares. Its errors never
// quote the URL: url.Parse's would, password and all.
func serverURL(v, raw string, ports map[string]int, needUser bool) (parsedURL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	// A raw '#' in a password starts a fragment and leaves a URL that
	// parses but means something else.
	if err != nil || u.Fragment != "" {
		return parsedURL{}, &ConfigError{v, "not a valid URL (percent-encode special characters in the user and password)"}
	}
	var p parsedURL
	p.scheme = strings.ToLower(u.Scheme)
	def, ok := ports[p.scheme]
	if !ok {
		return parsedURL{}, &ConfigError{v, fmt.Sprintf("scheme must be one of %s", schemes(ports))}
	}
	p.host, p.port = u.Hostname(), def
	if p.host == "" {
		return parsedURL{}, &ConfigError{v, "no host"}
	}
	if ps := u.Port(); ps != "" {
		if !validPort(ps, false) {
			return parsedURL{}, &ConfigError{v, "bad port"}
		}
		p.port, _ = strconv.Atoi(ps)
	}
	if u.User != nil {
		p.user = u.User.Username()
		p.pass, _ = u.User.Password()
	}
	if (needUser || p.user != "") && (p.user == "" || p.pass == "") {
		return parsedURL{}, &ConfigError{v, "needs user:password@ before the host"}
	}
	p.path = u.Path
	p.query, err = url.ParseQuery(u.RawQuery)
	if err != nil {
		return parsedURL{}, &ConfigError{v, "bad query parameters"}
	}
	return p, nil
}

func schemes(ports map[string]int) string {
	var s []string
	for k := range ports {
		s = append(s, k+"://")
	}
	if len(s) == 2 && s[0] > s[1] {
		s[0], s[1] = s[1], s[0]
	}
	return strings.Join(s, " or ")
}

func validPort(s string, zeroOK bool) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n <= 65535 && (n > 0 || zeroOK && n == 0)
}
