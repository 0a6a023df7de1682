package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	wc "hub/connectors/woocommerce"
	"hub/tickets"
)

// TypeOrderNote sends an agent's public reply to the customer as a
// WooCommerce customer order note (which WooCommerce emails to them).
const TypeOrderNote = "woocommerce:order_note"

type notePayload struct {
	TicketID    string `json:"ticket_id"`
	MessageID   int64  `json:"message_id"`
	Store       string `json:"store"`
	OrderID     string `json:"order_id"`
	OrderNumber string `json:"order_number"`
}

// Followups asks for an order note when an agent replies publicly on a
// ticket linked to a WooCommerce order: the most recently linked one. The
// task itself checks that the store allows it.
func Followups(t tickets.Ticket, e tickets.Event) []tickets.Followup {
	if e.Type != tickets.EventMessageCreated || e.After["kind"] != string(tickets.MessageReply) {
		return nil
	}
	msgID, ok := messageID(e.After["message_id"])
	if !ok {
		return nil
	}
	for i := len(t.Orders) - 1; i >= 0; i-- {
		o := t.Orders[i]
		if !strings.HasPrefix(o.Store, KeyPrefix) || strings.HasPrefix(o.OrderID, "#") {
			continue // another store's, or known by number only so far
		}
		b, _ := json.Marshal(notePayload{TicketID: t.ID, MessageID: msgID, Store: o.Store, OrderID: o.OrderID, OrderNumber: o.OrderNumber})
		return []tickets.Followup{{Type: TypeOrderNote, Payload: b, Unique: strconv.FormatInt(msgID, 10)}}
	}
	return nil
}

// messageID reads the id from an event's After map, as written (int64) or
// as read back from JSON (float64).
func messageID(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), n > 0
	case json.Number:
		id, err := n.Int64()
		return id, err == nil
	}
	return 0, false
}

// Messages is what the note sender reads and writes.
type Messages interface {
	ListMessages(ctx context.Context, ref string) ([]tickets.Message, error)
	AddMessage(ctx context.Context, actor tickets.Actor, ref string, m tickets.NewMessage) (tickets.Message, tickets.Ticket, error)
}

// Notes posts replies as order notes, exactly once per reply: the note's id
// is recorded on the ticket as a timeline entry keyed by the reply, and a
// retry after a crash between posting and recording finds the posted note
// in the order's notes instead of posting it again.
type Notes struct {
	Stores interface {
		Settings(ctx context.Context, key string) (Store, error)
	}
	Messages Messages
	Log      *slog.Logger
}

var notesActor = tickets.Actor{Kind: tickets.ActorSystem, ID: "woocommerce", Name: "WooCommerce order notes"}

// Register adds the handler to mux.
func (n *Notes) Register(mux *asynq.ServeMux) { mux.HandleFunc(TypeOrderNote, n.handle) }

func (n *Notes) handle(ctx context.Context, t *asynq.Task) error {
	var p notePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.MessageID == 0 {
		return fmt.Errorf("woocommerce: order note: bad payload: %w", asynq.SkipRetry)
	}
	err := n.Send(ctx, p.TicketID, p.MessageID, p.Store, p.OrderID, p.OrderNumber)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND || wc.IsNotFound(err) {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	return err
}

// Send posts message msgID of the ticket as a customer note on the order,
// unless the store does not allow it or it was sent already.
func (n *Notes) Send(ctx context.Context, ticketID string, msgID int64, store, orderID, orderNumber string) error {
	st, err := n.Stores.Settings(ctx, store)
	if err != nil {
		return err
	}
	if !st.CustomerNotes {
		return nil // the store keeps replies out of its emails
	}
	order, err := strconv.ParseInt(orderID, 10, 64)
	if err != nil {
		return tickets.Errorf(tickets.EINVALID, "order id %q is not a WooCommerce id", orderID)
	}
	msgs, err := n.Messages.ListMessages(ctx, ticketID)
	if err != nil {
		return err
	}
	var reply *tickets.Message
	claimed := map[int64]bool{}
	prefix := "order-note:" + strconv.FormatInt(msgID, 10) + ":"
	for i, m := range msgs {
		if m.Source == tickets.SourceWooCommerce && strings.HasPrefix(m.ExternalRef, "order-note:") {
			if strings.HasPrefix(m.ExternalRef, prefix) {
				return nil // sent already
			}
			_, id, _ := strings.Cut(strings.TrimPrefix(m.ExternalRef, "order-note:"), ":")
			nid, _ := strconv.ParseInt(id, 10, 64)
			claimed[nid] = true
		}
		if m.ID == msgID {
			reply = &msgs[i]
		}
	}
	if reply == nil {
		return tickets.Errorf(tickets.ENOTFOUND, "message %d not found on ticket %s", msgID, ticketID)
	}
	if reply.Kind != tickets.MessageReply || reply.DeletedAt != nil {
		return nil
	}
	noteID, err := n.posted(ctx, st, order, reply, claimed)
	if err != nil {
		return err
	}
	if noteID == 0 {
		note, err := st.Client.AddNote(ctx, order, reply.Body, true)
		if err != nil {
			return err
		}
		noteID = int64(note.ID)
	}
	_, _, err = n.Messages.AddMessage(ctx, notesActor, ticketID, tickets.NewMessage{
		Kind:        tickets.MessageSystem,
		Body:        fmt.Sprintf("Reply sent to the customer by email as a note on WooCommerce order #%s.", orderNumber),
		Source:      tickets.SourceWooCommerce,
		ExternalRef: prefix + strconv.FormatInt(noteID, 10),
	})
	return err
}

// posted finds a customer note with the reply's text, not claimed by
// another reply, written since the reply: a note an earlier run posted
// before it could record it.
func (n *Notes) posted(ctx context.Context, st Store, order int64, reply *tickets.Message, claimed map[int64]bool) (int64, error) {
	notes, err := st.Client.ListNotes(ctx, order)
	if err != nil {
		return 0, err
	}
	for _, note := range notes {
		if bool(note.CustomerNote) && !claimed[int64(note.ID)] &&
			strings.TrimSpace(note.Note) == strings.TrimSpace(reply.Body) &&
			!note.DateCreatedGMT.Before(reply.CreatedAt.Add(-5*time.Minute)) {
			return int64(note.ID), nil
		}
	}
	return 0, nil
}
