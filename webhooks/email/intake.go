package email

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/emersion/go-message/textproto"

	mail "hub/connectors/email"
	"hub/tickets"
)

// Acceptor is the durable inbox (*webhooks.Pipeline).
type Acceptor interface {
	Accept(ctx context.Context, d *tickets.Delivery) (duplicate bool, err error)
}

// Intake is the connector's Committer: it records a raw message as a
// delivery. A duplicate (the same Message-ID again: an SMTP retry after a
// lost 250, an IMAP import after a crash) is acknowledged and dropped.
type Intake struct {
	Inbox Acceptor
	// Tenant is the support address the message came in for.
	Tenant string
}

// Commit implements email.Committer. Any error means the message was not
// recorded: the listener answers 451 and the sender retries; the poller
// keeps it for its next pass.
func (in *Intake) Commit(ctx context.Context, env mail.Envelope, raw []byte) error {
	h := map[string]string{"via": env.Via}
	if env.Via == "smtp" {
		h["mail_from"] = env.MailFrom
		h["rcpt"] = strings.Join(env.Recipients, ",")
		h["remote"] = env.RemoteAddr
	} else {
		h["mailbox"] = env.Mailbox
		h["uid"] = strconv.FormatUint(uint64(env.UID), 10)
		h["uidvalidity"] = strconv.FormatUint(uint64(env.UIDValidity), 10)
	}
	d := &tickets.Delivery{
		Source: tickets.SourceEmail, Tenant: in.Tenant, Topic: env.Via,
		Key: DedupeKey(raw), Headers: h, Body: raw, ReceivedAt: env.ReceivedAt,
	}
	_, err := in.Inbox.Accept(ctx, d)
	return err
}

// maxKey keeps a dedupe key to a sane index entry.
const maxKey = 200

// DedupeKey names a message for the inbox: "mid:" and its Message-ID, or
// for mail without one a hash of the message below the trace headers our
// own listener adds (Return-Path, Received), so that the same message sent
// again gets the same key.
func DedupeKey(raw []byte) string {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err == nil {
		if id := strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>"); id != "" && !strings.ContainsAny(id, " \t\r\n") {
			if len(id) > maxKey {
				sum := sha256.Sum256([]byte(id))
				return "mid-sha256:" + hex.EncodeToString(sum[:])
			}
			return "mid:" + id
		}
	}
	sum := sha256.Sum256(belowTrace(raw))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// belowTrace drops the leading Return-Path and Received fields (and their
// continuation lines).
func belowTrace(raw []byte) []byte {
	rest := raw
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		line := rest[:i+1]
		lower := bytes.ToLower(line)
		if !bytes.HasPrefix(lower, []byte("return-path:")) && !bytes.HasPrefix(lower, []byte("received:")) {
			break
		}
		rest = rest[i+1:]
		for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
			j := bytes.IndexByte(rest, '\n')
			if j < 0 {
				rest = nil
				break
			}
			rest = rest[j+1:]
		}
	}
	return rest
}

// CursorStore keeps the IMAP poller's cursors (*postgres.Store).
type CursorStore interface {
	LoadEmailCursor(ctx context.Context, key string) (uidValidity, lastUID uint32, ok bool, err error)
	SaveEmailCursor(ctx context.Context, key string, uidValidity, lastUID uint32) error
}

// Cursors adapts a CursorStore to the poller's email.CursorStore.
type Cursors struct{ Store CursorStore }

// LoadCursor implements email.CursorStore.
func (c Cursors) LoadCursor(ctx context.Context, key string) (mail.Cursor, bool, error) {
	v, u, ok, err := c.Store.LoadEmailCursor(ctx, key)
	return mail.Cursor{UIDValidity: v, LastUID: u}, ok, err
}

// SaveCursor implements email.CursorStore.
func (c Cursors) SaveCursor(ctx context.Context, key string, cur mail.Cursor) error {
	return c.Store.SaveEmailCursor(ctx, key, cur.UIDValidity, cur.LastUID)
}
