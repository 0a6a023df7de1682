package email

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func corpus(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "corpus", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseCorpus reads every real-world-shaped message in testdata/corpus.
func TestParseCorpus(t *testing.T) {
	tests := []struct {
		file               string
		id, from, fromName string
		subject            string
		date               string // RFC 3339
		inReplyTo          string
		refs               int
		reply              string // exactly
		textHas            string // Text keeps the quoted history
		class              Class
		attachments        []string // filename/content-type/inline
	}{
		{file: "gmail_new.eml", id: "CAF7sQ1xq0M9kA5b+Vz4oA@mail.gmail.com", from: "ann.lee@gmail.com", fromName: "Ann Lee",
			subject: "Where is my order #1001?", date: "2026-03-03T10:02:03Z",
			reply: "Hi,\n\nI ordered a kettle last week (order #1001) and it still hasn\u2019t shipped. Can you check?\n\nThanks,\nAnn",
			class: ClassHuman},
		{file: "html_only.eml", id: "20260304081500.4F2A1@forms.example", from: "bob@martin.example", fromName: "Bob Martin",
			subject: "Refund request", date: "2026-03-04T08:15:00+01:00",
			reply: "Refund request\n\nHello, I would like a refund for order #1002.\n\nThe lid is cracked & leaks.\n\n- Item: Kettle\n- Qty: 1\n\nName Bob Martin",
			class: ClassHuman},
		{file: "windows1252.eml", id: "000001dba1c2$3f4e5a60$bdea0f20$@cafe.example", from: "rene@cafe.example", fromName: "René Dupré",
			subject: "Wrong price – \u201cdeluxe\u201d kettle", date: "2026-03-05T14:20:31+01:00",
			reply: "Hello,\n\nThe \u201cdeluxe\u201d kettle costs 49€ – I was charged 59€. Café owner here.\n\nRegards,\nRené",
			class: ClassHuman},
		{file: "iso2022jp.eml", id: "20260306090000.ABCD.tanaka@example.jp", from: "tanaka@example.jp", fromName: "田中 太郎",
			subject: "配送について", date: "2026-03-06T09:00:00+09:00",
			reply: "こんにちは。\n注文番号 #1003 の配送状況を教えてください。\n\n田中", class: ClassHuman},
		{file: "gb2312.eml", id: "202603071111110001@example.cn", from: "liming@example.cn", fromName: "李明",
			subject: "订单问题", date: "2026-03-07T11:11:11+08:00",
			reply: "你好，我的订单 #1004 还没有到。\n李明", class: ClassHuman},
		{file: "outlook_reply.eml", id: "DB9PR01MB1234ABCD5678EF90@DB9PR01MB1234.eurprd01.prod.outlook.com",
			from: "c.wright@contoso.example", fromName: "Carol Wright", subject: "RE: [T-1042] Damaged kettle",
			date: "2026-03-09T16:45:12Z", inReplyTo: "kq3x7m2a@shop.example", refs: 1,
			reply:   "Hi,\n\nYes, the photos are attached to my first email. Please send a replacement.\n\nCarol",
			textHas: "Hello Carol, could you send us a photo of the damage?", class: ClassHuman},
		{file: "gmail_reply.eml", id: "CAF7sQ1yZ2r8W0pLk3mN@mail.gmail.com", from: "ann.lee@gmail.com", fromName: "Ann Lee",
			subject: "Re: [T-1041] Where is my order #1001?", date: "2026-03-10T09:30:41Z",
			inReplyTo: "p9v1c0de@shop.example", refs: 2,
			reply: "Great, thank you! It arrived this morning.", textHas: "> Your order shipped today", class: ClassHuman},
		{file: "apple_flowed_reply.eml", id: "6F1C7E2A-0B8D-4C3E-9F21-3A4B5C6D7E8F@icloud.example", from: "dan@icloud.example",
			fromName: "Dan Kim", subject: "Re: Your order #1005", date: "2026-03-11T18:04:09+01:00",
			inReplyTo: "x1y2z3@shop.example", refs: 1,
			reply:   "The box arrived but the manual is missing, could you email me a PDF copy of it? The model number is K-200.\n\nThanks!",
			textHas: "> Your order #1005 has been delivered.", class: ClassHuman},
		{file: "out_of_office.eml", id: "a1b2c3d4e5f6@fabrikam.example", from: "eve@fabrikam.example", fromName: "Eve Stone",
			subject: "Automatic reply: [T-1043] Your refund", date: "2026-03-12T07:00:03Z", inReplyTo: "r3fund01@shop.example",
			reply: "I am out of the office until 20 March with no access to email.", class: ClassAutoReply},
		{file: "dsn_bounce.eml", id: "20260313101010.A1B2C3D4E5@mx.shop.example", from: "MAILER-DAEMON@mx.shop.example",
			fromName: "Mail Delivery System", subject: "Undelivered Mail Returned to Sender", date: "2026-03-13T10:10:10Z",
			textHas: "Recipient address rejected", class: ClassBounce,
			attachments: nil},
		{file: "attachment.eml", id: "5e6f7a8b-1111-2222-3333-444455556666@example.org", from: "frank@example.org",
			fromName: "Frank Ortiz", subject: "Photos of the damage", date: "2026-03-14T12:00:00-05:00",
			reply: "See the photo below and the invoice attached.", class: ClassHuman,
			attachments: []string{"dent.png/image/png/true", "Rechnung März.pdf/application/pdf/false"}},
		{file: "list.eml", id: "newsletter-2026-11@kettleweekly.example", from: "news@kettleweekly.example",
			fromName: "Kettle Weekly", subject: "This week in kettles", date: "2026-03-15T06:00:00Z",
			reply: "Prices from 19€ this week.", class: ClassList},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m, err := Parse(corpus(t, tt.file), ParseOptions{MaxAttachmentBytes: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			if m.MessageID != tt.id || m.From.Address != tt.from || m.From.Name != tt.fromName || m.Subject != tt.subject {
				t.Errorf("id %q from %q %q subject %q", m.MessageID, m.From.Name, m.From.Address, m.Subject)
			}
			if got := m.Date.Format(time.RFC3339); got != tt.date {
				t.Errorf("date %s, want %s", got, tt.date)
			}
			if irt := strings.Join(m.InReplyTo, ","); irt != tt.inReplyTo || len(m.References) != tt.refs {
				t.Errorf("in-reply-to %q references %q", irt, m.References)
			}
			if tt.reply != "" && m.Reply != tt.reply {
				t.Errorf("reply\n got %q\nwant %q", m.Reply, tt.reply)
			}
			if !strings.Contains(m.Text, tt.textHas) {
				t.Errorf("text lost %q: %q", tt.textHas, m.Text)
			}
			if m.Class != tt.class {
				t.Errorf("class %s (%s), want %s", m.Class, m.ClassReason, tt.class)
			}
			var atts []string
			for _, a := range m.Attachments {
				if a.Data == nil || int64(len(a.Data)) != a.Size {
					t.Errorf("attachment %q: %d bytes kept of %d", a.Filename, len(a.Data), a.Size)
				}
				if a.ContentType == "message/rfc822" {
					continue // the bounce's returned original, checked below
				}
				atts = append(atts, a.Filename+"/"+a.ContentType+"/"+map[bool]string{true: "true", false: "false"}[a.Inline])
			}
			if strings.Join(atts, ",") != strings.Join(tt.attachments, ",") {
				t.Errorf("attachments %q, want %q", atts, tt.attachments)
			}
		})
	}
}

func TestParseBounceFacts(t *testing.T) {
	m, err := Parse(corpus(t, "dsn_bounce.eml"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b := m.Bounce
	if b == nil || b.OriginalMessageID != "reply9q8w7e@shop.example" || len(b.Recipients) != 1 {
		t.Fatalf("bounce %+v", b)
	}
	r := b.Recipients[0]
	if r.Address != "nobody@customer.example" || r.Action != "failed" || r.Status != "5.1.1" ||
		!strings.Contains(r.Diagnostic, "User unknown") {
		t.Errorf("recipient %+v", r)
	}
}

// TestParseAttachmentBudget: what does not fit in the caller's cap is
// listed without its bytes.
func TestParseAttachmentBudget(t *testing.T) {
	raw := corpus(t, "attachment.eml")
	for _, tt := range []struct {
		budget  int64
		omitted []bool
	}{
		{0, []bool{true, true}},
		{70, []bool{false, true}},  // the 70-byte PNG fits, the PDF does not
		{100, []bool{false, true}}, // 70+45 > 100
		{115, []bool{false, false}},
	} {
		m, err := Parse(raw, ParseOptions{MaxAttachmentBytes: tt.budget})
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range m.Attachments {
			if a.Omitted != tt.omitted[i] || a.Omitted != (a.Data == nil) || a.Size == 0 {
				t.Errorf("budget %d: attachment %d omitted=%v data=%d size=%d", tt.budget, i, a.Omitted, len(a.Data), a.Size)
			}
		}
	}
}

func TestParseRejectsNonMail(t *testing.T) {
	for _, raw := range []string{"", "\r\n\r\nbody only", "not a header at all\x00\x01"} {
		if _, err := Parse([]byte(raw), ParseOptions{}); err == nil {
			t.Errorf("%q parsed", raw)
		}
	}
}

// TestParseHostile: deep nesting, a missing boundary and broken base64
// neither crash nor hang, and what can be read is read.
func TestParseHostile(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: x@example.com\r\nSubject: deep\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n")
	for i := range 40 {
		b.WriteString("--b" + strconv.Itoa(i) + "\r\nContent-Type: multipart/mixed; boundary=b" + strconv.Itoa(i+1) + "\r\n\r\n")
	}
	b.WriteString("--b40\r\nContent-Type: text/plain\r\n\r\nburied\r\n")
	if _, err := Parse([]byte(b.String()), ParseOptions{}); err != nil {
		t.Fatal(err)
	}
	raw := "From: x@example.com\r\nContent-Type: multipart/mixed\r\n\r\nno boundary\r\n"
	if _, err := Parse([]byte(raw), ParseOptions{}); err != nil {
		t.Fatal(err)
	}
	raw = "From: x@example.com\r\nContent-Type: multipart/mixed; boundary=\"m\"; bad param\r\n\r\n" +
		"--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee attached\r\n" +
		"--m\r\nContent-Type: application/pdf; name=Rechnung März.pdf\r\nContent-Disposition: attachment; filename=Rechnung März.pdf\r\n\r\n%PDF\r\n--m--\r\n"
	m, err := Parse([]byte(raw), ParseOptions{MaxAttachmentBytes: 100})
	if err != nil || m.Text != "see attached" || len(m.Attachments) != 1 || m.Attachments[0].Filename != "Rechnung März.pdf" ||
		m.Attachments[0].ContentType != "application/pdf" {
		t.Fatalf("malformed parameters: %+v %v", m, err)
	}
	raw = "From: x@example.com\r\nContent-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29y!!bGQ\r\n"
	m, err = Parse([]byte(raw), ParseOptions{})
	if err != nil || !strings.HasPrefix(m.Text, "hello wor") {
		t.Fatalf("text %q err %v", m.Text, err)
	}
}
