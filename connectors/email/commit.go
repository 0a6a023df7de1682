package email

import (
	"context"
	"errors"
	"time"
)

// Envelope is what the transport knew about a message besides its bytes.
// The SMTP listener fills the SMTP fields, the IMAP poller the IMAP ones.
type Envelope struct {
	Via        string    // "smtp" or "imap"
	ReceivedAt time.Time // from the injected clock

	// SMTP: the reverse path ("" for the null sender of bounces and
	// auto-replies), the accepted recipients, and the peer.
	MailFrom   string
	Recipients []string
	RemoteAddr string
	Helo       string
	TLS        bool

	// IMAP: where the message sits. A Committer that stores the cursor
	// (Mailbox, UIDValidity, UID) in the same transaction as the message
	// makes the import exactly-once even across a crash between the two.
	Mailbox     string
	UIDValidity uint32
	UID         uint32
}

// Committer durably records one raw message. It returns nil only once the
// message is safe: the SMTP listener answers 250 and the poller advances
// its cursor only after that. An error is temporary (the SMTP sender gets
// 451 and retries; the poller retries later) unless it is a Rejection.
type Committer interface {
	Commit(ctx context.Context, env Envelope, raw []byte) error
}

// CommitFunc adapts a function to Committer.
type CommitFunc func(ctx context.Context, env Envelope, raw []byte) error

// Commit calls f.
func (f CommitFunc) Commit(ctx context.Context, env Envelope, raw []byte) error {
	return f(ctx, env, raw)
}

// Rejection is a Committer's way to refuse a message for good: the SMTP
// listener answers 554 with Reason (so the sender bounces it instead of
// retrying) and the poller skips it. Anything else a Committer returns is
// treated as temporary.
type Rejection struct {
	Reason string // shown to the sending server; keep it free of internals
}

func (r *Rejection) Error() string { return "email: rejected: " + r.Reason }

func isRejection(err error) (*Rejection, bool) {
	var r *Rejection
	ok := errors.As(err, &r)
	return r, ok
}
