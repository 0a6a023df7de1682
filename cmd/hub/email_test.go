package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	conn "hub/connectors/email"
	"hub/connectors/email/emailtest"
	"hub/tickets/postgres/pgtest"
)

// emailHub is a whole hub with the email channel on: its SMTP listener on
// a free port, replies sent to a real SMTP server (emailtest.Outbox).
type emailHub struct {
	*testHub
	smtpAddr string
	outbox   *emailtest.Outbox
	env      map[string]string
	stop     func()
}

const supportAddr = "support@shop.test"

// emailEnv starts an SMTP server for replies and returns the environment
// of a hub that sends through it and listens for mail of its own.
func emailEnv(t testing.TB) (map[string]string, *emailtest.Outbox, *emailtest.TLS) {
	t.Helper()
	certs, err := emailtest.NewTLS(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	outbox, err := emailtest.StartOutbox(emailtest.OutboxConfig{TLS: certs.Server})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = outbox.Close() })
	ca := filepath.Join(t.TempDir(), "ca.pem")
	leaf := certs.Server.Certificates[0].Leaf
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"EMAIL_ADDRESS":      "Shop Support <" + supportAddr + ">",
		"EMAIL_SMTP_LISTEN":  "127.0.0.1:0",
		"EMAIL_SMTP_URL":     "smtp://" + outbox.Addr,
		"EMAIL_TLS_CA_FILE":  ca,
		"EMAIL_SEND_BACKOFF": "100ms",
		"HUB_SECRET_KEY":     "email-test-secret-key-0123456789",
	}, outbox, certs
}

// bootEmailHub boots a hub on env (DATABASE_URL included, so that two
// hubs can share a database one after the other); stop ends it early.
func bootEmailHub(t testing.TB, env map[string]string) *emailHub {
	t.Helper()
	full := map[string]string{
		"HUB_QUEUE":   "hubtest-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		"HUB_API_KEY": "test-admin-key-0123456789",
	}
	for k, v := range env {
		full[k] = v
	}
	if full["DATABASE_URL"] == "" {
		full["DATABASE_URL"] = pgtest.URL(t)
	}
	cfg, err := LoadConfig(envOf(full))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	app, err := Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	_ = app.insp.DeleteQueue(cfg.Queue, true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.serve(ctx, ln, true) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("hub stopped with %v", err)
			}
			_ = app.insp.DeleteQueue(cfg.Queue, true)
			app.Close()
		})
	}
	t.Cleanup(stop)
	h := &emailHub{testHub: &testHub{app: app, base: "http://" + ln.Addr().String(), key: full["HUB_API_KEY"]}, env: full, stop: stop}
	if app.email != nil && cfg.Email.SMTPListen != "" {
		select {
		case h.smtpAddr = <-app.email.smtpAddr:
		case <-time.After(30 * time.Second):
			t.Fatal("the SMTP listener did not start")
		}
	}
	return h
}

// send delivers raw over SMTP to the hub's listener, as a sending server.
func (h *emailHub) send(t testing.TB, from string, to []string, raw string) error {
	t.Helper()
	c, err := smtp.Dial(h.smtpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.SendMail(from, to, strings.NewReader(raw))
}

func (h *emailHub) mustSend(t *testing.T, from string, raw string) {
	t.Helper()
	if err := h.send(t, from, []string{supportAddr}, raw); err != nil {
		t.Fatalf("SMTP: %v", err)
	}
}

func mailText(from, to, subject, id, inReplyTo, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n", from, to, subject)
	if id != "" {
		fmt.Fprintf(&b, "Message-ID: <%s>\r\n", id)
	}
	if inReplyTo != "" {
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\nReferences: <%s>\r\n", inReplyTo, inReplyTo)
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	b.WriteString("\r\n")
	return b.String()
}

type mailTicket struct {
	ID         string  `json:"id"`
	Ref        string  `json:"ref"`
	Subject    string  `json:"subject"`
	Status     string  `json:"status"`
	Source     string  `json:"source"`
	FollowUpOf *string `json:"follow_up_of"`
	Customer   struct {
		Email string `json:"email"`
	} `json:"customer"`
}

type mailMessage struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	Body   string `json:"body"`
	Source string `json:"source"`
}

func (h *emailHub) getJSON(t *testing.T, path string, into any) int {
	t.Helper()
	code, _, body := h.call(t, http.MethodGet, path, "", map[string]string{"X-API-Key": h.key})
	if code == http.StatusOK {
		if err := json.Unmarshal(body, into); err != nil {
			t.Fatalf("GET %s: %v in %s", path, err, body)
		}
	}
	return code
}

func (h *emailHub) ticketsOf(t *testing.T, email string) []mailTicket {
	t.Helper()
	var page struct {
		Tickets []mailTicket `json:"tickets"`
	}
	h.getJSON(t, "/api/v1/tickets?email="+url.QueryEscape(email), &page)
	return page.Tickets
}

func (h *emailHub) ticket(t *testing.T, ref string) mailTicket {
	t.Helper()
	var tk mailTicket
	if code := h.getJSON(t, "/api/v1/tickets/"+ref, &tk); code != http.StatusOK {
		t.Fatalf("GET ticket %s: %d", ref, code)
	}
	return tk
}

func (h *emailHub) messages(t *testing.T, ref string) []mailMessage {
	t.Helper()
	var out struct {
		Messages []mailMessage `json:"messages"`
	}
	h.getJSON(t, "/api/v1/tickets/"+ref+"/messages", &out)
	return out.Messages
}

// customerSaid reports whether the ticket has a customer message with text.
func (h *emailHub) customerSaid(t *testing.T, ref, text string) bool {
	for _, m := range h.messages(t, ref) {
		if m.Kind == "customer" && strings.Contains(m.Body, text) {
			return true
		}
	}
	return false
}

func (h *emailHub) post(t *testing.T, path, body string) (int, []byte) {
	t.Helper()
	code, _, resp := h.call(t, http.MethodPost, path, body, map[string]string{"X-API-Key": h.key})
	return code, resp
}

func (h *emailHub) patchStatus(t *testing.T, ref, status string) {
	t.Helper()
	code, _, resp := h.call(t, http.MethodPatch, "/api/v1/tickets/"+ref, `{"status":"`+status+`"}`, map[string]string{"X-API-Key": h.key})
	if code != http.StatusOK {
		t.Fatalf("PATCH %s status %s: %d %s", ref, status, code, resp)
	}
}

// waitTicket waits for the customer's only ticket.
func (h *emailHub) waitTicket(t *testing.T, email string) mailTicket {
	t.Helper()
	var list []mailTicket
	waitFor(t, "a ticket for "+email, func() bool { list = h.ticketsOf(t, email); return len(list) > 0 })
	return list[0]
}

// sentTo lists what the outbox received for an address.
func sentTo(o *emailtest.Outbox, addr string) []*conn.Message {
	var out []*conn.Message
	for _, d := range o.Messages() {
		for _, to := range d.To {
			if strings.EqualFold(to, addr) {
				if m, err := conn.Parse(d.Raw, conn.ParseOptions{}); err == nil {
					out = append(out, m)
				}
			}
		}
	}
	return out
}

func rawHeader(raw []byte, name string) string {
	for _, l := range strings.Split(string(raw), "\r\n") {
		if l == "" {
			break
		}
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func TestEmailConversationThreadsBack(t *testing.T) {
	env, outbox, _ := emailEnv(t)
	h := bootEmailHub(t, env)
	const ann = "ann@customer.test"

	// A customer writes: a new ticket.
	h.mustSend(t, ann, mailText("Ann Lee <"+ann+">", supportAddr, "Kettle leaks", "first@customer.test", "",
		"My kettle leaks from the bottom."))
	tk := h.waitTicket(t, ann)
	if tk.Source != "email" || tk.Subject != "Kettle leaks" {
		t.Fatalf("ticket %+v", tk)
	}

	// The agent answers in public: one mail, threaded, text and HTML.
	code, resp := h.post(t, "/api/v1/tickets/"+tk.Ref+"/messages", `{"body":"Sorry to hear that!\n\nCould you send a photo?","visibility":"public"}`)
	if code != http.StatusCreated {
		t.Fatalf("reply: %d %s", code, resp)
	}
	waitFor(t, "the reply to reach the mail server", func() bool { return len(sentTo(outbox, ann)) == 1 })
	out := outbox.Messages()[0]
	sent, _ := conn.Parse(out.Raw, conn.ParseOptions{})
	if len(sent.InReplyTo) != 1 || sent.InReplyTo[0] != "first@customer.test" || sent.References[0] != "first@customer.test" {
		t.Errorf("threading headers: In-Reply-To %v References %v", sent.InReplyTo, sent.References)
	}
	if !strings.Contains(sent.Subject, "["+tk.Ref+"]") || sent.HTML == "" || !strings.Contains(sent.Text, "Could you send a photo?") {
		t.Errorf("reply: subject %q, html %d bytes, text %q", sent.Subject, len(sent.HTML), sent.Text)
	}
	if !out.TLS || len(sent.ReplyTo) != 1 || !strings.HasPrefix(sent.ReplyTo[0].Address, "support+t") {
		t.Errorf("reply: TLS %v, Reply-To %v", out.TLS, sent.ReplyTo)
	}
	replyAddr := sent.ReplyTo[0].Address

	// A bounce of that reply is written on the ticket; it opens nothing.
	bounce, err := os.ReadFile(filepath.Join("..", "..", "connectors", "email", "testdata", "corpus", "dsn_bounce.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.send(t, "", []string{supportAddr}, strings.ReplaceAll(string(bounce), "reply9q8w7e@shop.example", sent.MessageID)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the bounce on the ticket", func() bool {
		for _, m := range h.messages(t, tk.Ref) {
			if m.Kind == "system" && strings.Contains(m.Body, "bounced") && strings.Contains(m.Body, "5.1.1") {
				return true
			}
		}
		return false
	})

	// 1. By headers: the customer answers the hub's mail (a new subject,
	// no reference), quoting it.
	h.patchStatus(t, tk.Ref, "pending")
	h.mustSend(t, ann, mailText(ann, supportAddr, "photo", "second@customer.test", sent.MessageID,
		"Here it is.\n\nOn Mon, 2 Mar 2026 at 10:05, Shop Support <support@shop.test> wrote:\n> Could you send a photo?"))
	waitFor(t, "the answer on the ticket", func() bool { return h.customerSaid(t, tk.Ref, "Here it is.") })
	for _, m := range h.messages(t, tk.Ref) {
		if strings.Contains(m.Body, "Could you send a photo?") && m.Kind == "customer" {
			t.Errorf("quoted history kept: %q", m.Body)
		}
	}
	if got := h.ticket(t, tk.Ref).Status; got != "open" {
		t.Errorf("a customer message on a pending ticket: status %s, want open", got)
	}

	// 2. By the reply address alone (resolved tickets reopen too).
	h.patchStatus(t, tk.Ref, "resolved")
	if err := h.send(t, ann, []string{replyAddr}, mailText(ann, replyAddr, "one more thing", "third@customer.test", "", "It still leaks.")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reply-address mail on the ticket", func() bool { return h.customerSaid(t, tk.Ref, "It still leaks.") })
	if got := h.ticket(t, tk.Ref).Status; got != "open" {
		t.Errorf("a customer message on a resolved ticket: status %s, want open", got)
	}

	// 3. By the subject reference from the customer's own address.
	h.mustSend(t, ann, mailText(ann, supportAddr, "About ["+tk.Ref+"]", "fourth@customer.test", "", "Any news?"))
	waitFor(t, "the subject-reference mail on the ticket", func() bool { return h.customerSaid(t, tk.Ref, "Any news?") })

	// ... and the same reference from someone else opens a new ticket.
	const bob = "bob@elsewhere.test"
	h.mustSend(t, bob, mailText(bob, supportAddr, "About ["+tk.Ref+"]", "bob1@elsewhere.test", "", "Me too!"))
	other := h.waitTicket(t, bob)
	if other.ID == tk.ID || h.customerSaid(t, tk.Ref, "Me too!") {
		t.Errorf("another sender's [%s] joined the ticket", tk.Ref)
	}

	// A forged reply address threads nowhere.
	forged := "support+t" + strings.TrimPrefix(tk.Ref, "T-") + ".aaaaaaaaaaaaaaaa@shop.test"
	const eve = "eve@elsewhere.test"
	if err := h.send(t, eve, []string{forged}, mailText(eve, forged, "hello", "eve1@elsewhere.test", "", "Let me in.")); err != nil {
		t.Fatal(err)
	}
	if h.waitTicket(t, eve).ID == tk.ID {
		t.Error("a forged reply address joined the ticket")
	}

	// A closed ticket: the answer opens a follow-up that links back.
	h.patchStatus(t, tk.Ref, "closed")
	h.mustSend(t, ann, mailText(ann, supportAddr, "Re: Kettle leaks", "fifth@customer.test", sent.MessageID, "It broke again."))
	var follow mailTicket
	waitFor(t, "a follow-up ticket", func() bool {
		for _, x := range h.ticketsOf(t, ann) {
			if x.ID != tk.ID {
				follow = x
				return true
			}
		}
		return false
	})
	if follow.FollowUpOf == nil || *follow.FollowUpOf != tk.ID || !h.customerSaid(t, follow.Ref, "It broke again.") {
		t.Errorf("follow-up %+v", follow)
	}
	if len(sentTo(outbox, ann)) != 1 || len(sentTo(outbox, bob)) != 0 {
		t.Errorf("the hub mailed customers on its own: %d to ann, %d to bob", len(sentTo(outbox, ann)), len(sentTo(outbox, bob)))
	}
}

func TestEmailAttachmentsListedOnTicket(t *testing.T) {
	env, outbox, _ := emailEnv(t)
	env["EMAIL_MAX_ATTACHMENT_BYTES"] = "1000"
	env["EMAIL_ACK"] = "true"
	h := bootEmailHub(t, env)
	const cat = "cat@customer.test"
	small := "c21hbGwgZmlsZQ==" // "small file"
	big := strings.Repeat("QUFBQUFBQUFBQUFB", 100)
	raw := "From: " + cat + "\r\nTo: " + supportAddr + "\r\nSubject: receipts\r\nMessage-ID: <att1@customer.test>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain\r\n\r\nTwo files attached.\r\n" +
		"--b1\r\nContent-Type: text/plain; name=note.txt\r\nContent-Disposition: attachment; filename=note.txt\r\nContent-Transfer-Encoding: base64\r\n\r\n" + small + "\r\n" +
		"--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=big.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" + big + "\r\n" +
		"--b1--\r\n"
	h.mustSend(t, cat, raw)
	tk := h.waitTicket(t, cat)
	var list struct {
		Attachments []struct {
			ID          int64  `json:"id"`
			Filename    string `json:"filename"`
			ContentType string `json:"content_type"`
			Size        int64  `json:"size"`
			Kept        bool   `json:"kept"`
			URL         string `json:"url"`
		} `json:"attachments"`
	}
	if code := h.getJSON(t, "/api/v1/tickets/"+tk.Ref+"/attachments", &list); code != http.StatusOK || len(list.Attachments) != 2 {
		t.Fatalf("attachments: %d %+v", code, list)
	}
	a, b := list.Attachments[0], list.Attachments[1]
	if a.Filename != "note.txt" || a.Size != 10 || !a.Kept || b.Filename != "big.pdf" || b.Kept || b.URL != "" || b.Size != 1200 {
		t.Errorf("attachments %+v", list.Attachments)
	}
	code, hdr, body := h.call(t, http.MethodGet, a.URL, "", map[string]string{"X-API-Key": h.key})
	if code != http.StatusOK || string(body) != "small file" || !strings.Contains(hdr.Get("Content-Disposition"), "note.txt") {
		t.Errorf("download: %d %q %v", code, body, hdr)
	}

	// EMAIL_ACK: the customer is told the ticket's reference, by a mail
	// marked automatic so that robots do not answer it.
	waitFor(t, "the acknowledgement", func() bool { return len(sentTo(outbox, cat)) == 1 })
	ack := outbox.Messages()[0]
	if !strings.Contains(rawHeader(ack.Raw, "Subject"), "["+tk.Ref+"]") || rawHeader(ack.Raw, "Auto-Submitted") != "auto-replied" ||
		rawHeader(ack.Raw, "In-Reply-To") != "<att1@customer.test>" {
		t.Errorf("acknowledgement:\n%s", ack.Raw)
	}
}

func TestEmailRobotsOpenNothing(t *testing.T) {
	env, outbox, _ := emailEnv(t)
	env["EMAIL_ACK"] = "true" // and none of them is acknowledged
	h := bootEmailHub(t, env)
	for _, name := range []string{"out_of_office.eml", "dsn_bounce.eml"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "connectors", "email", "testdata", "corpus", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := h.send(t, "", []string{supportAddr}, string(raw)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	var page struct {
		Deliveries []struct {
			Source string `json:"source"`
			Status string `json:"status"`
			Error  string `json:"error"`
		} `json:"deliveries"`
	}
	waitFor(t, "both recorded as ignored", func() bool {
		h.getJSON(t, "/api/v1/deliveries?status=ignored", &page)
		return len(page.Deliveries) == 2
	})
	reasons := page.Deliveries[0].Error + " | " + page.Deliveries[1].Error
	if !strings.Contains(reasons, "auto-reply") || !strings.Contains(reasons, "bounce") {
		t.Errorf("reasons: %s", reasons)
	}
	var all struct {
		Tickets []mailTicket `json:"tickets"`
	}
	h.getJSON(t, "/api/v1/tickets", &all)
	if len(all.Tickets) != 0 || len(outbox.Messages()) != 0 {
		t.Errorf("robots opened %d tickets and got %d answers", len(all.Tickets), len(outbox.Messages()))
	}
}

func smtpCode(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
