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

	conn "hub/connectors/email"
	"hub/tickets"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func TestReplySubject(t *testing.T) {
	for _, tt := range []struct{ subject, want string }{
		{"Kettle leaks", "Re: Kettle leaks [T-1042]"},
		{"Re: Kettle leaks", "Re: Kettle leaks [T-1042]"},
		{"RE: AW: Fwd: Kettle leaks", "Re: Kettle leaks [T-1042]"},
		{"[T-1042] Kettle leaks", "Re: Kettle leaks [T-1042]"},
		{"Re: Kettle [t-1042] leaks", "Re: Kettle leaks [T-1042]"},
	} {
		if got := ReplySubject(tickets.Ticket{Number: 1042, Subject: tt.subject}); got != tt.want {
			t.Errorf("ReplySubject(%q) = %q, want %q", tt.subject, got, tt.want)
		}
	}
}

func TestDedupeKey(t *testing.T) {
	body := "From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n"
	traced := "Return-Path: <a@example.com>\r\nReceived: from mx ([127.0.0.1])\r\n\tby shop.test with ESMTP;\r\n\tMon, 2 Mar 2026 10:00:00 +0000\r\n" + body
	tracedLater := strings.Replace(traced, "10:00:00", "10:05:00", 1)
	for _, tt := range []struct {
		name, a, b string
		same       bool
	}{
		{"Message-ID decides", "Message-ID: <x@y>\r\n" + body, "Message-ID: <x@y>\r\nX-Other: 1\r\n" + body, true},
		{"different Message-IDs", "Message-ID: <x@y>\r\n" + body, "Message-ID: <z@y>\r\n" + body, false},
		{"no Message-ID: our trace headers do not count", traced, tracedLater, true},
		{"no Message-ID: other text differs", body, strings.Replace(body, "hello", "hullo", 1), false},
	} {
		if got := DedupeKey([]byte(tt.a)) == DedupeKey([]byte(tt.b)); got != tt.same {
			t.Errorf("%s: same key = %v, want %v (%s vs %s)", tt.name, got, tt.same, DedupeKey([]byte(tt.a)), DedupeKey([]byte(tt.b)))
		}
	}
	if k := DedupeKey([]byte("Message-ID: <" + strings.Repeat("a", 300) + "@y>\r\n" + body)); len(k) > maxKey {
		t.Errorf("a long Message-ID gives a %d-character key", len(k))
	}
}

var boundary = regexp.MustCompile(`boundary="?([0-9A-Za-z'()+_,\-./:=?]+)"?`)

// TestReplyGolden pins the mail a public reply becomes, as the customer's
// client receives it (go test -run TestReplyGolden -update to accept).
func TestReplyGolden(t *testing.T) {
	addrs, err := conn.NewReplyAddresses("support@shop.example", []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	tk := tickets.Ticket{Number: 1042, Subject: "Kettle leaks <again>", Customer: tickets.Customer{Name: "Ann Lee", Email: "ann@example.com"}}
	out := ReplyMessage(tk, "Sorry to hear that, Ann!\n\nCould you send a photo of the base?\nThanks & regards", "r3ply01@shop.example",
		"ann@example.com", []string{"first@example.com", "r3ply00@shop.example", "second@example.com"}, "second@example.com", addrs)
	c := conn.Composer{From: mail.Address{Name: "Shop Support", Address: "support@shop.example"},
		Now: func() time.Time { return time.Date(2026, 3, 9, 16, 12, 0, 0, time.UTC) }}
	_, raw, err := c.Compose(out)
	if err != nil {
		t.Fatal(err)
	}
	got := string(raw)
	for i, m := range boundary.FindAllStringSubmatch(got, -1) {
		got = strings.ReplaceAll(got, m[1], "BOUNDARY-"+strconv.Itoa(i+1))
	}
	got = strings.ReplaceAll(got, "\r\n", "\n")
	path := filepath.Join("testdata", "golden", "reply.eml")
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
		t.Errorf("%s differs (go test -run TestReplyGolden -update to accept):\n%s", path, got)
	}
	// What the customer's client reads back.
	m, err := conn.Parse(raw, conn.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.InReplyTo[0] != "second@example.com" || len(m.References) != 3 || m.ReplyTo[0].Address != addrs.For(1042) ||
		!strings.Contains(m.HTML, "Thanks &amp; regards") || !strings.Contains(m.Text, "Could you send a photo") {
		t.Errorf("parsed back: %+v", m)
	}
}
