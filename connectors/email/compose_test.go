package email

import (
	"flag"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func testComposer() Composer {
	berlin := time.FixedZone("CET", 3600)
	return Composer{
		From: mail.Address{Name: "Shop Support", Address: "support@shop.example"},
		Now:  func() time.Time { return time.Date(2026, 3, 9, 16, 12, 0, 0, berlin) },
	}
}

var (
	boundaryParam = regexp.MustCompile(`boundary="?([0-9A-Za-z'()+_,\-./:=?]+)"?`)
	messageIDLine = regexp.MustCompile(`(?m)^Message-ID: <[^>]+>`)
)

// normalise replaces what is random in a composed message: multipart
// boundaries, and the Message-ID when it was generated.
func normalise(raw string, generatedID bool) string {
	for i, m := range boundaryParam.FindAllStringSubmatch(raw, -1) {
		raw = strings.ReplaceAll(raw, m[1], "BOUNDARY-"+strconv.Itoa(i+1))
	}
	if generatedID {
		raw = messageIDLine.ReplaceAllString(raw, "Message-ID: <GENERATED@shop.example>")
	}
	return strings.ReplaceAll(raw, "\r\n", "\n")
}

func TestComposeGolden(t *testing.T) {
	tests := []struct {
		name string
		out  Outgoing
	}{
		{"reply_text", Outgoing{
			To:         []mail.Address{{Name: "Ann Lee", Address: "ann.lee@gmail.com"}},
			ReplyTo:    "support+t1041.qrstuvwxyzabcdef@shop.example",
			Subject:    "Re: [T-1041] Where is my order #1001?",
			Text:       "Hi Ann,\n\nYour order shipped today with tracking 1Z999.\n\nShop Support",
			InReplyTo:  "CAF7sQ1xq0M9kA5b+Vz4oA@mail.gmail.com",
			References: []string{"CAF7sQ1xq0M9kA5b+Vz4oA@mail.gmail.com"},
		}},
		{"reply_html_attachment", Outgoing{
			MessageID:  "kq3x7m2a@shop.example",
			To:         []mail.Address{{Name: "Carol Wright", Address: "c.wright@contoso.example"}},
			Cc:         []mail.Address{{Address: "orders@contoso.example"}},
			ReplyTo:    "support+t1042.abcdefghijklmnop@shop.example",
			Subject:    "Re: [T-1042] Damaged kettle – replacement on its way",
			Text:       "Hello Carol,\n\nA replacement is on its way. The label is attached.",
			HTML:       "<p>Hello Carol,</p><p>A replacement is on its way. The label is attached.</p>",
			InReplyTo:  "DB9PR01MB1234ABCD5678EF90@DB9PR01MB1234.eurprd01.prod.outlook.com",
			References: []string{"<root@shop.example>", "DB9PR01MB1234ABCD5678EF90@DB9PR01MB1234.eurprd01.prod.outlook.com"},
			Attachments: []OutAttachment{{Filename: "label.pdf", ContentType: "application/pdf",
				Data: []byte("%PDF-1.4\n%%EOF\n")}},
		}},
		{"auto_ack_html_only", Outgoing{
			MessageID: "ack1@shop.example",
			To:        []mail.Address{{Address: "bob@martin.example"}},
			ReplyTo:   "support+t1050.zzzzzzzzzzzzzzzz@shop.example",
			Subject:   "[T-1050] We got your message\r\nBcc: injected@evil.example",
			HTML:      "<p>Thanks, we will answer within a day.</p>",
			AutoReply: true,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, raw, err := testComposer().Compose(tt.out)
			if err != nil {
				t.Fatal(err)
			}
			if tt.out.MessageID != "" && id != tt.out.MessageID {
				t.Errorf("id %q", id)
			}
			if !strings.HasSuffix(id, "@shop.example") || !strings.Contains(string(raw), "Message-ID: <"+id+">") {
				t.Errorf("Message-ID %q not on the support domain or not in the message", id)
			}
			got := normalise(string(raw), tt.out.MessageID == "")
			path := filepath.Join("testdata", "golden", tt.name+".eml")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s differs (go test -run TestComposeGolden -update to accept):\n%s", path, got)
			}
		})
	}
}

// TestComposeRoundTrip reads a composed reply back with Parse: what the
// hub sends threads the way it reads.
func TestComposeRoundTrip(t *testing.T) {
	c := testComposer()
	id, raw, err := c.Compose(Outgoing{
		To: []mail.Address{{Name: "Ann", Address: "ann@example.com"}}, ReplyTo: "support+t7.x@shop.example",
		Subject: "Re: [T-7] Ünïcode subject", Text: "Körper\nline two", HTML: "<p>Körper</p>",
		InReplyTo: "parent@example.com", References: []string{"root@example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.MessageID != id || m.Subject != "Re: [T-7] Ünïcode subject" || m.Text != "Körper\nline two" ||
		strings.Join(m.References, " ") != "root@example.com parent@example.com" ||
		strings.Join(m.InReplyTo, " ") != "parent@example.com" || len(m.ReplyTo) != 1 ||
		m.ReplyTo[0].Address != "support+t7.x@shop.example" || m.From.Address != "support@shop.example" ||
		!strings.Contains(m.HTML, "Körper") || m.Class != ClassHuman {
		t.Errorf("round trip: %+v", m)
	}
	if _, _, err := c.Compose(Outgoing{Text: "nobody"}); err != ErrNoRecipient {
		t.Errorf("no recipient: %v", err)
	}
}

func TestReferencesTrimmed(t *testing.T) {
	var refs []string
	for i := range 30 {
		refs = append(refs, "r"+strconv.Itoa(i)+"@x")
	}
	got := references(refs, "r29@x")
	if len(got) != maxReferences || got[0] != "<r0@x>" || got[len(got)-1] != "<r29@x>" || got[1] != "<r11@x>" {
		t.Errorf("%v", got)
	}
}
