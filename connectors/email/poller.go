package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Cursor is how far a mailbox has been imported: every message with a UID
// up to LastUID, under this UIDVALIDITY, has been committed or passed over.
type Cursor struct {
	UIDValidity uint32
	LastUID     uint32
}

// CursorStore keeps cursors across restarts; the hub backs it with
// Postgres. key names the account and mailbox (PollerConfig.Key).
type CursorStore interface {
	// LoadCursor returns ok=false when nothing was saved for key yet.
	LoadCursor(ctx context.Context, key string) (c Cursor, ok bool, err error)
	SaveCursor(ctx context.Context, key string, c Cursor) error
}

// PollerConfig configures the IMAP poller.
type PollerConfig struct {
	IMAP      IMAPConfig
	Committer Committer
	Cursors   CursorStore
	// TLS for the IMAP connection (tests trust their own CA with it);
	// ServerName defaults to the host.
	TLS *tls.Config

	MaxMessageBytes int64         // larger messages are left unread for people; default DefaultMaxMessageBytes
	PollInterval    time.Duration // between checks when the server has no IDLE; default 1 min
	IdleRefresh     time.Duration // IDLE is re-issued this often; default 25 min (servers drop it at 30)
	RetryDelay      time.Duration // first wait after a failed session, doubling to 10 min; default 5 s
	Now             func() time.Time
	After           func(time.Duration) <-chan time.Time // time.After unless a test injects a clock
	Logger          *slog.Logger
}

// Key is the cursor key and Envelope.Mailbox: user@host/mailbox.
func (c PollerConfig) Key() string { return c.IMAP.Username + "@" + c.IMAP.Host + "/" + c.IMAP.Mailbox }

// Poller imports a mailbox over IMAP: it hands each new message's raw bytes
// to the Committer, then saves its cursor and flags the message \Seen (or
// moves it); it never deletes mail.
//
// The first run (no saved cursor) imports the unread messages only: mail
// people had already read stays theirs. A changed UIDVALIDITY (the server
// rebuilt the mailbox) imports everything again; the hub dedupes by
// Message-ID.
type Poller struct {
	cfg PollerConfig
	key string
}

// NewPoller checks cfg and builds a Poller.
func NewPoller(cfg PollerConfig) (*Poller, error) {
	if cfg.Committer == nil || cfg.Cursors == nil || cfg.IMAP.Host == "" {
		return nil, errors.New("email: poller needs IMAP, Committer and Cursors")
	}
	if cfg.IMAP.Mailbox == "" {
		cfg.IMAP.Mailbox = "INBOX"
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Minute
	}
	if cfg.IdleRefresh <= 0 || cfg.IdleRefresh > 28*time.Minute {
		cfg.IdleRefresh = 25 * time.Minute
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = 5 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.After == nil {
		cfg.After = time.After
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	t := &tls.Config{}
	if cfg.TLS != nil {
		t = cfg.TLS.Clone()
	}
	if t.ServerName == "" {
		t.ServerName = cfg.IMAP.Host
	}
	cfg.TLS = t
	return &Poller{cfg: cfg, key: cfg.Key()}, nil
}

// Once connects, imports what is new, and logs out. It returns how many
// messages were committed.
func (p *Poller) Once(ctx context.Context) (int, error) {
	c, _, err := p.connect(ctx)
	if err != nil {
		return 0, err
	}
	defer p.logout(c)
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	return p.sync(ctx, c)
}

// Run imports until ctx ends: a sync, then IDLE until the server reports
// new mail (or a plain wait where IDLE is missing), again and again. A
// failed session is retried after a growing delay. Run returns nil when
// ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	delay := p.cfg.RetryDelay
	for {
		synced, err := p.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if synced {
			delay = p.cfg.RetryDelay
		}
		p.cfg.Logger.Warn("email: imap session ended", "mailbox", p.key, "err", err, "retry_in", delay)
		select {
		case <-ctx.Done():
			return nil
		case <-p.cfg.After(delay):
		}
		delay = min(delay*2, 10*time.Minute)
	}
}

// session runs one connection; synced reports whether a sync completed.
func (p *Poller) session(ctx context.Context) (synced bool, err error) {
	c, wake, err := p.connect(ctx)
	if err != nil {
		return false, err
	}
	defer p.logout(c)
	// Unblock whatever the client waits on when ctx ends.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	idle := c.Caps().Has(imap.CapIdle) || c.Caps().Has(imap.CapIMAP4rev2)
	for {
		n, err := p.sync(ctx, c)
		if err != nil {
			return synced, err
		}
		synced = true
		if n > 0 {
			p.cfg.Logger.Info("email: imported", "mailbox", p.key, "messages", n)
		}
		if !idle {
			select {
			case <-ctx.Done():
				return true, ctx.Err()
			case <-p.cfg.After(p.cfg.PollInterval):
			}
			continue
		}
		// Mail that arrived after the sync's last command is announced in
		// the NOOP's answer; some servers would not repeat it in IDLE.
		if err := c.Noop().Wait(); err != nil {
			return true, fmt.Errorf("email: imap noop: %w", err)
		}
		select {
		case <-wake:
			continue
		default:
		}
		if err := p.idle(ctx, c, wake); err != nil {
			return true, err
		}
	}
}

// idle waits in IDLE for new mail, ctx's end, or the refresh interval.
func (p *Poller) idle(ctx context.Context, c *imapclient.Client, wake <-chan struct{}) error {
	cmd, err := c.Idle()
	if err != nil {
		return fmt.Errorf("email: imap idle: %w", err)
	}
	select {
	case <-wake:
	case <-ctx.Done():
	case <-p.cfg.After(p.cfg.IdleRefresh):
	case <-c.Closed():
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("email: imap idle done: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("email: imap idle: %w", err)
	}
	return ctx.Err()
}

func (p *Poller) connect(ctx context.Context) (*imapclient.Client, <-chan struct{}, error) {
	wake := make(chan struct{}, 1)
	opts := &imapclient.Options{
		TLSConfig:   p.cfg.TLS,
		Dialer:      &net.Dialer{Timeout: 30 * time.Second},
		WordDecoder: wordDecoder,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case wake <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	dial := imapclient.DialStartTLS
	if p.cfg.IMAP.ImplicitTLS {
		dial = imapclient.DialTLS
	}
	c, err := dial(p.cfg.IMAP.Addr(), opts)
	if err != nil {
		return nil, nil, fmt.Errorf("email: imap dial %s: %w", p.cfg.IMAP.Addr(), err)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := c.Login(p.cfg.IMAP.Username, p.cfg.IMAP.Password).Wait(); err != nil {
		c.Close()
		return nil, nil, fmt.Errorf("email: imap login as %s: %w", p.cfg.IMAP.Username, err)
	}
	if p.cfg.IMAP.MoveTo != "" {
		// Mostly "already exists"; a real problem shows up at the first move.
		_ = c.Create(p.cfg.IMAP.MoveTo, nil).Wait()
	}
	return c, wake, nil
}

func (p *Poller) logout(c *imapclient.Client) {
	if err := c.Logout().Wait(); err != nil {
		p.cfg.Logger.Debug("email: imap logout", "err", err)
	}
	c.Close()
}

// uids sorts a search result.
func uids(d *imap.SearchData) []imap.UID {
	out := d.AllUIDs()
	slices.Sort(out)
	return out
}
