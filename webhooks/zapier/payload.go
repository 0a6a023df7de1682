package zapier

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"hub/tickets"
	"hub/tickets/api"
)

// Events are the ticket events hooks subscribe to, in the order the app
// lists its triggers.
var Events = []string{
	tickets.EventCreated,
	tickets.EventUpdated,
	tickets.EventStatusChanged,
	tickets.EventMessageCreated,
	tickets.EventSLAWarning,
	tickets.EventOrderLinked,
	tickets.EventRated,
}

func isEvent(s string) bool {
	for _, e := range Events {
		if e == s {
			return true
		}
	}
	return false
}

// Payload is one ticket event as a hook receives it and as the sample list
// shows it. ID is stable for the event (Zapier dedupes on it); the ticket
// is rendered as it is when the payload is made.
type Payload struct {
	ID         string            `json:"id"`
	Event      string            `json:"event"`
	OccurredAt time.Time         `json:"occurred_at"`
	Actor      api.Actor         `json:"actor"`
	Ticket     api.Ticket        `json:"ticket"`
	Changes    map[string]Change `json:"changes,omitempty"`     // ticket.updated, ticket.status_changed
	Message    *api.Message      `json:"message,omitempty"`     // ticket.message_created
	Order      *api.Order        `json:"order,omitempty"`       // order.linked
	SLAWarning *SLAWarning       `json:"sla_warning,omitempty"` // ticket.sla_warning
	Rating     *Rating           `json:"rating,omitempty"`      // ticket.rated
}

// Rating is a customer's answer to the satisfaction survey.
type Rating struct {
	Rating  int    `json:"rating"` // 1 to 5
	Comment string `json:"comment"`
}

// Change is one field's value before and after.
type Change struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// SLAWarning says which SLA target of the ticket is at risk or breached.
type SLAWarning struct {
	Target string `json:"target"` // first_response or resolution
	Level  string `json:"level"`  // at_risk or breached
	Due    string `json:"due"`
}

// EventID is the stable id of an event's payload.
func EventID(e tickets.Event) string { return e.TicketID + ":" + strconv.FormatInt(e.ID, 10) }

// Render makes the payload of e. Its ticket (or message) being gone is an
// ENOTFOUND error: there is nothing left to send.
func (s *Service) Render(ctx context.Context, e tickets.Event) (Payload, error) {
	t, err := s.cfg.Store.GetTicket(ctx, e.TicketID)
	if err != nil {
		return Payload{}, fmt.Errorf("zapier: render event %d: %w", e.ID, err)
	}
	now := s.cfg.Now()
	p := Payload{
		ID:         EventID(e),
		Event:      e.Type,
		OccurredAt: e.At.UTC(),
		Actor:      api.Actor{Kind: string(e.Actor.Kind), ID: e.Actor.ID, Name: e.Actor.Name},
		Ticket:     api.TicketJSON(t, s.cfg.Policy.State(t, now)),
	}
	switch e.Type {
	case tickets.EventUpdated, tickets.EventStatusChanged:
		p.Changes = map[string]Change{}
		for k, to := range e.After {
			p.Changes[k] = Change{From: e.Before[k], To: to}
		}
	case tickets.EventMessageCreated:
		id, ok := intField(e.After, "message_id")
		if !ok {
			return p, fmt.Errorf("zapier: render event %d: no message_id", e.ID)
		}
		m, err := s.cfg.Store.GetMessage(ctx, id)
		if err != nil {
			return p, fmt.Errorf("zapier: render event %d: %w", e.ID, err)
		}
		mj := api.MessageJSON(m)
		p.Message = &mj
	case tickets.EventOrderLinked:
		p.Order = linkedOrder(p.Ticket.Orders, e.After)
	case tickets.EventSLAWarning:
		p.SLAWarning = &SLAWarning{Target: str(e.After["target"]), Level: str(e.After["level"]), Due: str(e.After["due"])}
	case tickets.EventRated:
		// The event's own answer: the ticket shows only the latest.
		score, _ := intField(e.After, "rating")
		p.Rating = &Rating{Rating: int(score), Comment: str(e.After["comment"])}
	}
	return p, nil
}

// linkedOrder finds the order the event linked among the ticket's orders
// (by id, or by number when a provisional id was re-keyed since), else
// tells what the event recorded.
func linkedOrder(orders []api.Order, after map[string]any) *api.Order {
	store, id, number := str(after["store"]), str(after["order_id"]), str(after["order_number"])
	for i, o := range orders {
		if o.Store == store && (o.OrderID == id ||
			(number != "" && strings.TrimLeft(o.OrderNumber, "#") == strings.TrimLeft(number, "#"))) {
			return &orders[i]
		}
	}
	return &api.Order{Store: store, OrderID: id, OrderNumber: number}
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}

// intField reads a JSON number stored in an event (float64 once decoded).
func intField(m map[string]any, k string) (int64, bool) {
	switch v := m[k].(type) {
	case float64:
		return int64(v), true
	case int64:
		return v, true
	case int:
		return int64(v), true
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}
