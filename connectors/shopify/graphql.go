package shopify

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// The GraphQL documents the hub sends. Each names its operation (HubOrder,
// ...) so that logs on both sides, and the fake, can tell them apart.
const orderFields = `
fragment HubOrder on Order {
  id name email phone createdAt updatedAt cancelledAt cancelReason
  displayFinancialStatus displayFulfillmentStatus
  totalPriceSet { shopMoney { amount currencyCode } }
  lineItems(first: 50) { nodes { title sku quantity originalUnitPriceSet { shopMoney { amount currencyCode } } } }
  shippingAddress { city country }
  fulfillments(first: 10) { status trackingInfo(first: 10) { company number url } }
  refunds(first: 20) { id createdAt note totalRefundedSet { shopMoney { amount currencyCode } } }
  risk { recommendation assessments { riskLevel } }
  customer { id firstName lastName defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } }
}`

const customerFields = `
fragment HubCustomer on Customer {
  id firstName lastName note tags createdAt updatedAt numberOfOrders
  defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber }
  amountSpent { amount currencyCode }
  orders(first: 1, sortKey: CREATED_AT) { nodes { createdAt } }
}`

const (
	queryOrder     = `query HubOrder($id: ID!) { order(id: $id) { ...HubOrder } }` + orderFields
	queryOrders    = `query HubOrders($query: String!, $first: Int!) { orders(first: $first, query: $query, sortKey: CREATED_AT, reverse: true) { nodes { ...HubOrder } } }` + orderFields
	queryCustomers = `query HubCustomers($query: String!) { customers(first: 5, query: $query) { nodes { ...HubCustomer } } }` + customerFields
)

// Estimated query costs, in Shopify's points, spent from the shop's budget
// before each call: about what Shopify charges in the end (it asks for
// more up front, for every connection's first:, and refunds the rest).
// Shopify's own accounting still has the last word (THROTTLED).
const (
	costOrder     = 10
	costOrders    = 30
	costCustomers = 10
	costWebhooks  = 10
)

type gqlMoney struct {
	ShopMoney struct {
		Amount       flex `json:"amount"`
		CurrencyCode flex `json:"currencyCode"`
	} `json:"shopMoney"`
}

type gqlOrder struct {
	ID                       flex     `json:"id"`
	Name                     flex     `json:"name"`
	Email                    flex     `json:"email"`
	Phone                    flex     `json:"phone"`
	CreatedAt                flex     `json:"createdAt"`
	UpdatedAt                flex     `json:"updatedAt"`
	CancelledAt              flex     `json:"cancelledAt"`
	CancelReason             flex     `json:"cancelReason"`
	DisplayFinancialStatus   flex     `json:"displayFinancialStatus"`
	DisplayFulfillmentStatus flex     `json:"displayFulfillmentStatus"`
	TotalPriceSet            gqlMoney `json:"totalPriceSet"`
	LineItems                struct {
		Nodes []struct {
			Title                flex     `json:"title"`
			SKU                  flex     `json:"sku"`
			Quantity             flex     `json:"quantity"`
			OriginalUnitPriceSet gqlMoney `json:"originalUnitPriceSet"`
		} `json:"nodes"`
	} `json:"lineItems"`
	ShippingAddress *struct {
		City    flex `json:"city"`
		Country flex `json:"country"`
	} `json:"shippingAddress"`
	Fulfillments []struct {
		Status       flex `json:"status"`
		TrackingInfo []struct {
			Company flex `json:"company"`
			Number  flex `json:"number"`
			URL     flex `json:"url"`
		} `json:"trackingInfo"`
	} `json:"fulfillments"`
	Refunds []struct {
		ID               flex     `json:"id"`
		CreatedAt        flex     `json:"createdAt"`
		Note             flex     `json:"note"`
		TotalRefundedSet gqlMoney `json:"totalRefundedSet"`
	} `json:"refunds"`
	Risk *struct {
		Recommendation flex `json:"recommendation"`
		Assessments    []struct {
			RiskLevel flex `json:"riskLevel"`
		} `json:"assessments"`
	} `json:"risk"`
	Customer *gqlCustomerRef `json:"customer"`
}

type gqlCustomerRef struct {
	ID                  flex `json:"id"`
	FirstName           flex `json:"firstName"`
	LastName            flex `json:"lastName"`
	DefaultEmailAddress *struct {
		EmailAddress flex `json:"emailAddress"`
	} `json:"defaultEmailAddress"`
	DefaultPhoneNumber *struct {
		PhoneNumber flex `json:"phoneNumber"`
	} `json:"defaultPhoneNumber"`
}

func (c *gqlCustomerRef) email() string {
	if c.DefaultEmailAddress == nil {
		return ""
	}
	return string(c.DefaultEmailAddress.EmailAddress)
}

func (c *gqlCustomerRef) phone() string {
	if c.DefaultPhoneNumber == nil {
		return ""
	}
	return string(c.DefaultPhoneNumber.PhoneNumber)
}

type gqlCustomer struct {
	gqlCustomerRef
	Note           flex     `json:"note"`
	Tags           []string `json:"tags"`
	CreatedAt      flex     `json:"createdAt"`
	UpdatedAt      flex     `json:"updatedAt"`
	NumberOfOrders flex     `json:"numberOfOrders"`
	AmountSpent    *struct {
		Amount       flex `json:"amount"`
		CurrencyCode flex `json:"currencyCode"`
	} `json:"amountSpent"`
	Orders struct {
		Nodes []struct {
			CreatedAt flex `json:"createdAt"`
		} `json:"nodes"`
	} `json:"orders"`
}

func (g gqlOrder) order(shop string) Order {
	id := NumericID(string(g.ID))
	o := Order{
		ID: id, Name: string(g.Name), Number: orderNumber(string(g.Name)),
		Email: string(g.Email), Phone: string(g.Phone),
		CreatedAt: g.CreatedAt.time(), UpdatedAt: g.UpdatedAt.time(),
		FinancialStatus:   financialStatus(string(g.DisplayFinancialStatus)),
		FulfillmentStatus: fulfillmentStatus(string(g.DisplayFulfillmentStatus)),
		Total:             string(g.TotalPriceSet.ShopMoney.Amount),
		Currency:          string(g.TotalPriceSet.ShopMoney.CurrencyCode),
		CancelledAt:       g.CancelledAt.timePtr(),
		CancelReason:      strings.ToLower(string(g.CancelReason)),
		AdminURL:          AdminOrderURL(shop, id),
		LineItems:         []LineItem{},
	}
	for _, li := range g.LineItems.Nodes {
		o.LineItems = append(o.LineItems, LineItem{Title: string(li.Title), SKU: string(li.SKU),
			Quantity: li.Quantity.int(), Price: string(li.OriginalUnitPriceSet.ShopMoney.Amount)})
	}
	if a := g.ShippingAddress; a != nil {
		o.ShippingCity, o.ShippingCountry = string(a.City), string(a.Country)
	}
	for _, f := range g.Fulfillments {
		if strings.EqualFold(string(f.Status), "CANCELLED") {
			continue
		}
		for _, t := range f.TrackingInfo {
			o.Tracking = append(o.Tracking, Tracking{Company: string(t.Company), Number: string(t.Number), URL: string(t.URL)})
		}
	}
	for _, r := range g.Refunds {
		o.Refunds = append(o.Refunds, Refund{ID: NumericID(string(r.ID)), OrderID: id,
			Amount: string(r.TotalRefundedSet.ShopMoney.Amount), Currency: string(r.TotalRefundedSet.ShopMoney.CurrencyCode),
			Reason: string(r.Note), CreatedAt: r.CreatedAt.time()})
	}
	if r := g.Risk; r != nil {
		// The highest assessed level, else the recommendation.
		for _, a := range r.Assessments {
			if lv := fraudRisk(string(a.RiskLevel)); riskRank(lv) > riskRank(o.FraudRisk) {
				o.FraudRisk = lv
			}
		}
		if o.FraudRisk == "" {
			o.FraudRisk = fraudRisk(string(r.Recommendation))
		}
	}
	if c := g.Customer; c != nil && c.ID != "" {
		o.Customer = &CustomerRef{ID: NumericID(string(c.ID)), Email: c.email(), Phone: c.phone(),
			FirstName: string(c.FirstName), LastName: string(c.LastName)}
		if o.Email == "" {
			o.Email = o.Customer.Email
		}
	}
	return o
}

func riskRank(level string) int {
	return map[string]int{"low": 1, "medium": 2, "high": 3}[level]
}

func (g gqlCustomer) customer(shop string) Customer {
	id := NumericID(string(g.ID))
	c := Customer{
		ID: id, FirstName: string(g.FirstName), LastName: string(g.LastName),
		Email: g.email(), Phone: g.phone(), OrdersCount: g.NumberOfOrders.int(),
		Tags: g.Tags, Note: string(g.Note), CreatedAt: g.CreatedAt.time(), UpdatedAt: g.UpdatedAt.time(),
		AdminURL: AdminCustomerURL(shop, id),
	}
	if g.AmountSpent != nil {
		c.TotalSpent, c.Currency = string(g.AmountSpent.Amount), string(g.AmountSpent.CurrencyCode)
	}
	if len(g.Orders.Nodes) > 0 {
		c.FirstOrderAt = g.Orders.Nodes[0].CreatedAt.timePtr()
	}
	return c
}

// Order fetches one order by its numeric id or GID. ErrNotFound when the
// shop has none or the app may not see it.
func (c *Client) Order(ctx context.Context, id string) (Order, error) {
	var out struct {
		Order *gqlOrder `json:"order"`
	}
	op := "get order " + NumericID(id)
	if err := c.query(ctx, op, costOrder, queryOrder, map[string]any{"id": OrderGID(id)}, &out); err != nil {
		return Order{}, err
	}
	if out.Order == nil {
		return Order{}, fmt.Errorf("shopify: %s: %s: %w", c.cfg.Shop, op, ErrNotFound)
	}
	return out.Order.order(c.cfg.Shop), nil
}

// OrdersByNumber finds the orders named #n for each number. Shopify's
// search is fuzzy, so only exact matches are kept.
func (c *Client) OrdersByNumber(ctx context.Context, numbers []string) ([]Order, error) {
	var terms []string
	want := map[string]bool{}
	for _, n := range numbers {
		n = orderNumber(n)
		if n == "" || want[n] {
			continue
		}
		want[n] = true
		terms = append(terms, "name:"+searchValue("#"+n))
	}
	if len(terms) == 0 {
		return nil, nil
	}
	list, err := c.orders(ctx, "find orders by number", strings.Join(terms, " OR "), 10)
	if err != nil {
		return nil, err
	}
	var out []Order
	for _, o := range list {
		if want[o.Number] {
			out = append(out, o)
		}
	}
	return out, nil
}

// OrdersByEmail returns a buyer's most recent orders, newest first.
func (c *Client) OrdersByEmail(ctx context.Context, email string, limit int) ([]Order, error) {
	return c.orders(ctx, "find orders by email", "email:"+searchValue(email), limit)
}

// OrdersByCustomer returns a customer's most recent orders, newest first.
func (c *Client) OrdersByCustomer(ctx context.Context, customerID string, limit int) ([]Order, error) {
	return c.orders(ctx, "find orders by customer", "customer_id:"+NumericID(customerID), limit)
}

func (c *Client) orders(ctx context.Context, op, search string, limit int) ([]Order, error) {
	var out struct {
		Orders struct {
			Nodes []gqlOrder `json:"nodes"`
		} `json:"orders"`
	}
	limit = min(max(limit, 1), 50)
	if err := c.query(ctx, op, costOrders, queryOrders, map[string]any{"query": search, "first": limit}, &out); err != nil {
		return nil, err
	}
	list := make([]Order, 0, len(out.Orders.Nodes))
	for _, g := range out.Orders.Nodes {
		list = append(list, g.order(c.cfg.Shop))
	}
	return list, nil
}

// CustomersByEmail returns the shop's customers with that email (exact,
// case-insensitive).
func (c *Client) CustomersByEmail(ctx context.Context, email string) ([]Customer, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	list, err := c.customers(ctx, "find customers by email", "email:"+searchValue(email))
	return keep(list, func(x Customer) bool { return strings.EqualFold(strings.TrimSpace(x.Email), email) }), err
}

// CustomersByPhone returns the shop's customers with that phone number;
// same reports whether two numbers are the same (the caller normalises).
func (c *Client) CustomersByPhone(ctx context.Context, phone string, same func(a, b string) bool) ([]Customer, error) {
	list, err := c.customers(ctx, "find customers by phone", "phone:"+searchValue(phone))
	return keep(list, func(x Customer) bool { return same(x.Phone, phone) }), err
}

func (c *Client) customers(ctx context.Context, op, search string) ([]Customer, error) {
	var out struct {
		Customers struct {
			Nodes []gqlCustomer `json:"nodes"`
		} `json:"customers"`
	}
	if err := c.query(ctx, op, costCustomers, queryCustomers, map[string]any{"query": search}, &out); err != nil {
		return nil, err
	}
	list := make([]Customer, 0, len(out.Customers.Nodes))
	for _, g := range out.Customers.Nodes {
		list = append(list, g.customer(c.cfg.Shop))
	}
	return list, nil
}

func keep[T any](list []T, ok func(T) bool) []T {
	var out []T
	for _, x := range list {
		if ok(x) {
			out = append(out, x)
		}
	}
	return out
}

// searchValue quotes a value for Shopify's search syntax, so that an email
// or a customer's text cannot add terms of its own.
func searchValue(s string) string { return strconv.Quote(s) }
