package email

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

// message20K is a 20 KB reply as Gmail would send it: text and HTML.
func message20K() []byte {
	para := "Thanks for the quick answer. The kettle still leaks at the lid, even after the replacement seal.\r\n"
	var text, html strings.Builder
	for text.Len() < 9000 {
		text.WriteString(para)
		html.WriteString("<div>" + strings.TrimSpace(para) + "</div>\r\n")
	}
	var b bytes.Buffer
	b.WriteString("From: Ann Lee <ann.lee@gmail.com>\r\nTo: support@shop.example\r\nSubject: Re: [T-1041] leak\r\n" +
		"Message-ID: <bench@mail.gmail.com>\r\nIn-Reply-To: <p9v1c0de@shop.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n")
	b.WriteString(text.String())
	b.WriteString("\r\nOn Mon, 9 Mar 2026 at 17:02, Shop Support <support@shop.example> wrote:\r\n> Hi Ann\r\n")
	b.WriteString("--b\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n")
	b.WriteString(html.String())
	b.WriteString("--b--\r\n")
	return b.Bytes()
}

// BenchmarkSMTPIntake measures the listener end to end over loopback:
// MAIL, RCPT, DATA of a 20 KB message and the 250, with a Committer that
// does nothing. msgs/s is the listener's ceiling; the hub's real Committer
// (a Postgres insert) will be the bound in practice.
func BenchmarkSMTPIntake(b *testing.B) {
	raw := message20K()
	nothing := CommitFunc(func(context.Context, Envelope, []byte) error { return nil })
	send := func(b *testing.B, c *smtp.Client) {
		if err := c.SendMail("ann.lee@gmail.com", []string{"support@shop.example"}, bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
	}
	dial := func(b *testing.B, addr string) *smtp.Client {
		c, err := smtp.Dial(addr)
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	b.Run("one connection", func(b *testing.B) {
		c := dial(b, startListener(b, ListenerConfig{Committer: nothing}))
		defer c.Close()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			send(b, c)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
	b.Run("parallel connections", func(b *testing.B) {
		addr := startListener(b, ListenerConfig{Committer: nothing})
		b.SetBytes(int64(len(raw)))
		b.RunParallel(func(pb *testing.PB) {
			c := dial(b, addr)
			defer c.Close()
			for pb.Next() {
				send(b, c)
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}

// BenchmarkParse measures Parse on the 20 KB reply and on each corpus
// message.
func BenchmarkParse(b *testing.B) {
	inputs := map[string][]byte{"20KB_reply": message20K()}
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.eml"))
	for _, f := range files {
		inputs[strings.TrimSuffix(filepath.Base(f), ".eml")] = corpus(b, filepath.Base(f))
	}
	for name, raw := range inputs {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(raw, ParseOptions{MaxAttachmentBytes: 1 << 20}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
