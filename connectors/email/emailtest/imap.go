package emailtest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// IMAP is an in-memory IMAP server over implicit TLS on 127.0.0.1 with one
// user and an INBOX. It offers IDLE and MOVE.
//
// Its IDLE checks the mailbox every idleCheck, as servers watching a
// maildir do, instead of imapmemserver's push: that one registers a moment
// after answering IDLE and drops the news of mail arriving in that moment.
type IMAP struct {
	Addr string // host:port
	User *imapmemserver.User

	srv *imapserver.Server
}

// StartIMAP listens on a free port and serves until Close.
func StartIMAP(t *tls.Config, username, password string) (*IMAP, error) {
	if t == nil {
		return nil, errors.New("emailtest: imap needs TLS")
	}
	user := imapmemserver.NewUser(username, password)
	if err := user.Create("INBOX", nil); err != nil {
		return nil, fmt.Errorf("emailtest: create INBOX: %w", err)
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &session{user: user}, nil, nil
		},
		Caps:   imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}},
		Logger: quietLog{},
	})
	ln, err := tls.Listen("tcp", "127.0.0.1:0", t)
	if err != nil {
		return nil, fmt.Errorf("emailtest: listen: %w", err)
	}
	go func() { _ = srv.Serve(ln) }()
	return &IMAP{Addr: ln.Addr().String(), User: user, srv: srv}, nil
}

// Host and Port split Addr, for an IMAPConfig.
func (s *IMAP) Host() string { h, _, _ := net.SplitHostPort(s.Addr); return h }

// Append delivers raw into mailbox with the given flags and returns its UID.
func (s *IMAP) Append(mailbox string, raw []byte, flags ...imap.Flag) (imap.UID, error) {
	d, err := s.User.Append(mailbox, literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Flags: flags})
	if err != nil {
		return 0, fmt.Errorf("emailtest: append: %w", err)
	}
	return d.UID, nil
}

// Rebuild deletes and recreates mailbox, empty and with a new UIDVALIDITY,
// as a server does when it rebuilds its index.
func (s *IMAP) Rebuild(mailbox string) error {
	if err := s.User.Delete(mailbox); err != nil {
		return fmt.Errorf("emailtest: delete %s: %w", mailbox, err)
	}
	if err := s.User.Create(mailbox, nil); err != nil {
		return fmt.Errorf("emailtest: create %s: %w", mailbox, err)
	}
	return nil
}

// Counts reports how many messages mailbox holds and how many are unread.
func (s *IMAP) Counts(mailbox string) (total, unseen uint32, err error) {
	d, err := s.User.Status(mailbox, &imap.StatusOptions{NumMessages: true, NumUnseen: true})
	if err != nil {
		return 0, 0, fmt.Errorf("emailtest: status %s: %w", mailbox, err)
	}
	return *d.NumMessages, *d.NumUnseen, nil
}

// Close stops the server.
func (s *IMAP) Close() error { return s.srv.Close() }

const idleCheck = 20 * time.Millisecond

// session is imapmemserver's own session with a polling IDLE.
type session struct {
	*imapmemserver.UserSession // nil until login
	user                       *imapmemserver.User
}

func (s *session) Login(username, password string) error {
	if err := s.user.Login(username, password); err != nil {
		return err
	}
	s.UserSession = imapmemserver.NewUserSession(s.user)
	return nil
}

func (s *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	t := time.NewTicker(idleCheck)
	defer t.Stop()
	for {
		if err := s.Poll(w, true); err != nil {
			return err
		}
		select {
		case <-stop:
			return nil
		case <-t.C:
		}
	}
}

type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }
