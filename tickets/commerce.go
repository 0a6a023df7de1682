package tickets

import "time"

// OrderChanged is a store reporting an order as it is now (a webhook or a
// reconciliation). The store keeps the newest snapshot only: a snapshot
// older than the stored one (by Order.SourceUpdatedAt) changes nothing at
// all. Otherwise every ticket linked to the order gets Timeline as a system
// note (once per order version) and an order.updated event, and when Open
// is set and no ticket that is not closed is linked to the order, a ticket
// is opened with the order linked (idempotent on Open.ExternalRef).
// Followups are written to the outbox with the change, stale or not: work
// about the order that must not hold up recording it (a fraud check that
// asks the store's API).
type OrderChanged struct {
	Order     OrderRef
	Customer  CustomerInput // the buyer, if known
	Timeline  string        // e.g. "Order #1001 fulfilled — UPS 1Z999"
	Open      *NewTicket
	Followups []Followup
}

// CustomerChanged is a store reporting what it knows of a customer. The
// customer is matched (email, phone, store id) or created, and the store's
// profile of them is saved.
type CustomerChanged struct {
	Profile StoreCustomer
}

// RedactCustomer erases a customer's personal data everywhere the hub keeps
// it (Shopify's customers/redact): the customer record, their tickets'
// subjects and descriptions, messages, order snapshots, audit entries and
// the raw stored deliveries that mention them. Matched by any of the fields.
type RedactCustomer struct {
	Store           string
	StoreCustomerID string
	Email           string
	Phone           string
	OrderIDs        []string
}

// EraseStore removes a store's data (Shopify's shop/redact): its orders and
// links, its customer ids and profiles, its deliveries, its connection, and
// the tickets it opened by itself.
type EraseStore struct {
	Store string
}

// EditMessage applies an edit or deletion made at the message's source
// (a Slack message edited or deleted) to the message with that
// (Source, ExternalRef). An unknown message is not an error: nothing changes.
type EditMessage struct {
	Source      Source
	ExternalRef string
	Body        string
	Deleted     bool
}

func (OrderChanged) command()    {}
func (CustomerChanged) command() {}
func (RedactCustomer) command()  {}
func (EraseStore) command()      {}
func (EditMessage) command()     {}

// Connection is a connected store or workspace: a Shopify shop, a
// WooCommerce store or a Slack workspace. Secrets (tokens, webhook secrets)
// are encrypted at rest by the store with HUB_SECRET_KEY.
type Connection struct {
	Kind     Source // shopify, woocommerce, slack
	Key      string // the shop domain, the normalised store URL, the Slack team id
	Name     string
	Secrets  map[string]string
	Settings map[string]string
	Active   bool
	// InstalledAt orders installs and uninstalls: an uninstall that was
	// triggered before the latest install does not deactivate it.
	InstalledAt   time.Time
	UninstalledAt *time.Time
	UpdatedAt     time.Time
}

// StoreKey is how orders, customers and tickets name a connection's store:
// "shopify:acme.myshopify.com".
func (c Connection) StoreKey() string { return string(c.Kind) + ":" + c.Key }
