package email

import (
	"context"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"hub/connectors/email/emailtest"
)

// startOutbox runs a submission server that keeps what it gets, and a
// Sender pointed at it.
func startOutbox(t *testing.T, implicit bool, user, pass string) (*emailtest.Outbox, *Sender) {
	t.Helper()
	certs, err := emailtest.NewTLS(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	o, err := emailtest.StartOutbox(emailtest.OutboxConfig{TLS: certs.Server, ImplicitTLS: implicit, Username: "shop", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o, NewSender(smtpConfigFor(t, o.Addr, implicit, user, pass), testComposer(), WithTLSConfig(certs.Client), WithTimeout(10*time.Second))
}

func smtpConfigFor(t *testing.T, addr string, implicit bool, user, pass string) SMTPConfig {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return SMTPConfig{Host: host, Port: p, ImplicitTLS: implicit, Username: user, Password: pass}
}

func reply() Outgoing {
	return Outgoing{
		To:         []mail.Address{{Name: "Ann Lee", Address: "ann.lee@gmail.com"}},
		Cc:         []mail.Address{{Address: "ann.work@example.com"}},
		ReplyTo:    "support+t1041.qrstuvwxyzabcdef@shop.example",
		Subject:    "Re: [T-1041] Where is my order #1001?",
		Text:       "It shipped today.",
		HTML:       "<p>It shipped today.</p>",
		InReplyTo:  "CAF7sQ1xq0M9kA5b+Vz4oA@mail.gmail.com",
		References: []string{"CAF7sQ1xq0M9kA5b+Vz4oA@mail.gmail.com"},
		Attachments: []OutAttachment{{Filename: "label.pdf", ContentType: "application/pdf",
			Data: []byte("%PDF-1.4\n%%EOF\n")}},
	}
}

func TestSendDelivers(t *testing.T) {
	for _, implicit := range []bool{false, true} {
		t.Run(map[bool]string{false: "smtp STARTTLS", true: "smtps"}[implicit], func(t *testing.T) {
			o, s := startOutbox(t, implicit, "shop", "s3cret")
			id, err := s.Send(context.Background(), reply())
			if err != nil {
				t.Fatal(err)
			}
			got := o.Messages()
			if len(got) != 1 {
				t.Fatalf("%d messages", len(got))
			}
			d := got[0]
			if !d.TLS || d.User != "shop" || d.From != "support@shop.example" ||
				strings.Join(d.To, ",") != "ann.lee@gmail.com,ann.work@example.com" {
				t.Errorf("delivery %+v", d)
			}
			m, err := Parse(d.Raw, ParseOptions{MaxAttachmentBytes: 1 << 10})
			if err != nil {
				t.Fatal(err)
			}
			if m.MessageID != id || !strings.HasSuffix(id, "@shop.example") || m.Text != "It shipped today." ||
				strings.Join(m.InReplyTo, "") != "CAF7sQ1xq0M9kA5b+Vz4oA@mail.gmail.com" ||
				m.ReplyTo[0].Address != "support+t1041.qrstuvwxyzabcdef@shop.example" ||
				len(m.Attachments) != 1 || string(m.Attachments[0].Data) != "%PDF-1.4\n%%EOF\n" ||
				m.Date.IsZero() {
				t.Errorf("received %+v", m)
			}
		})
	}
}

// TestSendErrors: the hub retries temporary failures and shows permanent
// ones; the error never carries the password.
func TestSendErrors(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(t *testing.T) *Sender
		temporary bool
		code      int
	}{
		{"4xx answer", func(t *testing.T) *Sender {
			o, s := startOutbox(t, false, "shop", "s3cret")
			o.FailNext(451, "try again later")
			return s
		}, true, 451},
		{"5xx answer", func(t *testing.T) *Sender {
			o, s := startOutbox(t, false, "shop", "s3cret")
			o.FailNext(554, "message refused")
			return s
		}, false, 554},
		{"wrong password", func(t *testing.T) *Sender {
			_, s := startOutbox(t, true, "shop", "wrong-password")
			return s
		}, false, 535},
		{"nobody listening", func(t *testing.T) *Sender {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			ln.Close()
			return NewSender(smtpConfigFor(t, addr, true, "shop", "wrong-password"), testComposer(), WithTimeout(5*time.Second))
		}, true, 0},
		{"untrusted certificate", func(t *testing.T) *Sender {
			o, _ := startOutbox(t, true, "shop", "wrong-password")
			return NewSender(smtpConfigFor(t, o.Addr, true, "shop", "wrong-password"), testComposer(), WithTimeout(5*time.Second))
		}, false, 0},
		{"no recipient", func(t *testing.T) *Sender {
			_, s := startOutbox(t, false, "shop", "wrong-password")
			return s
		}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := reply()
			if tt.name == "no recipient" {
				out.To = nil
			}
			_, err := tt.setup(t).Send(context.Background(), out)
			se, ok := err.(*SendError)
			if !ok {
				t.Fatalf("error %T %v", err, err)
			}
			if se.Temporary != tt.temporary || IsTemporary(err) != tt.temporary || se.Code != tt.code {
				t.Errorf("temporary=%v code=%d, want %v %d: %v", se.Temporary, se.Code, tt.temporary, tt.code, err)
			}
			if strings.Contains(err.Error(), "wrong-password") || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("password in %v", err)
			}
		})
	}
}
