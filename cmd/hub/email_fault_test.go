package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/connectors/email/emailtest"
	"hub/tickets/postgres/pgtest"
	"hub/webhooks/faulttest"
)

// countRows counts rows of a query on the hub's database.
func countRows(t testing.TB, dbURL, query string, args ...any) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var n int
	if err := c.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEmailSizeLimitAndPostgresDown(t *testing.T) {
	env, _, _ := emailEnv(t)
	dbURL := pgtest.URL(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := faulttest.NewProxy(t, u.Host)
	u.Host = proxy.Addr()
	env["DATABASE_URL"] = u.String()
	h := bootEmailHub(t, env)

	// 30 MB is past the 25 MB cap: 552, and nothing recorded.
	big := mailText("ann@customer.test", supportAddr, "huge", "huge@customer.test", "", strings.Repeat("0123456789abcdef\n", 30<<20/17))
	if code := smtpCode(h.send(t, "ann@customer.test", []string{supportAddr}, big)); code != 552 {
		t.Errorf("30 MB message: %d, want 552", code)
	}
	if n := countRows(t, dbURL, `select count(*) from deliveries`); n != 0 {
		t.Errorf("%d deliveries recorded for a refused message", n)
	}
	// A recipient the hub does not serve is refused at RCPT.
	if code := smtpCode(h.send(t, "ann@customer.test", []string{"sales@shop.test"}, mailText("ann@customer.test", "sales@shop.test", "x", "x@customer.test", "", "x"))); code != 550 {
		t.Errorf("RCPT for an address not served: %d, want 550", code)
	}

	// Postgres down: 451, so the sending server keeps the message and
	// retries; the retry arrives once.
	msg := mailText("dan@customer.test", supportAddr, "Order late", "late1@customer.test", "", "Where is my order?")
	proxy.Refuse()
	if code := smtpCode(h.send(t, "dan@customer.test", []string{supportAddr}, msg)); code != 451 {
		t.Errorf("with Postgres down: %d, want 451", code)
	}
	proxy.Restore()
	waitFor(t, "the retried message to be accepted", func() bool {
		return h.send(t, "dan@customer.test", []string{supportAddr}, msg) == nil
	})
	h.mustSend(t, "dan@customer.test", msg) // the sender retrying once more after a lost 250
	h.waitTicket(t, "dan@customer.test")
	if n := countRows(t, dbURL, `select count(*) from deliveries where source = 'email'`); n != 1 {
		t.Errorf("%d deliveries, want 1", n)
	}
	if n := len(h.ticketsOf(t, "dan@customer.test")); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
}

func TestEmailIMAPRestartImportsEachMessageOnce(t *testing.T) {
	env, _, certs := emailEnv(t)
	srv, err := emailtest.StartIMAP(certs.Server, "support", "imap-pass")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	const n = 30
	for i := range n {
		raw := mailText(fmt.Sprintf("c%d@customer.test", i), supportAddr, fmt.Sprintf("Question %d", i),
			fmt.Sprintf("imap-%d@customer.test", i), "", fmt.Sprintf("Question number %d.", i))
		if _, err := srv.Append("INBOX", []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	delete(env, "EMAIL_SMTP_LISTEN")
	env["EMAIL_IMAP_URL"] = "imaps://support:imap-pass@" + srv.Addr + "/INBOX"
	env["DATABASE_URL"] = pgtest.URL(t)
	// Deliveries the first hub recorded but did not process are the
	// second's sweeper's to pick up.
	env["HUB_SWEEP_AFTER"] = "1s"
	dbURL := env["DATABASE_URL"]
	imported := func() int {
		return countRows(t, dbURL, `select count(*) from deliveries where source = 'email' and topic = 'imap'`)
	}

	// The first hub stops part way (or just after: either way the
	// second must take over from where the cursor says).
	h1 := bootEmailHub(t, env)
	waitFor(t, "the import to start", func() bool { return imported() >= 5 })
	h1.stop()
	// Make the crash window real: the cursor behind messages already
	// committed, as when a process dies between the two writes.
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, `update email_cursors set last_uid = greatest(last_uid - 3, 0)`); err != nil {
		t.Fatal(err)
	}
	c.Close(ctx)

	h2 := bootEmailHub(t, env)
	waitFor(t, "every message imported", func() bool { return imported() == n })
	waitFor(t, "every ticket opened", func() bool {
		return countRows(t, dbURL, `select count(*) from tickets where source = 'email'`) == n
	})
	waitFor(t, "every message flagged", func() bool {
		_, unseen, err := srv.Counts("INBOX")
		return err == nil && unseen == 0
	})
	if got := countRows(t, dbURL, `select count(distinct key) from deliveries where source = 'email'`); got != n || imported() != n {
		t.Errorf("%d distinct of %d deliveries, want %d", got, imported(), n)
	}
	_ = h2
}

func TestEmailReplyRetriedThenShownWhenItFails(t *testing.T) {
	env, outbox, _ := emailEnv(t)
	env["EMAIL_SEND_ATTEMPTS"] = "3"
	h := bootEmailHub(t, env)
	const fay = "fay@customer.test"
	h.mustSend(t, fay, mailText(fay, supportAddr, "Wrong size", "fay1@customer.test", "", "The shoes are too small."))
	tk := h.waitTicket(t, fay)
	reply := func(text string) {
		t.Helper()
		if code, resp := h.post(t, "/api/v1/tickets/"+tk.Ref+"/messages", `{"body":"`+text+`","visibility":"public"}`); code != http.StatusCreated {
			t.Fatalf("reply: %d %s", code, resp)
		}
	}
	failedWith := func(code string) bool {
		for _, m := range h.messages(t, tk.Ref) {
			if m.Kind == "system" && strings.Contains(m.Body, "could not be emailed to "+fay) && strings.Contains(m.Body, code) {
				return true
			}
		}
		return false
	}
	var state struct {
		FirstResponseAt *time.Time `json:"first_response_at"`
		ReplyError      *string    `json:"reply_error"`
	}

	// A permanent refusal is not retried, is shown on the ticket, and is
	// no first response: the customer never got it.
	outbox.FailNext(550, "no such user")
	reply("Hello?")
	waitFor(t, "the permanent failure on the ticket", func() bool { return failedWith("550") })
	if h.getJSON(t, "/api/v1/tickets/"+tk.Ref, &state); state.FirstResponseAt != nil {
		t.Error("an undelivered reply counted as the first response")
	}
	if state.ReplyError == nil || !strings.Contains(*state.ReplyError, "550") {
		t.Errorf("reply_error %v", state.ReplyError)
	}

	// A temporary failure is retried: the customer gets the reply once,
	// and that is the first response.
	outbox.FailNext(451, "try again later")
	reply("We will swap them.")
	waitFor(t, "the retried reply", func() bool { return len(sentTo(outbox, fay)) == 1 })
	waitFor(t, "the first response", func() bool {
		h.getJSON(t, "/api/v1/tickets/"+tk.Ref, &state)
		return state.FirstResponseAt != nil
	})
	if state.ReplyError != nil {
		t.Errorf("reply_error %q after a reply got through", *state.ReplyError)
	}

	// Failing every time: given up after the last try and shown on the
	// ticket (and so in its Slack thread).
	for range 3 {
		outbox.FailNext(451, "mailbox busy")
	}
	reply("Tracking: 1Z999.")
	waitFor(t, "the failure on the ticket", func() bool { return failedWith("451") })
	if got := len(sentTo(outbox, fay)); got != 1 {
		t.Errorf("%d replies delivered, want 1", got)
	}
}

func TestPublicReplyWithNoChannelIsRefused(t *testing.T) {
	h := bootEmailHub(t, nil) // no email, no store, no Zapier workflow
	code, resp := h.post(t, "/api/v1/tickets", `{"subject":"Broken","customer":{"email":"gil@customer.test"}}`)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, resp)
	}
	var tk mailTicket
	if err := jsonUnmarshal(resp, &tk); err != nil {
		t.Fatal(err)
	}
	code, resp = h.post(t, "/api/v1/tickets/"+tk.Ref+"/messages", `{"body":"On its way.","visibility":"public"}`)
	if code != http.StatusConflict || !strings.Contains(string(resp), "connect email") {
		t.Errorf("public reply without a channel: %d %s", code, resp)
	}
	if n := len(h.messages(t, tk.Ref)); n != 0 {
		t.Errorf("%d messages recorded", n)
	}
	// An internal note needs no channel.
	if code, resp := h.post(t, "/api/v1/tickets/"+tk.Ref+"/messages", `{"body":"Check stock.","visibility":"internal"}`); code != http.StatusCreated {
		t.Errorf("note: %d %s", code, resp)
	}
}
