package email

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	conn "hub/connectors/email"
	"hub/tickets"
	"hub/webhooks"
)

// TypeSendReply emails one public reply to the ticket's customer.
const TypeSendReply = "email:send_reply"

type replyPayload struct {
	TicketID  string `json:"ticket_id"`
	MessageID int64  `json:"message_id"`
}

// Mailer sends composed mail (*email.Sender).
type Mailer interface {
	NewMessageID() string
	Send(ctx context.Context, o conn.Outgoing) (string, error)
}

// ReplyStore is what sending reads and records (*postgres.Store).
type ReplyStore interface {
	GetTicket(ctx context.Context, ref string) (tickets.Ticket, error)
	ListMessages(ctx context.Context, ref string) ([]tickets.Message, error)
	EmailThread(ctx context.Context, ticketID string) (ids []string, lastInbound string, err error)
	StartEmailReply(ctx context.Context, replyID int64, ticketID, messageID, recipient string) (id, to, status string, err error)
	EmailReplyAttempt(ctx context.Context, replyID int64, reason string) (int, error)
	EmailReplySent(ctx context.Context, replyID int64) error
	EmailReplyFailed(ctx context.Context, actor tickets.Actor, replyID int64, reason, notice string) error
}

// Replies emails agents' public replies. Each reply gets its Message-ID
// before the first try and is sent until the mail server accepts it: a
// temporary failure is retried with a doubling delay, up to MaxAttempts;
// a permanent one (or the last try) is written on the ticket.
type Replies struct {
	Store     ReplyStore
	Mail      Mailer
	Addresses *conn.ReplyAddresses
	// MaxAttempts is how many tries a reply gets (default 8); Backoff the
	// first wait between them, doubling to at most an hour (default 30 s).
	MaxAttempts int
	Backoff     time.Duration
	Log         *slog.Logger
}

var systemActor = tickets.Actor{Kind: tickets.ActorSystem, ID: "email", Name: "Email"}

// Register adds the task handler to mux.
func (r *Replies) Register(mux *asynq.ServeMux) { mux.HandleFunc(TypeSendReply, r.handle) }

// Followups asks for an email when an agent replies publicly to a
// customer who has an email address, whatever the reply came from (the
// API, Slack's reply modal, ...).
func (r *Replies) Followups(t tickets.Ticket, e tickets.Event) []tickets.Followup {
	if e.Type != tickets.EventMessageCreated || fmt.Sprint(e.After["kind"]) != string(tickets.MessageReply) || t.Customer.Email == "" {
		return nil
	}
	id := int64Of(e.After["message_id"])
	if id == 0 {
		return nil
	}
	b, _ := json.Marshal(replyPayload{TicketID: t.ID, MessageID: id})
	return []tickets.Followup{{Type: TypeSendReply, Payload: b, Unique: strconv.FormatInt(id, 10)}}
}

// Reaches says how a public reply on t would reach its customer by email,
// for the Slack reply modal and the API's check; nil when it cannot.
func (r *Replies) Reaches(_ context.Context, t tickets.Ticket) []string {
	if t.Customer.Email == "" {
		return nil
	}
	return []string{"an email to " + t.Customer.Email}
}

func (r *Replies) handle(ctx context.Context, task *asynq.Task) error {
	var p replyPayload
	if err := json.Unmarshal(task.Payload(), &p); err != nil || p.MessageID == 0 {
		return fmt.Errorf("email: send reply: bad payload: %w", asynq.SkipRetry)
	}
	err := r.Send(ctx, p.TicketID, p.MessageID)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	return err
}

// Send emails reply msgID of the ticket unless it was sent (or given up
// on) already.
func (r *Replies) Send(ctx context.Context, ticketID string, msgID int64) error {
	t, err := r.Store.GetTicket(ctx, ticketID)
	if err != nil {
		return err
	}
	msgs, err := r.Store.ListMessages(ctx, t.ID)
	if err != nil {
		return err
	}
	var reply *tickets.Message
	for i := range msgs {
		if msgs[i].ID == msgID {
			reply = &msgs[i]
		}
	}
	if reply == nil {
		return tickets.Errorf(tickets.ENOTFOUND, "message %d not found on ticket %s", msgID, t.Ref())
	}
	if reply.Kind != tickets.MessageReply || reply.DeletedAt != nil || t.Customer.Email == "" {
		return nil
	}
	mid, to, status, err := r.Store.StartEmailReply(ctx, reply.ID, t.ID, r.Mail.NewMessageID(), t.Customer.Email)
	if err != nil {
		return err
	}
	if status != "sending" {
		return nil
	}
	ids, last, err := r.Store.EmailThread(ctx, t.ID)
	if err != nil {
		return err
	}
	out := ReplyMessage(t, reply.Body, mid, to, ids, last, r.Addresses)
	log := r.log().With("ticket", t.Ref(), "reply_id", reply.ID)
	_, sendErr := r.Mail.Send(ctx, out)
	if sendErr == nil {
		log.Info("reply emailed", "to_domain", domainOf(to))
		return r.Store.EmailReplySent(ctx, reply.ID)
	}
	if conn.IsTemporary(sendErr) {
		n, err := r.Store.EmailReplyAttempt(ctx, reply.ID, sendErr.Error())
		if err != nil {
			return err
		}
		if n < r.maxAttempts() {
			log.Warn("reply not emailed yet; retrying", "attempt", n, "err", sendErr)
			return webhooks.Wait(r.delay(n), sendErr)
		}
	}
	log.Warn("reply could not be emailed", "err", sendErr)
	notice := fmt.Sprintf("The reply could not be emailed to %s: %s. Nothing was sent; reply again once the cause is fixed, or reach the customer another way.",
		to, sendReason(sendErr))
	return r.Store.EmailReplyFailed(ctx, systemActor, reply.ID, sendErr.Error(), notice)
}

func (r *Replies) maxAttempts() int {
	if r.MaxAttempts > 0 {
		return r.MaxAttempts
	}
	return 8
}

func (r *Replies) delay(n int) time.Duration {
	d := r.Backoff
	if d <= 0 {
		d = 30 * time.Second
	}
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

func (r *Replies) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// sendReason is the mail server's answer in words an agent can pass on.
func sendReason(err error) string {
	var se *conn.SendError
	msg := err.Error()
	if ok := asSendError(err, &se); ok && se.Code > 0 {
		return fmt.Sprintf("the mail server answered %d (%v)", se.Code, se.Err)
	}
	return msg
}

// ReplyMessage is the mail a public reply becomes: from the support
// address (the Mailer's), to the customer, answering their latest message
// and referencing the whole thread, with the ticket's reply address as
// Reply-To, in text and HTML.
func ReplyMessage(t tickets.Ticket, body, messageID, to string, thread []string, inReplyTo string, addrs *conn.ReplyAddresses) conn.Outgoing {
	out := conn.Outgoing{
		MessageID:  messageID,
		To:         []mail.Address{{Name: t.Customer.Name, Address: to}},
		Subject:    ReplySubject(t),
		Text:       body,
		HTML:       ReplyHTML(body),
		InReplyTo:  inReplyTo,
		References: thread,
	}
	if addrs != nil {
		out.ReplyTo = addrs.For(t.Number)
	}
	return out
}

var reTag = regexp.MustCompile(`(?i)\[\s*T-\d+\s*\]`)

// ReplySubject is "Re: <subject> [T-1042]": the reference lets a customer
// who writes a new mail with the same subject still reach the ticket.
func ReplySubject(t tickets.Ticket) string {
	s := strings.Join(strings.Fields(reTag.ReplaceAllString(t.Subject, "")), " ")
	for {
		l := strings.ToLower(s)
		if !strings.HasPrefix(l, "re:") && !strings.HasPrefix(l, "aw:") && !strings.HasPrefix(l, "fwd:") {
			break
		}
		s = strings.TrimSpace(s[strings.IndexByte(s, ':')+1:])
	}
	return strings.TrimSpace("Re: " + s + " [" + t.Ref() + "]")
}

// ReplyHTML renders an agent's plain-text reply as simple HTML:
// paragraphs and line breaks, everything escaped.
func ReplyHTML(body string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><body>\n")
	for _, para := range strings.Split(strings.ReplaceAll(strings.TrimSpace(body), "\r\n", "\n"), "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		lines := strings.Split(para, "\n")
		for i := range lines {
			lines[i] = html.EscapeString(lines[i])
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>\n") + "</p>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

func domainOf(addr string) string {
	_, d, _ := strings.Cut(addr, "@")
	return d
}

func int64Of(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	case json.Number:
		i, _ := n.Int64()
		return i
	}
	return 0
}
