package email

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"hub/connectors/email/emailtest"
)

// memCursors is the CursorStore the hub backs with Postgres, in memory.
type memCursors struct {
	mu sync.Mutex
	m  map[string]Cursor
}

func (s *memCursors) LoadCursor(_ context.Context, key string) (Cursor, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[key]
	return c, ok, nil
}

func (s *memCursors) SaveCursor(_ context.Context, key string, c Cursor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]Cursor{}
	}
	s.m[key] = c
	return nil
}

type imapBundle struct {
	srv     *emailtest.IMAP
	cfg     PollerConfig
	cursors *memCursors
	rec     *recorder
}

func setupIMAP(t *testing.T) *imapBundle {
	t.Helper()
	certs, err := emailtest.NewTLS(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emailtest.StartIMAP(certs.Server, "support@shop.example", "app-password")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	host, port := splitHostPort(t, srv.Addr)
	b := &imapBundle{srv: srv, cursors: &memCursors{}, rec: &recorder{}}
	b.cfg = PollerConfig{
		IMAP: IMAPConfig{Host: host, Port: port, ImplicitTLS: true, Username: "support@shop.example",
			Password: "app-password", Mailbox: "INBOX"},
		Committer: b.rec, Cursors: b.cursors, TLS: certs.Client,
		Now: func() time.Time { return fixedNow },
	}
	return b
}

func splitHostPort(t *testing.T, addr string) (string, int) {
	cfg := smtpConfigFor(t, addr, true, "", "")
	return cfg.Host, cfg.Port
}

func (b *imapBundle) poller(t *testing.T, edit func(*PollerConfig)) *Poller {
	t.Helper()
	cfg := b.cfg
	if edit != nil {
		edit(&cfg)
	}
	p, err := NewPoller(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (b *imapBundle) append(t *testing.T, from, to int, flags ...imap.Flag) {
	t.Helper()
	for i := from; i <= to; i++ {
		raw := fmt.Sprintf("From: Ann <ann@example.com>\r\nTo: support@shop.example\r\nSubject: question %d\r\n"+
			"Message-ID: <q%d@example.com>\r\n\r\nBody %d\r\n", i, i, i)
		if _, err := b.srv.Append("INBOX", []byte(raw), flags...); err != nil {
			t.Fatal(err)
		}
	}
}

func (b *imapBundle) once(t *testing.T, p *Poller) int {
	t.Helper()
	n, err := p.Once(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// committedIDs counts commits per Message-ID.
func (r *recorder) committedIDs(t *testing.T) map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for _, raw := range r.raws {
		m, err := Parse(raw, ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out[m.MessageID]++
	}
	return out
}

func wantOnce(t *testing.T, got map[string]int, from, to int) {
	t.Helper()
	if len(got) != to-from+1 {
		t.Errorf("committed %v, want q%d..q%d once each", got, from, to)
	}
	for i := from; i <= to; i++ {
		if n := got["q"+strconv.Itoa(i)+"@example.com"]; n != 1 {
			t.Errorf("q%d committed %d times", i, n)
		}
	}
}

func TestPollerFirstRunThenNewMail(t *testing.T) {
	b := setupIMAP(t)
	b.append(t, 1, 2, imap.FlagSeen) // read by people before the hub came
	b.append(t, 3, 5)
	p := b.poller(t, nil)
	if n := b.once(t, p); n != 3 {
		t.Fatalf("first run committed %d, want the 3 unread", n)
	}
	wantOnce(t, b.rec.committedIDs(t), 3, 5)
	if total, unseen, _ := b.srv.Counts("INBOX"); total != 5 || unseen != 0 {
		t.Errorf("after import: %d messages, %d unread; nothing deleted, all flagged", total, unseen)
	}
	env := b.rec.envs[0]
	if env.Via != "imap" || env.Mailbox != "support@shop.example@127.0.0.1/INBOX" || env.UID != 3 || env.UIDValidity == 0 {
		t.Errorf("envelope %+v", env)
	}
	// From now on every new message counts, even one a person read first.
	b.append(t, 6, 6, imap.FlagSeen)
	b.append(t, 7, 7)
	if n := b.once(t, p); n != 2 {
		t.Fatalf("second run committed %d", n)
	}
	if n := b.once(t, p); n != 0 {
		t.Fatalf("third run committed %d", n)
	}
	wantOnce(t, b.rec.committedIDs(t), 3, 7)
	if c := b.cursors.m[p.key]; c.LastUID != 7 {
		t.Errorf("cursor %+v", c)
	}
}

// TestPollerRestartMidImport: a poller that dies in the middle of a batch
// and a new one started after it commit every message exactly once, on the
// first run (protected by the \Seen flags) and in steady state (by the
// cursor).
func TestPollerRestartMidImport(t *testing.T) {
	for _, firstRun := range []bool{true, false} {
		t.Run(map[bool]string{true: "first run", false: "steady state"}[firstRun], func(t *testing.T) {
			b := setupIMAP(t)
			if !firstRun {
				b.once(t, b.poller(t, nil)) // an empty mailbox: the cursor starts
			}
			b.append(t, 1, 6)
			ctx, kill := context.WithCancel(context.Background())
			calls := 0
			dying := CommitFunc(func(ctx context.Context, env Envelope, raw []byte) error {
				calls++
				if calls == 4 { // killed while committing the 4th: it is not recorded
					kill()
					return ctx.Err()
				}
				return b.rec.Commit(ctx, env, raw)
			})
			n, err := b.poller(t, func(c *PollerConfig) { c.Committer = dying }).Once(ctx)
			if !errors.Is(err, context.Canceled) || n != 3 {
				t.Fatalf("dying poller: %d committed, err %v", n, err)
			}
			if n := b.once(t, b.poller(t, nil)); n != 3 {
				t.Fatalf("restarted poller committed %d, want the other 3", n)
			}
			wantOnce(t, b.rec.committedIDs(t), 1, 6)
		})
	}
}

func TestPollerUIDValidityChange(t *testing.T) {
	b := setupIMAP(t)
	b.append(t, 1, 2)
	p := b.poller(t, nil)
	b.once(t, p)
	before := b.cursors.m[p.key]

	// The server rebuilds the mailbox: same mail, new UIDs, new UIDVALIDITY,
	// flags kept as they were.
	if err := b.srv.Rebuild("INBOX"); err != nil {
		t.Fatal(err)
	}
	b.append(t, 1, 2, imap.FlagSeen)
	b.append(t, 3, 3)
	if n := b.once(t, p); n != 3 {
		t.Fatalf("rescan committed %d, want all 3 (the hub dedupes by Message-ID)", n)
	}
	after := b.cursors.m[p.key]
	if after.UIDValidity == before.UIDValidity || after.LastUID != 3 {
		t.Errorf("cursor %+v -> %+v", before, after)
	}
	if got := b.rec.committedIDs(t); got["q1@example.com"] != 2 || got["q3@example.com"] != 1 {
		t.Errorf("commits %v", got)
	}
	if n := b.once(t, p); n != 0 {
		t.Errorf("after the rescan: %d", n)
	}
}

func TestPollerMoveAndOversize(t *testing.T) {
	b := setupIMAP(t)
	b.append(t, 1, 2)
	huge := "From: a@example.com\r\nMessage-ID: <huge@example.com>\r\n\r\n" + string(make([]byte, 4096))
	if _, err := b.srv.Append("INBOX", []byte(huge)); err != nil {
		t.Fatal(err)
	}
	p := b.poller(t, func(c *PollerConfig) {
		c.IMAP.MoveTo = "Processed"
		c.MaxMessageBytes = 1024
	})
	if n := b.once(t, p); n != 2 {
		t.Fatalf("committed %d", n)
	}
	if total, unseen, _ := b.srv.Counts("INBOX"); total != 1 || unseen != 1 {
		t.Errorf("INBOX holds %d (%d unread), want only the oversized one, unread", total, unseen)
	}
	if total, _, _ := b.srv.Counts("Processed"); total != 2 {
		t.Errorf("Processed holds %d", total)
	}
	if c := b.cursors.m[p.key]; c.LastUID != 3 {
		t.Errorf("cursor %+v: the oversized message is passed over", c)
	}
}

// TestPollerIdle: Run picks up new mail as the server announces it in IDLE
// (the refresh timer never fires here), and stops cleanly.
func TestPollerIdle(t *testing.T) {
	b := setupIMAP(t)
	b.append(t, 1, 1)
	got := make(chan string, 10)
	commit := CommitFunc(func(ctx context.Context, env Envelope, raw []byte) error {
		m, err := Parse(raw, ParseOptions{})
		if err != nil {
			return err
		}
		got <- m.MessageID
		return nil
	})
	never := make(chan time.Time)
	idling := make(chan struct{}, 10)
	p := b.poller(t, func(c *PollerConfig) {
		c.Committer = commit
		c.After = func(d time.Duration) <-chan time.Time {
			if d == 25*time.Minute {
				idling <- struct{}{} // the server has answered IDLE
			}
			return never
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()

	wait := func(ch <-chan string, id string) {
		t.Helper()
		select {
		case g := <-ch:
			if g != id {
				t.Fatalf("committed %s, want %s", g, id)
			}
		case <-time.After(time.Minute): // a hang, not a timing assertion
			t.Fatalf("%s never committed", id)
		}
	}
	wait(got, "q1@example.com")
	for i := 2; i <= 4; i++ {
		<-idling
		b.append(t, i, i)
		wait(got, "q"+strconv.Itoa(i)+"@example.com")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// TestPollerIdleRefresh: when the refresh timer fires the poller ends IDLE,
// checks the mailbox and idles again, committing nothing twice.
func TestPollerIdleRefresh(t *testing.T) {
	b := setupIMAP(t)
	b.append(t, 1, 2)
	tick := make(chan time.Time)
	var mu sync.Mutex
	refreshes := 0
	p := b.poller(t, func(c *PollerConfig) {
		c.After = func(d time.Duration) <-chan time.Time {
			if d == 25*time.Minute {
				mu.Lock()
				refreshes++
				mu.Unlock()
			}
			return tick
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	for range 3 {
		tick <- time.Time{} // each send ends one IDLE
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if refreshes < 3 {
		t.Errorf("IDLE issued %d times", refreshes)
	}
	wantOnce(t, b.rec.committedIDs(t), 1, 2)
}

func TestPollerConfigDefaults(t *testing.T) {
	p, err := NewPoller(PollerConfig{IMAP: IMAPConfig{Host: "h"}, Committer: &recorder{}, Cursors: &memCursors{},
		IdleRefresh: 40 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if p.cfg.IdleRefresh >= 29*time.Minute || p.cfg.IMAP.Mailbox != "INBOX" || p.cfg.TLS.ServerName != "h" {
		t.Errorf("defaults %+v", p.cfg)
	}
	if _, err := NewPoller(PollerConfig{}); err == nil {
		t.Error("empty config accepted")
	}
}
