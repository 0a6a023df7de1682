package email_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"os"

	"hub/connectors/email"
)

// This is the wiring cmd/hub does: configuration, the SMTP intake, the
// IMAP poller and the sender. commit stands for the hub's Postgres insert
// and cursors for its cursor table.
func Example_wiring() {
	cfg, err := email.ConfigFromEnv(os.Getenv)
	if err != nil || cfg.Address.Address == "" {
		return // a ConfigError names the variable, never its value
	}
	key := []byte("derived from HUB_SECRET_KEY, 32 bytes")
	addrs, err := email.NewReplyAddresses(cfg.Address.Address, key)
	if err != nil {
		log.Fatal(err)
	}
	commit := email.CommitFunc(func(ctx context.Context, env email.Envelope, raw []byte) error {
		return nil // INSERT the raw message; an error means 451 / retry later
	})

	if cfg.SMTPListen != "" {
		tlsConf, err := cfg.ListenerTLS()
		if err != nil {
			log.Fatal(err)
		}
		l, err := email.NewListener(email.ListenerConfig{
			Domain: "mx.shop.example", Serves: addrs.Serves, Committer: commit, TLS: tlsConf})
		if err != nil {
			log.Fatal(err)
		}
		ln, err := net.Listen("tcp", cfg.SMTPListen)
		if err != nil {
			log.Fatal(err)
		}
		go l.Serve(ln) // l.Shutdown(ctx) on SIGTERM
	}
	if cfg.IMAP != nil {
		var cursors email.CursorStore // the hub's Postgres table
		p, err := email.NewPoller(email.PollerConfig{IMAP: *cfg.IMAP, Committer: commit, Cursors: cursors})
		if err != nil {
			log.Fatal(err)
		}
		go p.Run(context.Background())
	}

	// Later, a worker reads a recorded message ...
	m, err := email.Parse([]byte("From: a@example.com\r\nSubject: Re: [T-1042] hi\r\n\r\nthanks\r\n"),
		email.ParseOptions{MaxAttachmentBytes: 10 << 20})
	if err != nil {
		log.Fatal(err)
	}
	n, fromSubject := email.SubjectTicket(m.Subject)
	fmt.Println(m.Class, m.Reply, n, fromSubject)

	// ... and the outbox sends the agent's answer.
	if cfg.SMTP != nil {
		s := email.NewSender(*cfg.SMTP, email.Composer{From: cfg.Address})
		id := s.NewMessageID() // store it with the outbox row first
		_, err := s.Send(context.Background(), email.Outgoing{MessageID: id, To: nil, ReplyTo: addrs.For(1042),
			Subject: "Re: [T-1042] hi", Text: "Hello", InReplyTo: m.MessageID, References: m.References})
		if email.IsTemporary(err) {
			fmt.Println("retry with backoff")
		}
	}
}
