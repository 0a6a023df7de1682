package shopify

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// The GraphQL documents the hub sends. Each names its operation (HubOrder,
// ...) so that logs on both sides, and the fake, can tell them apart.
//
// Shopify refuses, before running it, a query whose requested cost is over
// 1,000 points, and runs one only when its bucket holds that much; every
// first: multiplies what is under it. So a search returns ids and names,
// and an order's details are read one order at a time, with short pages
// of line items, fulfillments and refunds. A unit test computes each
// document's requested cost (package querycost) and keeps it well under.
const orderFields = `
fragment HubOrder on Order {
  id name email phone createdAt updatedAt cancelledAt cancelReason
  displayFinancialStatus displayFulfillmentStatus
  totalPriceSet { shopMoney { amount currencyCode } }
  lineItems(first: 25) { nodes { title sku quantity originalUnitPriceSet { shopMoney { amount currencyCode } } } }
  shippingAddress { city country }
  fulfillments(first: 5) { status trackingInfo(first: 3) { company number url } }
  refunds(first: 10) { id createdAt note totalRefundedSet { shopMoney { amount currencyCode } } }
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
	queryOrder       = `query HubOrder($id: ID!) { order(id: $id) { ...HubOrder } }` + orderFields
	queryOrderSearch = `query HubOrderSearch($query: String!, $first: Int!) { orders(first: $first, query: $query, sortKey: CREATED_AT, reverse: true) { nodes { id name } } }`
	queryCustomers   = `query HubCustomers($query: String!) { customers(first: 5, query: $query) { nodes { ...HubCustomer } } }` + customerFields
)

// maxPage is the most orders one search asks for.
const maxPage = 25

// Order fetches one order by its numeric id or GID. ErrNotFound when the
// shop has none or the app may not see it.
func (c *Client) Order(ctx context.Context, id string) (Order, error) {
	var out struct {
		Order *gqlOrder `json:"order"`
	}
	op := "get order " + NumericID(id)
	if err := c.query(ctx, op, queryOrder, map[string]any{"id": OrderGID(id)}, &out); err != nil {
		return Order{}, err
	}
	if out.Order == nil {
		return Order{}, fmt.Errorf("shopify: %s: %s: %w", c.cfg.Shop, op, ErrNotFound)
	}
	return out.Order.order(c.cfg.Shop), nil
}

// OrdersByNumber finds the orders named #n for each number. Shopify's
// search is fuzzy, so only exact matches are read.
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
	found, err := c.search(ctx, "find orders by number", strings.Join(terms, " OR "), min(2*len(terms), maxPage))
	if err != nil {
		return nil, err
	}
	return c.details(ctx, keep(found, func(o orderName) bool { return want[orderNumber(string(o.Name))] }))
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
	found, err := c.search(ctx, op, search, min(max(limit, 1), maxPage))
	if err != nil {
		return nil, err
	}
	return c.details(ctx, found)
}

// orderName is what a search returns of each order.
type orderName struct {
	ID   flex `json:"id"`
	Name flex `json:"name"`
}

// search returns the ids and names of the orders matching a search, newest
// first.
func (c *Client) search(ctx context.Context, op, search string, first int) ([]orderName, error) {
	var out struct {
		Orders struct {
			Nodes []orderName `json:"nodes"`
		} `json:"orders"`
	}
	err := c.query(ctx, op, queryOrderSearch, map[string]any{"query": search, "first": first}, &out)
	return out.Orders.Nodes, err
}

// details reads each order found, in order. One that is gone or hidden
// since the search (deleted, or older than read_all_orders allows) is left
// out.
func (c *Client) details(ctx context.Context, found []orderName) ([]Order, error) {
	list := make([]Order, 0, len(found))
	for _, f := range found {
		o, err := c.Order(ctx, string(f.ID))
		if IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		list = append(list, o)
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
	if err := c.query(ctx, op, queryCustomers, map[string]any{"query": search}, &out); err != nil {
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
