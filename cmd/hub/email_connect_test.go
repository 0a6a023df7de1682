package main

import (
	"context"
	"strings"
	"testing"

	"hub/connectors/email/emailtest"
	"hub/tickets/postgres/pgtest"
)

func TestLoadEmailConfig(t *testing.T) {
	for _, tt := range []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"off", nil, ""},
		{"all set", map[string]string{"EMAIL_ADDRESS": "support@shop.example", "EMAIL_SMTP_LISTEN": ":2525",
			"EMAIL_IMAP_URL": "imaps://u:p@imap.example/INBOX", "EMAIL_SMTP_URL": "smtp://u:p@smtp.example:587",
			"EMAIL_MAX_ATTACHMENT_BYTES": "0", "EMAIL_ACK": "yes"}, ""},
		{"listener for a stored connection", map[string]string{"EMAIL_SMTP_LISTEN": ":2525",
			"EMAIL_SMTP_TLS_CERT": "c.pem", "EMAIL_SMTP_TLS_KEY": "k.pem"}, ""},
		{"urls without an address", map[string]string{"EMAIL_SMTP_URL": "smtp://u:p@smtp.example"}, "EMAIL_ADDRESS"},
		{"bad address", map[string]string{"EMAIL_ADDRESS": "support+x@shop.example"}, "EMAIL_ADDRESS"},
		{"bad listen", map[string]string{"EMAIL_SMTP_LISTEN": "2525"}, "EMAIL_SMTP_LISTEN"},
		{"password not leaked", map[string]string{"EMAIL_ADDRESS": "support@shop.example", "EMAIL_IMAP_URL": "ftp://u:hunter2@x"}, "EMAIL_IMAP_URL"},
		{"bad attempts", map[string]string{"EMAIL_SEND_ATTEMPTS": "0"}, "EMAIL_SEND_ATTEMPTS"},
		{"bad ack", map[string]string{"EMAIL_ACK": "maybe"}, "EMAIL_ACK"},
		{"bad cap", map[string]string{"EMAIL_MAX_ATTACHMENT_BYTES": "-1"}, "EMAIL_MAX_ATTACHMENT_BYTES"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadConfig(envOf(tt.env))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one naming %s", err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), "hunter2"):
				t.Errorf("the error quotes the password: %v", err)
			}
			if tt.name == "all set" && (c.Email.IMAP == nil || c.Email.SMTP == nil || !c.Email.Ack || c.Email.MaxAttachmentBytes != 0) {
				t.Errorf("config %+v", c.Email)
			}
			if tt.name == "listener for a stored connection" && (c.Email.SMTPListen != ":2525" ||
				c.Email.SMTPCertFile != "c.pem" || c.Email.SMTPKeyFile != "k.pem" || c.Email.Address.Address != "") {
				t.Errorf("the listener's settings without an address: %+v", c.Email.Config)
			}
		})
	}
}

// hub connect email checks the mailbox, stores it with its password
// sealed, and a hub started later with no EMAIL_* address uses it.
func TestConnectEmail(t *testing.T) {
	env, _, certs := emailEnv(t)
	srv, err := emailtest.StartIMAP(certs.Server, "support", "imap-pass-s3cret")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	dbURL := pgtest.URL(t)
	base := map[string]string{"DATABASE_URL": dbURL, "HUB_SECRET_KEY": env["HUB_SECRET_KEY"], "EMAIL_TLS_CA_FILE": env["EMAIL_TLS_CA_FILE"]}
	h := bootEmailHub(t, base)
	if h.app.email != nil {
		t.Fatal("email on without an address")
	}
	imapURL := "imaps://support:imap-pass-s3cret@" + srv.Addr + "/INBOX"
	for _, args := range [][]string{
		{},
		{"--address", supportAddr},
		{"--address", "not an address", "--imap-url", imapURL},
		{"--address", supportAddr, "--imap-url", "imaps://nopass@" + srv.Addr},
		{"--address", supportAddr, "--imap-url", imapURL, "extra"},
	} {
		var ue usageError
		if err := h.app.connectEmail(context.Background(), args, &strings.Builder{}); !errorsAs(err, &ue) {
			t.Errorf("connect %v: %v; want a usage error", args, err)
		}
	}
	err = h.app.connectEmail(context.Background(), []string{"--address", supportAddr, "--imap-url", strings.Replace(imapURL, "s3cret", "wrong", 1)}, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "could not log in") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("a wrong password: %v", err)
	}
	var out strings.Builder
	if err := h.app.connectEmail(context.Background(), []string{"--address", supportAddr, "--imap-url", imapURL, "--smtp-url", env["EMAIL_SMTP_URL"]}, &out); err != nil {
		t.Fatalf("connect: %v", err)
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Errorf("the output shows the password: %s", out.String())
	}
	if n := countRows(t, dbURL, `select count(*) from connections where kind = 'email' and secrets is not null and position('s3cret'::bytea in secrets) = 0`); n != 1 {
		t.Errorf("%d email connections with the password sealed, want 1", n)
	}
	h.stop()

	// A hub started on the stored connection polls that mailbox.
	if _, err := srv.Append("INBOX", []byte(mailText("ivy@customer.test", supportAddr, "Hello", "ivy1@customer.test", "", "Via IMAP."))); err != nil {
		t.Fatal(err)
	}
	h2 := bootEmailHub(t, base)
	if h2.app.email == nil || h2.app.email.replies == nil {
		t.Fatal("the stored connection was not used")
	}
	h2.waitTicket(t, "ivy@customer.test")
}
