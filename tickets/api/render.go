package api

import (
	"encoding/json"
	"time"

	"hub/tickets"
)

// Ticket is a ticket as the API, Slack and Zapier show it. Lists are never
// null; references to other things (assignee, follow-up, Slack card, times
// not reached yet) are null when absent. Times are RFC 3339 in UTC.
type Ticket struct {
	ID          string    `json:"id"`
	Number      int64     `json:"number"`
	Ref         string    `json:"ref"`
	Subject     string    `json:"subject"`
	Description string    `json:"description"`
	Status      string    `json:"status"`
	Priority    string    `json:"priority"`
	Tags        []string  `json:"tags"`
	Assignee    *string   `json:"assignee"`
	Team        string    `json:"team"`
	Customer    *Customer `json:"customer"` // null when the ticket has none
	Orders      []Order   `json:"orders"`
	Source      string    `json:"source"`
	Store       string    `json:"store"`
	ExternalID  string    `json:"external_id"`
	FollowUpOf  *string   `json:"follow_up_of"`
	// ReplyError is why the last public reply could not reach the
	// customer; null when it did.
	ReplyError      *string    `json:"reply_error"`
	SLA             SLA        `json:"sla"`
	Slack           *Slack     `json:"slack"`
	CSAT            *CSAT      `json:"csat"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	FirstResponseAt *time.Time `json:"first_response_at"`
	ResolvedAt      *time.Time `json:"resolved_at"`
	ClosedAt        *time.Time `json:"closed_at"`
}

// Customer is the ticket's customer, with what each connected store knows
// of them.
type Customer struct {
	ID     string         `json:"id"`
	Email  string         `json:"email"`
	Name   string         `json:"name"`
	Phone  string         `json:"phone"`
	Stores []StoreProfile `json:"stores"`
}

// StoreProfile is one store's view of the customer.
type StoreProfile struct {
	Store        string     `json:"store"`
	CustomerID   string     `json:"customer_id"`
	Name         string     `json:"name"`
	OrdersCount  *int       `json:"orders_count"` // null when the store did not say
	TotalSpent   string     `json:"total_spent"`
	Currency     string     `json:"currency"`
	FirstOrderAt *time.Time `json:"first_order_at"`
	Tags         []string   `json:"tags"`
	Note         string     `json:"note"`
	AdminURL     string     `json:"admin_url"`
}

// Order is an order linked to a ticket. Total is a decimal string.
type Order struct {
	Store             string `json:"store"`
	OrderID           string `json:"order_id"`
	OrderNumber       string `json:"order_number"`
	FinancialStatus   string `json:"financial_status"`
	FulfillmentStatus string `json:"fulfillment_status"`
	Total             string `json:"total"`
	Currency          string `json:"currency"`
	// Details is the store's snapshot (tickets.OrderDetails: line items,
	// tracking, refunds, admin link), null until the store was asked.
	Details json.RawMessage `json:"details"`
}

// SLA is the ticket's SLA clock at the time of rendering. A due time is null
// when the policy sets no target or it no longer applies.
type SLA struct {
	FirstResponseDue *time.Time `json:"first_response_due"`
	ResolutionDue    *time.Time `json:"resolution_due"`
	Breached         bool       `json:"breached"`
	AtRisk           bool       `json:"at_risk"`
	Paused           bool       `json:"paused"`
}

// CSAT is the customer's latest answer to a satisfaction survey.
type CSAT struct {
	Rating  int       `json:"rating"` // 1 to 5
	Comment string    `json:"comment"`
	RatedAt time.Time `json:"rated_at"`
}

// Slack is where the ticket's live card is, or why none could be posted:
// Error is Slack's reason (e.g. "channel_not_found", "not_in_channel") so an
// operator sees it on the ticket; Channel and TS are then empty.
type Slack struct {
	Channel string  `json:"channel"`
	TS      string  `json:"ts"`
	Error   *string `json:"error"`
}

// TicketJSON renders t with its SLA state st (from Policy.State).
func TicketJSON(t tickets.Ticket, st tickets.SLAState) Ticket {
	out := Ticket{
		ID:          t.ID,
		Number:      t.Number,
		Ref:         t.Ref(),
		Subject:     t.Subject,
		Description: t.Description,
		Status:      string(t.Status),
		Priority:    string(t.Priority),
		Tags:        make([]string, 0, len(t.Tags)),
		Assignee:    optString(t.Assignee),
		Team:        t.Team,
		Customer:    optCustomer(t.Customer),
		Orders:      make([]Order, 0, len(t.Orders)),
		Source:      string(t.Source),
		Store:       t.Store,
		ExternalID:  t.ExternalRef,
		FollowUpOf:  optString(t.FollowUpOf),
		ReplyError:  optString(t.ReplyError),
		SLA: SLA{
			FirstResponseDue: optTime(st.FirstResponseDue),
			ResolutionDue:    optTime(st.ResolutionDue),
			Breached:         st.Breached,
			AtRisk:           st.AtRisk,
			Paused:           t.SLA.PausedAt != nil,
		},
		CreatedAt:       t.CreatedAt.UTC(),
		UpdatedAt:       t.UpdatedAt.UTC(),
		FirstResponseAt: utc(t.FirstResponseAt),
		ResolvedAt:      utc(t.ResolvedAt),
		ClosedAt:        utc(t.ClosedAt),
	}
	out.Tags = append(out.Tags, t.Tags...)
	for _, o := range t.Orders {
		out.Orders = append(out.Orders, Order{
			Store:             o.Store,
			OrderID:           o.OrderID,
			OrderNumber:       o.OrderNumber,
			FinancialStatus:   o.FinancialStatus,
			FulfillmentStatus: o.FulfillmentStatus,
			Total:             o.Total,
			Currency:          o.Currency,
			Details:           rawJSON(o.Details),
		})
	}
	switch {
	case t.Slack.Channel != "" && t.Slack.TS != "":
		out.Slack = &Slack{Channel: t.Slack.Channel, TS: t.Slack.TS, Error: optString(t.Slack.Error)}
	case t.Slack.Error != "":
		out.Slack = &Slack{Channel: t.Slack.Channel, Error: optString(t.Slack.Error)}
	}
	if r := t.CSAT; r != nil {
		out.CSAT = &CSAT{Rating: r.Score, Comment: r.Comment, RatedAt: r.At.UTC()}
	}
	return out
}

// optCustomer renders a ticket's customer: nil when it has none (a ticket
// from Slack or the API without customer details), not an empty object an
// integration would read as a customer with no email.
func optCustomer(c tickets.Customer) *Customer {
	if c.ID == "" {
		return nil
	}
	out := customerJSON(c)
	return &out
}

func customerJSON(c tickets.Customer) Customer {
	out := Customer{ID: c.ID, Email: c.Email, Name: c.Name, Phone: c.Phone, Stores: make([]StoreProfile, 0, len(c.Stores))}
	for _, sc := range c.Stores {
		tags := sc.Tags
		if tags == nil {
			tags = []string{}
		}
		out.Stores = append(out.Stores, StoreProfile{
			Store: sc.Store, CustomerID: sc.CustomerID, Name: sc.Name, OrdersCount: sc.OrdersCount,
			TotalSpent: sc.TotalSpent, Currency: sc.Currency, FirstOrderAt: utc(sc.FirstOrderAt),
			Tags: tags, Note: sc.Note, AdminURL: sc.AdminURL,
		})
	}
	return out
}

// rawJSON passes stored JSON through; nothing stored is null.
func rawJSON(b []byte) json.RawMessage {
	if len(b) == 0 || !json.Valid(b) {
		return nil
	}
	return json.RawMessage(b)
}

// ticketJSON renders t with its SLA state now.
func (s *Server) ticketJSON(t tickets.Ticket, now time.Time) Ticket {
	return TicketJSON(t, s.policy.State(t, now))
}

func (s *Server) ticketsJSON(list []tickets.Ticket) []Ticket {
	now := s.now()
	out := make([]Ticket, 0, len(list))
	for _, t := range list {
		out = append(out, s.ticketJSON(t, now))
	}
	return out
}

// Message is one entry of a ticket's conversation. Visibility is "public"
// for what the customer sees (their messages and replies), else "internal".
type Message struct {
	ID         int64      `json:"id"`
	TicketID   string     `json:"ticket_id"`
	Kind       string     `json:"kind"`
	Visibility string     `json:"visibility"`
	Body       string     `json:"body"`
	Author     Actor      `json:"author"`
	Source     string     `json:"source"`
	CreatedAt  time.Time  `json:"created_at"`
	EditedAt   *time.Time `json:"edited_at"`
	DeletedAt  *time.Time `json:"deleted_at"`
}

// Actor is who did something.
type Actor struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

// MessageJSON renders m. A deleted message keeps its place but not its body.
func MessageJSON(m tickets.Message) Message {
	out := Message{
		ID:         m.ID,
		TicketID:   m.TicketID,
		Kind:       string(m.Kind),
		Visibility: "internal",
		Body:       m.Body,
		Author:     actorJSON(m.Author),
		Source:     string(m.Source),
		CreatedAt:  m.CreatedAt.UTC(),
		EditedAt:   utc(m.EditedAt),
		DeletedAt:  utc(m.DeletedAt),
	}
	if m.Kind.Public() {
		out.Visibility = "public"
	}
	if m.DeletedAt != nil {
		out.Body = ""
	}
	return out
}

// Event is one entry of a ticket's audit trail.
type Event struct {
	ID       int64          `json:"id"`
	TicketID string         `json:"ticket_id"`
	Type     string         `json:"type"`
	Actor    Actor          `json:"actor"`
	Before   map[string]any `json:"before"`
	After    map[string]any `json:"after"`
	At       time.Time      `json:"at"`
}

// EventJSON renders e.
func EventJSON(e tickets.Event) Event {
	return Event{
		ID:       e.ID,
		TicketID: e.TicketID,
		Type:     e.Type,
		Actor:    actorJSON(e.Actor),
		Before:   e.Before,
		After:    e.After,
		At:       e.At.UTC(),
	}
}

func actorJSON(a tickets.Actor) Actor {
	return Actor{Kind: string(a.Kind), ID: a.ID, Name: a.Name}
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	return optTime(*t)
}
