package rules

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"hub/tickets"
)

// Context is everything a rule may look at: the ticket as it is, its
// customer, its order, its SLA, the agents, and the instant. It is a value:
// Evaluate reads nothing else, so the same Context always gives the same
// decisions.
type Context struct {
	Subject  string
	Body     string // the description: the customer's first message
	Message  string // the message that raised CustomerMessage, else ""
	Source   tickets.Source
	Store    string // store key, e.g. "shopify:acme.myshopify.com"
	Topic    string // the webhook topic that opened or changed it, e.g. "orders/create"
	Tags     []string
	Priority tickets.Priority
	Status   tickets.Status
	Team     string
	Assignee string
	// Language is an ISO 639-1 code when the source says; "" lets Evaluate
	// guess it from the text (DetectLanguage).
	Language string

	Customer Customer
	Order    *Order // the linked order; nil when none is linked

	SLA        tickets.SLAState // from Policy.State at Now
	Escalation *Escalation      // set for SLAAtRisk and SLABreached: which target

	Agents   Roster           // who is away, open counts, the last round-robin picks
	Calendar tickets.Calendar // business hours, for business_hours, hour and weekday
	Now      time.Time
}

// Customer is what the stores know of the ticket's customer. Known is false
// until a store's profile has been looked up: then Orders and Spent mean
// nothing (rules see them as -1), which is not the same as a customer with
// no orders.
type Customer struct {
	Email    string
	Known    bool
	Orders   int     // orders across every store
	Spent    float64 // total spent across every store, in Currency
	Currency string  // "" when the stores report different currencies
}

// Order is the state of the ticket's linked order.
type Order struct {
	Store             string
	Number            string
	FinancialStatus   string // pending, authorized, paid, partially_refunded, refunded, voided, failed, ...
	FulfillmentStatus string // unfulfilled, partially_fulfilled, fulfilled, ...
	FraudRisk         string // high, medium, low, or "" when the store does not say
	Total             float64
	Currency          string
	CreatedAt         time.Time // zero when unknown
	Cancelled         bool
}

// NewContext builds the Context of t at now: its fields, the customer from
// the stores' profiles, the most recently linked order, and the SLA state
// under p. The caller adds what only it knows: Topic, Message, Escalation,
// Agents, and for OrderChanged the order that changed (OrderFromRef).
func NewContext(t tickets.Ticket, p tickets.Policy, now time.Time) Context {
	c := Context{
		Subject:  t.Subject,
		Body:     t.Description,
		Source:   t.Source,
		Store:    t.Store,
		Tags:     append([]string(nil), t.Tags...),
		Priority: t.Priority,
		Status:   t.Status,
		Team:     t.Team,
		Assignee: t.Assignee,
		Customer: CustomerFromProfiles(t.Customer),
		SLA:      p.State(t, now),
		Calendar: p.Calendar,
		Now:      now,
	}
	if n := len(t.Orders); n > 0 {
		c.Order = OrderFromRef(t.Orders[n-1])
	}
	return c
}

// CustomerFromProfiles sums what the stores that have been asked know of
// the customer. A profile never looked up (zero UpdatedAt) counts for
// nothing, so a customer nobody looked up stays unknown.
func CustomerFromProfiles(cu tickets.Customer) Customer {
	out := Customer{Email: cu.Email}
	for _, sc := range cu.Stores {
		if sc.UpdatedAt.IsZero() {
			continue
		}
		if sc.OrdersCount == nil && strings.TrimSpace(sc.TotalSpent) == "" {
			continue // the store did not say: unknown, not 0
		}
		spent, _ := strconv.ParseFloat(strings.TrimSpace(sc.TotalSpent), 64)
		if !out.Known {
			out.Currency = sc.Currency
		} else if !strings.EqualFold(out.Currency, sc.Currency) {
			out.Currency = ""
		}
		out.Known = true
		if sc.OrdersCount != nil {
			out.Orders += *sc.OrdersCount
		}
		out.Spent += spent
	}
	return out
}

// OrderFromRef reads an order's state from its link and, when the
// enrichment has written it, its details snapshot (creation time, fraud
// risk, cancellation).
func OrderFromRef(o tickets.OrderRef) *Order {
	out := &Order{
		Store:             o.Store,
		Number:            o.OrderNumber,
		FinancialStatus:   strings.ToLower(o.FinancialStatus),
		FulfillmentStatus: strings.ToLower(o.FulfillmentStatus),
		Currency:          o.Currency,
	}
	out.Total, _ = strconv.ParseFloat(strings.TrimSpace(o.Total), 64)
	var d tickets.OrderDetails
	if len(o.Details) > 0 && json.Unmarshal(o.Details, &d) == nil {
		out.CreatedAt = d.CreatedAt
		out.FraudRisk = strings.ToLower(d.FraudRisk)
		out.Cancelled = d.CancelledAt != nil
	}
	return out
}
