package tickets

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Status is where a ticket is in its lifecycle.
type Status string

// The lifecycle: open → pending (waiting on the customer) → resolved → closed.
const (
	StatusOpen     Status = "open"
	StatusPending  Status = "pending"
	StatusResolved Status = "resolved"
	StatusClosed   Status = "closed"
)

// ParseStatus validates s.
func ParseStatus(s string) (Status, error) {
	switch st := Status(strings.ToLower(strings.TrimSpace(s))); st {
	case StatusOpen, StatusPending, StatusResolved, StatusClosed:
		return st, nil
	}
	return "", Invalid("status", "status must be one of open, pending, resolved, closed (got %q)", s)
}

// Priority orders tickets and picks their SLA targets.
type Priority string

// Priorities, most urgent first.
const (
	PriorityUrgent Priority = "urgent"
	PriorityHigh   Priority = "high"
	PriorityMedium Priority = "medium"
	PriorityLow    Priority = "low"
)

// ParsePriority validates s; an empty string is medium.
func ParsePriority(s string) (Priority, error) {
	switch p := Priority(strings.ToLower(strings.TrimSpace(s))); p {
	case "":
		return PriorityMedium, nil
	case PriorityUrgent, PriorityHigh, PriorityMedium, PriorityLow:
		return p, nil
	}
	return "", Invalid("priority", "priority must be one of urgent, high, medium, low (got %q)", s)
}

// Source is where a ticket, message or delivery came from.
type Source string

// The sources the hub knows.
const (
	SourceShopify     Source = "shopify"
	SourceWooCommerce Source = "woocommerce"
	SourceZapier      Source = "zapier"
	SourceSlack       Source = "slack"
	SourceAPI         Source = "api"
	SourceEmail       Source = "email"
)

// Ticket is a customer's request and everything the team did about it.
type Ticket struct {
	ID          string // UUID
	Number      int64  // human-friendly, shown as T-1042
	Subject     string
	Description string
	Status      Status
	Priority    Priority
	Tags        []string
	Assignee    string // the owning agent's email, "" when unassigned
	Team        string
	Customer    Customer
	Source      Source
	ExternalRef string // the source's own id for what opened the ticket
	Store       string // the store key the ticket came from or is about, if any
	FollowUpOf  string // the closed ticket this one follows up, if any
	// ReplyError says why the last public reply could not reach the
	// customer (an email the mail server refused); "" when it did.
	ReplyError string
	Orders     []OrderRef
	SLA        SLA
	Escalation Escalation
	Slack      SlackCard
	// CSAT is the customer's latest answer to a satisfaction survey, if any.
	CSAT *Rating

	CreatedAt       time.Time
	UpdatedAt       time.Time
	FirstResponseAt *time.Time
	ResolvedAt      *time.Time
	ClosedAt        *time.Time
}

// Ref returns the ticket's display number, e.g. "T-1042".
func (t Ticket) Ref() string { return FormatNumber(t.Number) }

// FormatNumber renders a ticket number as shown to people: T-1042. The prefix
// keeps it from being mistaken for an order number such as #1001.
func FormatNumber(n int64) string { return "T-" + strconv.FormatInt(n, 10) }

// ParseNumber reads "T-1042", "t-1042" or "1042".
func ParseNumber(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 2 && (s[0] == 'T' || s[0] == 't') && s[1] == '-' {
		s = s[2:]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// SlackCard is where the ticket's live card was posted.
type SlackCard struct {
	Team    string
	Channel string
	TS      string
	Error   string // why no card could be posted, if so
	// Digest is set when the ticket's channel was too busy for a card of
	// its own: DigestWaiting while it is queued for the channel's next
	// digest, DigestListed once TS is the digest message that lists it.
	Digest string
}

// Where a ticket stands with its channel's digest (SlackCard.Digest).
const (
	DigestWaiting = "waiting"
	DigestListed  = "listed"
)

// HasCard reports whether the ticket has a Slack card of its own.
func (c SlackCard) HasCard() bool { return c.TS != "" && c.Channel != "" && c.Digest == "" }

// SLA holds the ticket's due times and the state of its clock.
type SLA struct {
	FirstResponseDue time.Time
	ResolutionDue    time.Time
	// ClockStart is when the SLA clock started: arrival, or the next business
	// opening for business-hours targets (computed from the policy).
	ClockStart time.Time
	// PausedAt is set while the ticket is pending.
	PausedAt *time.Time
	// Paused is the wall-clock time spent paused so far (excluding PausedAt..now).
	Paused time.Duration
	// PausedBusiness is the business time spent paused so far.
	PausedBusiness time.Duration
	// FirstResponseRisk and ResolutionRisk are the instants after which
	// each target is at risk by Policy.State's rule while the clock runs,
	// worked out with the business calendar when the due times are, so a
	// store can select at-risk tickets with a comparison instead of the
	// calendar.
	FirstResponseRisk, ResolutionRisk time.Time
}

// Escalation is the last SLA escalation the hub acted on for a ticket.
type Escalation struct {
	Level    string   // "" (none), "at_risk" or "breached"
	Summoned []string // whom it called: agents' emails
}

// Customer is one person across every source, matched by email and phone.
type Customer struct {
	ID        string // UUID
	Email     string // normalised (lower case, trimmed)
	Name      string
	Phone     string // normalised (digits with a leading +)
	Stores    []StoreCustomer
	CreatedAt time.Time
}

// StoreCustomer is a customer as one connected store knows them: their id
// there and, once the enrichment has looked, their profile.
type StoreCustomer struct {
	Store        string // store key, e.g. "shopify:acme.myshopify.com"
	CustomerID   string
	Name         string
	Email        string
	Phone        string
	OrdersCount  *int   // nil when the store did not say
	TotalSpent   string // decimal as text; "" when the store did not say
	Currency     string
	FirstOrderAt *time.Time
	Tags         []string
	Note         string
	AdminURL     string
	UpdatedAt    time.Time // when the hub last looked; zero when never
}

// OrderRef is an order linked to a ticket, with the facts an agent needs at a
// glance. Details holds the richer snapshot (line items, tracking, ...) as
// JSON written by the enrichment.
type OrderRef struct {
	Store             string // store key, e.g. "shopify:acme.myshopify.com"
	OrderID           string
	OrderNumber       string
	FinancialStatus   string
	FulfillmentStatus string
	Total             string // decimal as text, never a float
	Currency          string
	CustomerEmail     string
	SourceUpdatedAt   time.Time // the store's updated_at; older snapshots change nothing
	Details           []byte    // JSON
}

// Key is the order's identity across stores.
func (o OrderRef) Key() string { return o.Store + "/" + o.OrderID }

// MessageKind says who wrote a message and who may see it.
type MessageKind string

// Message kinds. Only customer messages and replies are visible to the
// customer; notes and system notes are internal.
const (
	MessageCustomer MessageKind = "customer" // from the customer
	MessageReply    MessageKind = "reply"    // public reply by an agent
	MessageNote     MessageKind = "note"     // internal note by an agent
	MessageSystem   MessageKind = "system"   // timeline entry written by the hub
)

// Public reports whether the customer sees messages of this kind.
func (k MessageKind) Public() bool { return k == MessageCustomer || k == MessageReply }

// Message is one entry in a ticket's conversation.
type Message struct {
	ID          int64
	TicketID    string
	Kind        MessageKind
	Body        string
	Author      Actor
	Source      Source
	ExternalRef string // e.g. the Slack message ts, to apply edits
	CreatedAt   time.Time
	EditedAt    *time.Time
	DeletedAt   *time.Time
}

// ActorKind is the kind of party that changed something.
type ActorKind string

// Actor kinds.
const (
	ActorAgent    ActorKind = "agent"
	ActorSlack    ActorKind = "slack_user"
	ActorAPIKey   ActorKind = "api_key"
	ActorWebhook  ActorKind = "webhook"
	ActorCustomer ActorKind = "customer"
	ActorSystem   ActorKind = "system"
)

// Actor names who made a change, for the audit trail.
type Actor struct {
	Kind ActorKind
	ID   string // agent email, Slack user id, API key id, delivery id, ...
	Name string
}

func (a Actor) String() string {
	if a.Name != "" {
		return fmt.Sprintf("%s:%s (%s)", a.Kind, a.ID, a.Name)
	}
	return fmt.Sprintf("%s:%s", a.Kind, a.ID)
}

// Event types. The first six are also the events Zapier hooks subscribe to.
const (
	EventCreated        = "ticket.created"
	EventUpdated        = "ticket.updated"
	EventStatusChanged  = "ticket.status_changed"
	EventMessageCreated = "ticket.message_created"
	EventSLAWarning     = "ticket.sla_warning"
	EventOrderLinked    = "order.linked"

	// Audit-only event types.
	EventOrderUpdated   = "order.updated"   // a linked order changed in its store
	EventMessageEdited  = "message.edited"  // a message was edited at its source
	EventMessageDeleted = "message.deleted" // a message was deleted at its source
	EventRedacted       = "ticket.redacted" // personal data was erased
)

// Event is one entry of the audit trail: who changed what, from what, to what.
type Event struct {
	ID       int64
	TicketID string
	Type     string
	Actor    Actor
	Before   map[string]any
	After    map[string]any
	At       time.Time
}
