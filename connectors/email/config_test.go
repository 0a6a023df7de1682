package email

import (
	"errors"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigFromEnv(t *testing.T) {
	const pw = "p@ss/w#rd"
	tests := []struct {
		name    string
		vars    map[string]string
		check   func(t *testing.T, c Config)
		errVar  string // the ConfigError's Var, "" for success
		errText string
	}{
		{name: "nothing set is off", vars: nil, check: func(t *testing.T, c Config) {
			if c.Address.Address != "" || c.IMAP != nil || c.SMTP != nil {
				t.Errorf("%+v", c)
			}
		}},
		{name: "everything", vars: map[string]string{
			"EMAIL_ADDRESS":     "Shop Support <Support@Shop.Example>",
			"EMAIL_SMTP_LISTEN": ":2525",
			"EMAIL_IMAP_URL":    "imaps://support%40shop.example:p%40ss%2Fw%23rd@imap.example.com/Support%2FInbox?move=Processed",
			"EMAIL_SMTP_URL":    "smtp://support%40shop.example:p%40ss%2Fw%23rd@smtp.example.com",
		}, check: func(t *testing.T, c Config) {
			if c.Address.Name != "Shop Support" || c.Address.Address != "Support@Shop.Example" || c.SMTPListen != ":2525" {
				t.Errorf("address %+v listen %q", c.Address, c.SMTPListen)
			}
			want := IMAPConfig{Host: "imap.example.com", Port: 993, ImplicitTLS: true, Username: "support@shop.example",
				Password: pw, Mailbox: "Support/Inbox", MoveTo: "Processed"}
			if *c.IMAP != want {
				t.Errorf("imap %+v", *c.IMAP)
			}
			if s := *c.SMTP; s != (SMTPConfig{Host: "smtp.example.com", Port: 587, Username: "support@shop.example", Password: pw}) {
				t.Errorf("smtp %+v", s)
			}
			if strings.Contains(c.IMAP.String()+c.SMTP.String(), "w#rd") || !strings.Contains(c.IMAP.String(), "imaps://") {
				t.Errorf("String leaks or breaks: %s %s", c.IMAP, c.SMTP)
			}
		}},
		{name: "imap defaults and smtps", vars: map[string]string{
			"EMAIL_ADDRESS":  "support@shop.example",
			"EMAIL_IMAP_URL": "imap://u:p@imap.example.com:1143",
			"EMAIL_SMTP_URL": "smtps://u:p@smtp.example.com",
		}, check: func(t *testing.T, c Config) {
			if c.IMAP.Mailbox != "INBOX" || c.IMAP.Port != 1143 || c.IMAP.ImplicitTLS || c.IMAP.MoveTo != "" {
				t.Errorf("imap %+v", *c.IMAP)
			}
			if !c.SMTP.ImplicitTLS || c.SMTP.Port != 465 {
				t.Errorf("smtp %+v", *c.SMTP)
			}
		}},
		{name: "relay without auth", vars: map[string]string{
			"EMAIL_ADDRESS": "support@shop.example", "EMAIL_SMTP_URL": "smtp://relay.internal:25",
		}, check: func(t *testing.T, c Config) {
			if c.SMTP.Username != "" || c.SMTP.Port != 25 {
				t.Errorf("%+v", *c.SMTP)
			}
		}},
		{name: "address missing", vars: map[string]string{"EMAIL_IMAP_URL": "imaps://u:" + pw + "@h/"}, errVar: "EMAIL_ADDRESS"},
		{name: "address bad", vars: map[string]string{"EMAIL_ADDRESS": "not an address"}, errVar: "EMAIL_ADDRESS"},
		{name: "address with tag", vars: map[string]string{"EMAIL_ADDRESS": "support+x@shop.example"}, errVar: "EMAIL_ADDRESS"},
		{name: "listen bad", vars: map[string]string{"EMAIL_ADDRESS": "s@x.example", "EMAIL_SMTP_LISTEN": "2525"}, errVar: "EMAIL_SMTP_LISTEN"},
		{name: "cert without key", vars: map[string]string{"EMAIL_ADDRESS": "s@x.example", "EMAIL_SMTP_TLS_CERT": "c.pem"}, errVar: "EMAIL_SMTP_TLS_CERT"},
		{name: "imap unparseable keeps the password out", vars: map[string]string{
			"EMAIL_ADDRESS": "s@x.example", "EMAIL_IMAP_URL": "imaps://user:" + pw + "@host:99999/INBOX"}, errVar: "EMAIL_IMAP_URL"},
		{name: "imap wrong scheme", vars: map[string]string{
			"EMAIL_ADDRESS": "s@x.example", "EMAIL_IMAP_URL": "https://u:secretpw@host/"}, errVar: "EMAIL_IMAP_URL", errText: "imap:// or imaps://"},
		{name: "imap without password", vars: map[string]string{
			"EMAIL_ADDRESS": "s@x.example", "EMAIL_IMAP_URL": "imaps://u@host/"}, errVar: "EMAIL_IMAP_URL"},
		{name: "imap unknown parameter", vars: map[string]string{
			"EMAIL_ADDRESS": "s@x.example", "EMAIL_IMAP_URL": "imaps://u:secretpw@host/?delete=1"}, errVar: "EMAIL_IMAP_URL"},
		{name: "imap no host", vars: map[string]string{
			"EMAIL_ADDRESS": "s@x.example", "EMAIL_IMAP_URL": "imaps://u:secretpw@/INBOX"}, errVar: "EMAIL_IMAP_URL"},
		{name: "smtp bad port", vars: map[string]string{
			"EMAIL_ADDRESS": "s@x.example", "EMAIL_SMTP_URL": "smtp://u:secretpw@host:0"}, errVar: "EMAIL_SMTP_URL"},
		{name: "smtp user without password", vars: map[string]string{
			"EMAIL_ADDRESS": "s@x.example", "EMAIL_SMTP_URL": "smtp://u@host"}, errVar: "EMAIL_SMTP_URL"},
		{name: "smtp with path", vars: map[string]string{
			"EMAIL_ADDRESS": "s@x.example", "EMAIL_SMTP_URL": "smtp://u:secretpw@host/x"}, errVar: "EMAIL_SMTP_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ConfigFromEnv(env(tt.vars))
			if tt.errVar == "" {
				if err != nil {
					t.Fatal(err)
				}
				tt.check(t, c)
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Var != tt.errVar || !strings.Contains(err.Error(), tt.errText) {
				t.Fatalf("error %v, want one about %s", err, tt.errVar)
			}
			if strings.Contains(err.Error(), "w#rd") || strings.Contains(err.Error(), "secretpw") {
				t.Errorf("password in %q", err)
			}
		})
	}
}

func TestListenerTLSConfig(t *testing.T) {
	if c, err := (Config{}).ListenerTLS(); c != nil || err != nil {
		t.Errorf("no cert: %v %v", c, err)
	}
	_, err := Config{SMTPCertFile: "/nonexistent.pem", SMTPKeyFile: "/nonexistent.key"}.ListenerTLS()
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Errorf("missing files: %v", err)
	}
}
