package email

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-message/textproto"
)

// Message is what the hub needs from one received email.
type Message struct {
	MessageID  string   // without angle brackets; "" if the sender set none
	InReplyTo  []string // without angle brackets
	References []string // oldest first, as sent
	From       mail.Address
	ReplyTo    []mail.Address
	To, Cc     []mail.Address
	Subject    string    // decoded
	Date       time.Time // zero when missing or unreadable

	// Text is the readable body: the text/plain part (format=flowed
	// undone), or the HTML part made readable. Reply is Text without the
	// quoted history of earlier messages; it equals Text when nothing was
	// recognised as quoted. HTML is the HTML part as sent (decoded to UTF-8).
	Text, Reply, HTML string

	Attachments []Attachment

	Class       Class  // human, auto-reply, bounce or list
	ClassReason string // the header or sign that decided Class
	Bounce      *Bounce
}

// Attachment is one non-body part, inline images included.
type Attachment struct {
	Filename    string // decoded; "" when the sender gave none
	ContentType string // lower-case media type, e.g. "image/png"
	ContentID   string // without angle brackets, for cid: references
	Inline      bool
	Size        int64  // decoded bytes
	Data        []byte // nil when Omitted
	Omitted     bool   // the bytes did not fit in ParseOptions.MaxAttachmentBytes
}

// ParseOptions bounds what Parse keeps.
type ParseOptions struct {
	// MaxAttachmentBytes is how many attachment bytes, all attachments
	// together, Parse keeps; an attachment that does not fit whole is
	// listed with Omitted set. Zero keeps none.
	MaxAttachmentBytes int64
}

// ErrNotMail means the bytes do not start with an RFC 5322 header block.
var ErrNotMail = errors.New("email: not an email message")

const maxDepth = 16          // nested multiparts; deeper is hostile
const maxParts = 1000        // parts in one message
const maxTextBytes = 4 << 20 // one text body, decoded

// Parse reads a raw message. It is lenient, as real mail demands: an
// unknown charset falls back to UTF-8 or Windows-1252, a broken part is
// skipped. It fails only when there is no header to read.
func Parse(raw []byte, opts ParseOptions) (*Message, error) {
	br := bufio.NewReader(bytes.NewReader(raw))
	h, err := textproto.ReadHeader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotMail, err)
	}
	if h.Len() == 0 {
		return nil, ErrNotMail
	}
	m := &Message{
		MessageID:  firstID(h.Get("Message-Id")),
		InReplyTo:  msgIDs(h.Get("In-Reply-To")),
		References: msgIDs(h.Get("References")),
		ReplyTo:    addressList(h.Get("Reply-To")),
		To:         addressList(h.Get("To")),
		Cc:         addressList(h.Get("Cc")),
		Subject:    decodeHeader(h.Get("Subject")),
		Date:       parseDate(h.Get("Date")),
	}
	if from := addressList(h.Get("From")); len(from) > 0 {
		m.From = from[0]
	}
	w := &walker{budget: opts.MaxAttachmentBytes, msg: m}
	w.entity(h, br, 0)
	var plain, html string
	for _, p := range w.plain {
		plain = joinText(plain, p)
	}
	for _, p := range w.html {
		html += p
	}
	m.HTML = html
	switch {
	case strings.TrimSpace(plain) != "":
		m.Text = strings.TrimRight(plain, " \t\n")
		m.Reply = trimQuoted(plain)
	case html != "":
		var cut string
		m.Text, cut = htmlToText(html)
		m.Reply = trimQuoted(cut)
	}
	if strings.TrimSpace(m.Reply) == "" {
		m.Reply = m.Text
	}
	m.Class, m.ClassReason = classify(h, m, w)
	if m.Class == ClassBounce {
		m.Bounce = w.bounce()
	}
	return m, nil
}

func joinText(a, b string) string {
	if a == "" {
		return b
	}
	return strings.TrimRight(a, "\n") + "\n\n" + b
}

var angleID = regexp.MustCompile(`<([^<>\s]+)>`)

// msgIDs reads a list of message ids. Some clients drop the brackets; then
// whitespace-separated words with an @ are taken.
func msgIDs(v string) []string {
	var ids []string
	for _, m := range angleID.FindAllStringSubmatch(v, -1) {
		ids = append(ids, m[1])
	}
	if ids == nil {
		for _, f := range strings.Fields(v) {
			if strings.Contains(f, "@") {
				ids = append(ids, strings.Trim(f, "<>,"))
			}
		}
	}
	return ids
}

func firstID(v string) string {
	if ids := msgIDs(v); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

var bareAddr = regexp.MustCompile(`[^\s<>,;:"()\[\]]+@[^\s<>,;:"()\[\]]+`)

// addressList parses an address header, falling back to picking out
// anything that looks like an address when the header is malformed.
func addressList(v string) []mail.Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	p := mail.AddressParser{WordDecoder: wordDecoder}
	if list, err := p.ParseList(latin1Fallback(v)); err == nil {
		out := make([]mail.Address, 0, len(list))
		for _, a := range list {
			out = append(out, *a)
		}
		return out
	}
	var out []mail.Address
	for _, a := range bareAddr.FindAllString(v, -1) {
		out = append(out, mail.Address{Address: a})
	}
	return out
}

var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700 (MST)",
	"Mon, 2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon Jan 2 15:04:05 2006",
}

func parseDate(v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if t, err := mail.ParseDate(v); err == nil {
		return t
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t
		}
	}
	return time.Time{}
}
