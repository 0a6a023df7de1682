package email

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Outgoing is one message the hub sends, usually an agent's public reply.
type Outgoing struct {
	// MessageID, without brackets, is generated on the support domain when
	// empty. Generate it (NewMessageID) and store it before the first try,
	// so that retries send the same id and replies to it can be matched.
	MessageID string
	To, Cc    []mail.Address
	ReplyTo   string // the ticket's plus address (ReplyAddresses.For)
	Subject   string
	Text      string // always sent; made from HTML when empty
	HTML      string // optional alternative
	// InReplyTo and References thread the reply: the Message-ID answered
	// and that message's References plus its Message-ID (RFC 5322 §3.6.4);
	// InReplyTo is added to References when missing. No brackets.
	InReplyTo  string
	References []string
	// AutoReply marks mail the hub sends on its own (acknowledgements):
	// Auto-Submitted: auto-replied, so other robots do not answer it.
	AutoReply   bool
	Attachments []OutAttachment
}

// OutAttachment is a file sent with a reply.
type OutAttachment struct {
	Filename    string
	ContentType string // defaults to application/octet-stream
	Data        []byte
}

// Composer renders Outgoing messages from the support address.
type Composer struct {
	From mail.Address     // the support address, with a display name if wanted
	Now  func() time.Time // the Date header; time.Now when nil
}

// maxReferences keeps References short: the first id (the thread root)
// and the most recent ones, as RFC 5322 suggests for long threads.
const maxReferences = 20

// ErrNoRecipient means an Outgoing had no To address.
var ErrNoRecipient = errors.New("email: no recipient")

// NewMessageID returns a fresh globally unique id on the support domain,
// without brackets.
func (c Composer) NewMessageID() string {
	_, domain, _ := splitAddr(c.From.Address)
	return strings.ToLower(rand.Text()) + "@" + domain
}

// Compose renders o as RFC 5322 bytes and returns its Message-ID.
func (c Composer) Compose(o Outgoing) (messageID string, raw []byte, err error) {
	m, id, err := c.msg(o)
	if err != nil {
		return "", nil, err
	}
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		return "", nil, fmt.Errorf("email: render: %w", err)
	}
	return id, b.Bytes(), nil
}

func (c Composer) msg(o Outgoing) (*gomail.Msg, string, error) {
	if len(o.To) == 0 {
		return nil, "", ErrNoRecipient
	}
	if _, _, ok := splitAddr(c.From.Address); !ok {
		return nil, "", errors.New("email: composer has no support address")
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	id := o.MessageID
	if id == "" {
		id = c.NewMessageID()
	}
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	from := c.From
	m.FromMailAddress(&from)
	m.ToMailAddress(addrPtrs(o.To)...)
	if len(o.Cc) > 0 {
		m.CcMailAddress(addrPtrs(o.Cc)...)
	}
	if o.ReplyTo != "" {
		if err := m.ReplyTo(o.ReplyTo); err != nil {
			return nil, "", fmt.Errorf("email: reply-to: %w", err)
		}
	}
	m.Subject(oneLine(o.Subject))
	m.SetMessageIDWithValue(id)
	m.SetDateWithValue(now())
	if o.InReplyTo != "" {
		m.SetGenHeader(gomail.HeaderInReplyTo, "<"+oneLine(o.InReplyTo)+">")
	}
	if refs := references(o.References, o.InReplyTo); len(refs) > 0 {
		m.SetGenHeader(gomail.HeaderReferences, strings.Join(refs, " "))
	}
	if o.AutoReply {
		m.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-replied")
		m.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	}
	text := o.Text
	if strings.TrimSpace(text) == "" && o.HTML != "" {
		text, _ = htmlToText(o.HTML)
	}
	m.SetBodyString(gomail.TypeTextPlain, text)
	if o.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, o.HTML)
	}
	for _, a := range o.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		err := m.AttachReader(oneLine(a.Filename), bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(ct)))
		if err != nil {
			return nil, "", fmt.Errorf("email: attach %q: %w", a.Filename, err)
		}
	}
	return m, id, nil
}

// references builds the References list: the given ids plus InReplyTo,
// each once, bracketed, trimmed to the root and the most recent ones.
func references(refs []string, inReplyTo string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range append(append([]string(nil), refs...), inReplyTo) {
		r = strings.Trim(oneLine(r), "<> ")
		if r == "" || seen[r] {
			continue
		}
		seen[r] = true
		out = append(out, "<"+r+">")
	}
	if len(out) > maxReferences {
		out = append(out[:1], out[len(out)-maxReferences+1:]...)
	}
	return out
}

func addrPtrs(as []mail.Address) []*mail.Address {
	out := make([]*mail.Address, len(as))
	for i := range as {
		a := as[i]
		out[i] = &a
	}
	return out
}

// oneLine keeps caller text from adding header lines.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ").Replace(s)), " ")
}
