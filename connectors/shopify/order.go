package shopify

import (
	"strings"
	"time"
)

// Order is what the hub keeps of a Shopify order, read from a webhook's REST
// payload (ParseOrder) or a GraphQL answer. Statuses are lower case in
// GraphQL's vocabulary ("paid", "partially_refunded", "fulfilled",
// "unfulfilled", "partially_fulfilled") whichever API they came from.
type Order struct {
	ID                string // numeric, as text
	Name              string // "#1001"
	Number            string // "1001"
	Email             string
	Phone             string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	FinancialStatus   string
	FulfillmentStatus string
	Total             string // decimal as text
	Currency          string
	LineItems         []LineItem
	ShippingCity      string
	ShippingCountry   string
	Tracking          []Tracking
	CancelledAt       *time.Time
	CancelReason      string // customer, fraud, inventory, declined, staff, other
	Refunds           []Refund
	FraudRisk         string // high, medium, low, or "" when unknown
	AdminURL          string
	Customer          *CustomerRef
}

// LineItem is one line of an order.
type LineItem struct {
	Title    string
	SKU      string
	Quantity int
	Price    string
}

// Tracking is one shipment's tracking number, carrier and link.
type Tracking struct {
	Company string
	Number  string
	URL     string
}

// Refund is one refund on an order.
type Refund struct {
	ID        string
	OrderID   string
	Amount    string
	Currency  string
	Reason    string
	CreatedAt time.Time
}

// CustomerRef is the buyer as an order names them.
type CustomerRef struct {
	ID        string
	Email     string
	Phone     string
	FirstName string
	LastName  string
}

// Name is the customer's full name.
func (c CustomerRef) Name() string { return joinName(c.FirstName, c.LastName) }

// Customer is a shop's customer with the facts an agent wants at a glance.
type Customer struct {
	ID           string // numeric, as text
	FirstName    string
	LastName     string
	Email        string
	Phone        string
	OrdersCount  *int   // nil when Shopify did not say (REST since 2024-07)
	TotalSpent   string // decimal as text; "" when Shopify did not say
	Currency     string
	FirstOrderAt *time.Time
	Tags         []string
	Note         string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	AdminURL     string
}

// Name is the customer's full name.
func (c Customer) Name() string { return joinName(c.FirstName, c.LastName) }

func joinName(first, last string) string {
	return strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last))
}

// orderNumber turns an order name ("#1001", "1001", "#SHOP-1001") into the
// number people quote: the name without its leading '#'.
func orderNumber(name string) string { return strings.TrimPrefix(strings.TrimSpace(name), "#") }

// financialStatus maps REST's and GraphQL's vocabularies to one.
func financialStatus(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// fulfillmentStatus maps REST's ("fulfilled", "partial", null) and GraphQL's
// ("FULFILLED", "PARTIALLY_FULFILLED", "UNFULFILLED") to one vocabulary.
func fulfillmentStatus(s string) string {
	switch s = strings.ToLower(strings.TrimSpace(s)); s {
	case "", "null":
		return "unfulfilled"
	case "partial":
		return "partially_fulfilled"
	}
	return s
}

// shipped reports whether a fulfillment's status (REST's lower case or
// GraphQL's upper) may carry tracking: one that failed, errored or was
// cancelled shipped nothing, whatever number it was given.
func shipped(status string) bool {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "failure", "error", "cancelled":
		return false
	}
	return true
}

// fraudRisk maps Shopify's risk levels and recommendations to high, medium
// or low.
func fraudRisk(level string) string {
	switch strings.ToUpper(strings.TrimSpace(level)) {
	case "HIGH", "CANCEL":
		return "high"
	case "MEDIUM", "INVESTIGATE":
		return "medium"
	case "LOW", "NONE", "ACCEPT":
		return "low"
	}
	return ""
}

// splitTags reads REST's comma-separated tags.
func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// Zero reports a refund that moved no money: a restock or a line taken off
// an unpaid order (Shopify's own sample order carries one). It is no refund
// to tell a customer about.
func (r Refund) Zero() bool { return toCents(r.Amount) == 0 }
