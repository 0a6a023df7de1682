package enrich

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hibiken/asynq"

	"hub/connectors/shopify"
	"hub/tickets"
)

// Shopify is one connected Shopify shop as an enrichment Source, asked
// through the GraphQL Admin API. Each call spends from the shop's budget
// shared by every worker; a throttled call returns an error with the wait
// Shopify asks for, which the task honours without using up a retry.
type Shopify struct {
	client *shopify.Client
}

// NewShopify returns the Source for a shop's client.
func NewShopify(client *shopify.Client) *Shopify { return &Shopify{client: client} }

// Store is the store key, "shopify:acme.myshopify.com".
func (s *Shopify) Store() string { return ShopifyStore(s.client.Shop()) }

// ShopifyStore is the store key of a shop domain.
func ShopifyStore(shop string) string { return string(tickets.SourceShopify) + ":" + shop }

// FindOrders returns the orders numbered q.OrderNumbers, or else the
// customer's most recent orders (by email, else by the phone on their
// account).
func (s *Shopify) FindOrders(ctx context.Context, q Query) ([]tickets.OrderRef, error) {
	var found []shopify.Order
	var err error
	switch {
	case len(q.OrderNumbers) > 0:
		found, err = s.client.OrdersByNumber(ctx, q.OrderNumbers)
	case q.Email != "":
		found, err = s.client.OrdersByEmail(ctx, q.Email, maxOrders)
	case q.Phone != "":
		var customers []shopify.Customer
		customers, err = s.client.CustomersByPhone(ctx, q.Phone, samePhone)
		for _, c := range customers {
			if err != nil {
				break
			}
			var list []shopify.Order
			list, err = s.client.OrdersByCustomer(ctx, c.ID, maxOrders)
			found = append(found, list...)
		}
	}
	if err != nil {
		return nil, s.wrap(err)
	}
	out := make([]tickets.OrderRef, 0, len(found))
	for _, o := range found {
		out = append(out, ShopifyOrderRef(s.client.Shop(), o))
	}
	return out, nil
}

// FindCustomers returns the shop's customers with q's email, else phone.
// Shopify keeps emails (and phones) unique per shop, so two answers mean
// two shops' worth of ambiguity only across stores.
func (s *Shopify) FindCustomers(ctx context.Context, q Query) ([]tickets.StoreCustomer, error) {
	var found []shopify.Customer
	var err error
	switch {
	case q.Email != "":
		found, err = s.client.CustomersByEmail(ctx, q.Email)
	case q.Phone != "":
		found, err = s.client.CustomersByPhone(ctx, q.Phone, samePhone)
	}
	if err != nil {
		return nil, s.wrap(err)
	}
	out := make([]tickets.StoreCustomer, 0, len(found))
	for _, c := range found {
		out = append(out, ShopifyProfile(s.client.Shop(), c))
	}
	return out, nil
}

// wrap turns "Shopify will not show this" (a 404, ACCESS_DENIED for a
// missing scope such as read_all_orders, a revoked token) into ErrNotFound:
// shown on the ticket, not retried forever. Throttling passes through with
// its RetryAfter. A query Shopify refuses for its cost (MAX_COST_EXCEEDED)
// would be refused again: the task is not retried.
func (s *Shopify) wrap(err error) error {
	switch {
	case shopify.IsNotFound(err) || shopify.IsUnauthorized(err):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case shopify.IsQueryCost(err):
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	return err
}

func samePhone(a, b string) bool {
	a, b = tickets.NormalisePhone(a), tickets.NormalisePhone(b)
	return a != "" && a == b
}

// ShopifyOrderRef is a Shopify order as the hub shows every store's orders,
// its snapshot in Details. The webhook decoder uses it too, so a webhook and
// a lookup write the same snapshot.
func ShopifyOrderRef(shop string, o shopify.Order) tickets.OrderRef {
	d := tickets.OrderDetails{
		Number: o.Number, CreatedAt: o.CreatedAt.UTC(), FinancialStatus: o.FinancialStatus, FulfillmentStatus: o.FulfillmentStatus,
		Total: o.Total, Currency: o.Currency, LineItems: []tickets.LineItem{},
		ShippingCity: o.ShippingCity, ShippingCountry: o.ShippingCountry,
		CancelledAt: o.CancelledAt, CancelReason: o.CancelReason, AdminURL: o.AdminURL, FraudRisk: o.FraudRisk,
	}
	for _, li := range o.LineItems {
		d.LineItems = append(d.LineItems, tickets.LineItem{Title: li.Title, SKU: li.SKU, Quantity: li.Quantity, Price: li.Price})
	}
	for _, t := range o.Tracking {
		d.Tracking = append(d.Tracking, tickets.Tracking{Company: t.Company, Number: t.Number, URL: t.URL})
	}
	for _, r := range o.Refunds {
		d.Refunds = append(d.Refunds, tickets.Refund{Amount: r.Amount, Currency: r.Currency, Reason: r.Reason, CreatedAt: r.CreatedAt.UTC()})
	}
	details, _ := json.Marshal(d)
	return tickets.OrderRef{
		Store: ShopifyStore(shop), OrderID: o.ID, OrderNumber: o.Number,
		FinancialStatus: o.FinancialStatus, FulfillmentStatus: o.FulfillmentStatus,
		Total: o.Total, Currency: o.Currency, CustomerEmail: o.Email,
		SourceUpdatedAt: o.UpdatedAt, Details: details,
	}
}

// ShopifyProfile is a shop's profile of a customer; UpdatedAt is Shopify's
// own updated_at, so that an older webhook cannot overwrite a newer look-up.
func ShopifyProfile(shop string, c shopify.Customer) tickets.StoreCustomer {
	return tickets.StoreCustomer{
		Store: ShopifyStore(shop), CustomerID: c.ID, Name: c.Name(), Email: c.Email, Phone: c.Phone,
		OrdersCount: c.OrdersCount, TotalSpent: c.TotalSpent, Currency: c.Currency,
		FirstOrderAt: c.FirstOrderAt, Tags: c.Tags, Note: c.Note, AdminURL: c.AdminURL,
		UpdatedAt: c.UpdatedAt,
	}
}
