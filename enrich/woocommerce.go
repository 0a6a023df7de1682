package enrich

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"hub/connectors/woocommerce"
	"hub/tickets"
)

// WooCommerce is one connected WooCommerce store as an enrichment Source.
// Registered customers are found by email; guests (customer_id 0) have no
// account, so their orders are found by billing email or phone.
type WooCommerce struct {
	store  string // "woocommerce:shop.example.com"
	client *woocommerce.Client
}

// NewWooCommerce returns the Source for a store key and its REST client.
func NewWooCommerce(store string, client *woocommerce.Client) *WooCommerce {
	return &WooCommerce{store: store, client: client}
}

// Store is the store key.
func (w *WooCommerce) Store() string { return w.store }

// maxOrders is how many of a customer's orders are shown.
const maxOrders = 5

// FindOrders returns the orders numbered q.OrderNumbers, or else the
// customer's most recent orders, registered and guest alike.
func (w *WooCommerce) FindOrders(ctx context.Context, q Query) ([]tickets.OrderRef, error) {
	var found []woocommerce.Order
	var err error
	if len(q.OrderNumbers) > 0 {
		found, err = w.byNumbers(ctx, q.OrderNumbers)
	} else {
		found, err = w.byCustomer(ctx, q)
	}
	if err != nil {
		return nil, w.wrap(err)
	}
	out := make([]tickets.OrderRef, 0, len(found))
	for _, o := range found {
		out = append(out, WooCommerceOrderRef(w.store, w.client.StoreURL(), o))
	}
	return out, nil
}

// byNumbers finds each number as an order id (WooCommerce's default
// numbering) and, failing that, by search (sequential-numbering plugins).
func (w *WooCommerce) byNumbers(ctx context.Context, numbers []string) ([]woocommerce.Order, error) {
	var out []woocommerce.Order
	for _, n := range numbers {
		if id, err := strconv.ParseInt(n, 10, 64); err == nil && id > 0 {
			o, err := w.client.GetOrder(ctx, id)
			if err == nil && o.DisplayNumber() == n && !woocommerce.IsDraft(o.Status) {
				out = append(out, o)
				continue
			}
			if err != nil && !woocommerce.IsNotFound(err) {
				return nil, err
			}
		}
		page, err := w.client.ListOrders(ctx, woocommerce.OrderQuery{Search: n, PerPage: 20})
		if err != nil {
			return nil, err
		}
		for _, o := range page.Orders {
			if o.DisplayNumber() == n && !woocommerce.IsDraft(o.Status) {
				out = append(out, o)
			}
		}
	}
	return out, nil
}

// byCustomer finds the customer's orders: those of their account and the
// guest orders placed with their email or phone.
func (w *WooCommerce) byCustomer(ctx context.Context, q Query) ([]woocommerce.Order, error) {
	seen := map[int64]woocommerce.Order{}
	if q.Email != "" {
		accounts, err := w.client.CustomersByEmail(ctx, q.Email)
		if err != nil {
			return nil, err
		}
		for _, c := range accounts {
			page, err := w.client.ListOrders(ctx, woocommerce.OrderQuery{Customer: int64(c.ID), PerPage: maxOrders, OrderBy: "date", Order: "desc"})
			if err != nil {
				return nil, err
			}
			for _, o := range page.Orders {
				seen[int64(o.ID)] = o
			}
		}
	}
	guests, err := w.guestOrders(ctx, q, 20)
	if err != nil {
		return nil, err
	}
	for _, o := range guests {
		seen[int64(o.ID)] = o
	}
	var out []woocommerce.Order
	for _, o := range seen {
		if !woocommerce.IsDraft(o.Status) {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].DateCreatedGMT.After(out[j].DateCreatedGMT.Time) })
	return out[:min(len(out), maxOrders)], nil
}

// guestOrders searches orders by the email (else the phone) and keeps those
// whose billing details really match: search also matches names and notes.
func (w *WooCommerce) guestOrders(ctx context.Context, q Query, limit int) ([]woocommerce.Order, error) {
	term := q.Email
	if term == "" && len(q.Phone) >= 6 {
		// Stores keep phones as typed ("0044 20 7946 0958"): search by the
		// last digits, which stay together, and compare normalised below.
		term, limit = q.Phone[len(q.Phone)-4:], 100
	}
	if term == "" {
		return nil, nil
	}
	page, err := w.client.ListOrders(ctx, woocommerce.OrderQuery{Search: term, PerPage: limit, OrderBy: "date", Order: "desc"})
	if err != nil {
		return nil, err
	}
	var out []woocommerce.Order
	for _, o := range page.Orders {
		if matches(o.Billing, q) {
			out = append(out, o)
		}
	}
	return out, nil
}

func matches(a woocommerce.Address, q Query) bool {
	if q.Email != "" {
		return tickets.NormaliseEmail(a.Email) == q.Email
	}
	return q.Phone != "" && tickets.NormalisePhone(string(a.Phone)) == q.Phone
}

// FindCustomers returns the customer's accounts in the store with their
// order history; a customer who only ever checked out as a guest is shown
// from their guest orders.
func (w *WooCommerce) FindCustomers(ctx context.Context, q Query) ([]tickets.StoreCustomer, error) {
	var out []tickets.StoreCustomer
	if q.Email != "" {
		accounts, err := w.client.CustomersByEmail(ctx, q.Email)
		if err != nil {
			return nil, w.wrap(err)
		}
		for _, c := range accounts {
			page, err := w.client.ListOrders(ctx, woocommerce.OrderQuery{Customer: int64(c.ID), PerPage: 100, OrderBy: "date", Order: "asc"})
			if err != nil {
				return nil, w.wrap(err)
			}
			out = append(out, WooCommerceProfile(w.store, w.client.StoreURL(), c, page.Orders, page.Total))
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	guests, err := w.guestOrders(ctx, q, 100)
	if err != nil {
		return nil, w.wrap(err)
	}
	if len(guests) == 0 {
		return nil, nil
	}
	sort.Slice(guests, func(i, j int) bool { return guests[i].DateCreatedGMT.Before(guests[j].DateCreatedGMT.Time) })
	b := guests[len(guests)-1].Billing
	guest := woocommerce.Customer{Email: b.Email, FirstName: b.FirstName, LastName: b.LastName, Billing: b}
	p := WooCommerceProfile(w.store, w.client.StoreURL(), guest, guests, len(guests))
	p.CustomerID = "guest:" + firstOf(q.Email, q.Phone)
	p.Tags = []string{"guest"}
	p.Note = "Guest checkout: no account in the store."
	return []tickets.StoreCustomer{p}, nil
}

// wrap turns the store refusing to show something into ErrNotFound (shown
// on the ticket, not retried); throttling and outages pass through with
// their Retry-After.
func (w *WooCommerce) wrap(err error) error {
	if woocommerce.IsNotFound(err) || woocommerce.IsUnauthorized(err) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// WooCommerceOrderRef is a WooCommerce order as the hub shows every store's
// orders. The webhook decoders use it too, so a webhook and a lookup write
// the same snapshot.
func WooCommerceOrderRef(store, storeURL string, o woocommerce.Order) tickets.OrderRef {
	d := tickets.OrderDetails{
		Number:            o.DisplayNumber(),
		CreatedAt:         o.DateCreatedGMT.Time,
		FinancialStatus:   o.FinancialStatus(),
		FulfillmentStatus: o.FulfillmentStatus(),
		Total:             string(o.Total),
		Currency:          o.Currency,
		ShippingCity:      firstOf(o.Shipping.City, o.Billing.City),
		ShippingCountry:   firstOf(o.Shipping.Country, o.Billing.Country),
		AdminURL:          woocommerce.AdminOrderURL(storeURL, int64(o.ID)),
		LineItems:         []tickets.LineItem{},
	}
	for _, li := range o.LineItems {
		d.LineItems = append(d.LineItems, tickets.LineItem{Title: li.Name, SKU: string(li.SKU), Quantity: int(li.Quantity), Price: unitPrice(li)})
	}
	for _, s := range o.Shipments() {
		d.Tracking = append(d.Tracking, tickets.Tracking{Company: s.Provider, Number: s.Number, URL: s.URL})
	}
	for _, r := range o.Refunds {
		d.Refunds = append(d.Refunds, tickets.Refund{Amount: r.Positive(), Currency: o.Currency, Reason: r.Reason})
	}
	if woocommerce.NormaliseStatus(o.Status) == woocommerce.StatusCancelled {
		at := o.DateModifiedGMT.Time
		d.CancelledAt = &at
	}
	details, _ := json.Marshal(d)
	return tickets.OrderRef{
		Store:             store,
		OrderID:           strconv.FormatInt(int64(o.ID), 10),
		OrderNumber:       o.DisplayNumber(),
		FinancialStatus:   d.FinancialStatus,
		FulfillmentStatus: d.FulfillmentStatus,
		Total:             string(o.Total),
		Currency:          o.Currency,
		CustomerEmail:     tickets.NormaliseEmail(o.Billing.Email),
		SourceUpdatedAt:   o.DateModifiedGMT.Time,
		Details:           details,
	}
}

// unitPrice is the line's price to two decimals: WooCommerce sends it as a
// float with six (29.411765) and totals as exact strings.
func unitPrice(li woocommerce.LineItem) string {
	if r, ok := new(big.Rat).SetString(string(li.Total)); ok && li.Quantity > 0 {
		return r.Quo(r, big.NewRat(int64(li.Quantity), 1)).FloatString(2)
	}
	if r, ok := new(big.Rat).SetString(string(li.Price)); ok {
		return r.FloatString(2)
	}
	return string(li.Price)
}

// WooCommerceProfile is a customer as the hub shows store profiles, with
// the order history the caller listed (oldest first; total is the store's
// count, which may exceed the orders listed, or -1 when the orders could
// not be listed). What neither the customer nor a whole listing tells is
// unknown (nil, ""), not 0: v3 customers carry no orders_count or
// total_spent.
func WooCommerceProfile(store, storeURL string, c woocommerce.Customer, orders []woocommerce.Order, total int) tickets.StoreCustomer {
	p := tickets.StoreCustomer{
		Store:      store,
		CustomerID: strconv.FormatInt(int64(c.ID), 10),
		Name:       c.Name(),
		Email:      tickets.NormaliseEmail(firstOf(c.Email, c.Billing.Email)),
		Phone:      string(c.Billing.Phone),
		AdminURL:   woocommerce.AdminCustomerURL(storeURL, int64(c.ID)),
	}
	switch {
	case c.OrdersCount != nil:
		n := int(*c.OrdersCount)
		p.OrdersCount = &n
	case total >= 0:
		p.OrdersCount = &total
	}
	spent := new(big.Rat)
	for _, o := range orders {
		if o.DateCreatedGMT.IsZero() || woocommerce.IsDraft(o.Status) {
			continue
		}
		if p.FirstOrderAt == nil || o.DateCreatedGMT.Before(*p.FirstOrderAt) {
			at := o.DateCreatedGMT.Time
			p.FirstOrderAt = &at
		}
		switch woocommerce.NormaliseStatus(o.Status) {
		case woocommerce.StatusProcessing, woocommerce.StatusCompleted:
			if r, ok := new(big.Rat).SetString(string(o.Total)); ok {
				spent.Add(spent, r.Sub(r, o.RefundedTotal()))
			}
			p.Currency = firstOf(p.Currency, o.Currency)
		}
	}
	if total >= 0 && len(orders) >= total {
		p.TotalSpent = spent.FloatString(2) // every order was listed
	}
	if c.TotalSpent != "" {
		p.TotalSpent = string(c.TotalSpent)
	}
	if strings.TrimSpace(p.Phone) == "" {
		p.Phone = ""
	}
	return p
}
