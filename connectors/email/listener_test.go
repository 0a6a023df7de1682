package email

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"hub/connectors/email/emailtest"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// recorder is a Committer that keeps what it is given and answers with err.
type recorder struct {
	mu   sync.Mutex
	envs []Envelope
	raws [][]byte
	err  error
}

func (r *recorder) Commit(_ context.Context, env Envelope, raw []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.envs = append(r.envs, env)
	r.raws = append(r.raws, append([]byte(nil), raw...))
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.raws)
}

var fixedNow = time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC)

// startListener serves cfg on a free loopback port until the test ends.
func startListener(t testing.TB, cfg ListenerConfig) string {
	t.Helper()
	ra, err := NewReplyAddresses("support@shop.example", testKey)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Domain, cfg.Serves, cfg.Now = "mx.shop.example", ra.Serves, func() time.Time { return fixedNow }
	l, err := NewListener(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- l.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := l.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

func smtpCode(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

const inbound = "From: Ann <ann@example.com>\r\nTo: support@shop.example\r\nSubject: help\r\n" +
	"Message-ID: <m1@example.com>\r\n\r\nMy kettle leaks.\r\n.hidden dot line\r\n"

func TestListenerCommitsBeforeAnswering(t *testing.T) {
	certs, err := emailtest.NewTLS(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	rec := &recorder{}
	commit := CommitFunc(func(ctx context.Context, env Envelope, raw []byte) error {
		close(entered)
		<-release
		return rec.Commit(ctx, env, raw)
	})
	addr := startListener(t, ListenerConfig{Committer: commit, TLS: certs.Server, MaxMessageBytes: 1 << 20})

	c, err := smtp.DialStartTLS(addr, certs.Client)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, size := c.Extension("SIZE"); !ok || size != "1048576" {
		t.Errorf("SIZE %v %q", ok, size)
	}
	if err := c.Mail("ann@example.com", nil); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"support@shop.example", "Support+t1042.whatever@Shop.Example"} {
		if err := c.Rcpt(to, nil); err != nil {
			t.Fatalf("rcpt %s: %v", to, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(inbound)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- w.Close() }()
	<-entered
	select {
	case err := <-done:
		t.Fatalf("DATA answered (%v) before the commit returned", err)
	default:
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("DATA: %v", err)
	}
	if rec.count() != 1 {
		t.Fatalf("%d commits", rec.count())
	}
	env, raw := rec.envs[0], string(rec.raws[0])
	if env.Via != "smtp" || env.MailFrom != "ann@example.com" || len(env.Recipients) != 2 || !env.TLS ||
		env.Helo != "localhost" || !env.ReceivedAt.Equal(fixedNow) {
		t.Errorf("envelope %+v", env)
	}
	if !strings.HasPrefix(raw, "Return-Path: <ann@example.com>\r\nReceived: from localhost ([127.0.0.1])\r\n\tby mx.shop.example with ESMTPS;") ||
		!strings.HasSuffix(raw, inbound) { // dot-stuffing undone by the server
		t.Errorf("raw:\n%s", raw)
	}
	m, err := Parse(rec.raws[0], ParseOptions{})
	if err != nil || m.MessageID != "m1@example.com" || m.Class != ClassHuman {
		t.Errorf("parsed %+v %v", m, err)
	}
}

func TestListenerRefusals(t *testing.T) {
	rec := &recorder{}
	addr := startListener(t, ListenerConfig{Committer: rec, MaxRecipients: 2})
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("", nil); err != nil { // the null sender is welcome
		t.Fatal(err)
	}
	for _, tt := range []struct {
		to   string
		code int
	}{
		{"someone@shop.example", 550},
		{"support@elsewhere.example", 550},
		{"supportx@shop.example", 550},
		{"support@shop.example", 0},
		{"support+t1.abc@shop.example", 0},
		{"support+t2.abc@shop.example", 452}, // the third accepted recipient
	} {
		if got := smtpCode(c.Rcpt(tt.to, nil)); got != tt.code {
			t.Errorf("RCPT %s: %d, want %d", tt.to, got, tt.code)
		}
	}
	if rec.count() != 0 {
		t.Error("committed")
	}
}

// TestListenerTooLarge: a 30 MB message is refused with 552, whether the
// sender declares its size or not, and never reaches the Committer.
func TestListenerTooLarge(t *testing.T) {
	rec := &recorder{}
	addr := startListener(t, ListenerConfig{Committer: rec})
	big := bytes.Repeat([]byte(strings.Repeat("x", 998)+"\r\n"), 30<<20/1000)

	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if code := smtpCode(c.Mail("ann@example.com", &smtp.MailOptions{Size: int64(len(big))})); code != 552 {
		t.Errorf("MAIL SIZE=%d: %d, want 552", len(big), code)
	}
	if err := c.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("ann@example.com", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("support@shop.example", nil); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(append([]byte("Subject: big\r\n\r\n"), big...)); err != nil {
		t.Fatal(err)
	}
	if code := smtpCode(w.Close()); code != 552 {
		t.Errorf("DATA of %d bytes: %d, want 552", len(big), code)
	}
	if rec.count() != 0 {
		t.Error("the Committer saw an oversized message")
	}
	// The connection is still good for the next message.
	if err := c.SendMail("ann@example.com", []string{"support@shop.example"}, strings.NewReader(inbound)); err != nil {
		t.Fatal(err)
	}
	if rec.count() != 1 {
		t.Errorf("%d commits after a normal message", rec.count())
	}
}

func TestListenerCommitErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code int
	}{
		{"database down is temporary", errors.New("pgx: connect: connection refused"), 451},
		{"deadline is temporary", context.DeadlineExceeded, 451},
		{"rejection is permanent", &Rejection{Reason: "mail from this sender is not accepted"}, 554},
		{"wrapped rejection", errors.Join(errors.New("decode"), &Rejection{Reason: "no"}), 554},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startListener(t, ListenerConfig{Committer: &recorder{err: tt.err}})
			c, err := smtp.Dial(addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			err = c.SendMail("ann@example.com", []string{"support@shop.example"}, strings.NewReader(inbound))
			if code := smtpCode(err); code != tt.code {
				t.Errorf("got %v, want %d", err, tt.code)
			}
			if err != nil && strings.Contains(err.Error(), "pgx") {
				t.Errorf("the sender was told internals: %v", err)
			}
		})
	}
}
