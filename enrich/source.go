package enrich

import (
	"context"
	"errors"

	"hub/tickets"
)

// Query is what the ticket tells about whom and what to look up.
type Query struct {
	Email        string   // normalised
	Phone        string   // normalised
	OrderNumbers []string // without '#'
}

// Source is one connected store that can be asked about customers and
// orders. connectors/shopify and connectors/woocommerce provide them (through
// a small adapter in the webhooks/<vendor> package).
type Source interface {
	// Store is the store key, e.g. "shopify:acme.myshopify.com".
	Store() string
	// FindOrders returns the orders with any of q.OrderNumbers; with no
	// numbers, the most recent orders (at most 5) of the customer by email or
	// phone. Each OrderRef carries Store, OrderID, OrderNumber (without '#'),
	// statuses, total, currency, CustomerEmail, SourceUpdatedAt, and Details:
	// tickets.OrderDetails as JSON.
	FindOrders(ctx context.Context, q Query) ([]tickets.OrderRef, error)
	// FindCustomers returns the store's customers with q.Email or q.Phone
	// (usually zero or one; more is an ambiguity shown on the ticket).
	FindCustomers(ctx context.Context, q Query) ([]tickets.StoreCustomer, error)
}

// ErrNotFound (wrapped) says the store has no such thing or will not show it
// (a 404, or a missing scope such as Shopify's read_all_orders for orders
// older than 60 days). It is shown on the ticket as "not found" and not
// retried.
var ErrNotFound = errors.New("not found")
