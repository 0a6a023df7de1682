package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// GetOrder fetches one order by id.
func (c *Client) GetOrder(ctx context.Context, id int64) (Order, error) {
	var raw json.RawMessage
	op := fmt.Sprintf("get order %d", id)
	if _, err := c.do(ctx, op, http.MethodGet, "orders/"+strconv.FormatInt(id, 10), nil, nil, &raw); err != nil {
		return Order{}, err
	}
	o, err := ParseOrder(raw)
	if err != nil {
		return o, fmt.Errorf("woocommerce: %s: %w", op, err)
	}
	return o, nil
}

// OrderQuery filters an order listing. Zero fields are left out.
type OrderQuery struct {
	Customer      int64     // registered customer id
	Search        string    // email, name, number, ...
	Status        string    // "any" by default
	ModifiedAfter time.Time // sent in UTC with dates_are_gmt (WC 5.8+)
	OrderBy       string    // date, modified, id, ...
	Order         string    // asc or desc
	PerPage       int       // 1..100 (default 10)
	Page          int       // from 1
}

func (q OrderQuery) values() url.Values {
	v := url.Values{}
	if q.Customer > 0 {
		v.Set("customer", strconv.FormatInt(q.Customer, 10))
	}
	if q.Search != "" {
		v.Set("search", q.Search)
	}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	if !q.ModifiedAfter.IsZero() {
		v.Set("modified_after", q.ModifiedAfter.UTC().Format("2006-01-02T15:04:05"))
		v.Set("dates_are_gmt", "true")
	}
	if q.OrderBy != "" {
		v.Set("orderby", q.OrderBy)
	}
	if q.Order != "" {
		v.Set("order", q.Order)
	}
	if q.PerPage > 0 {
		v.Set("per_page", strconv.Itoa(min(q.PerPage, 100)))
	}
	if q.Page > 0 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	return v
}

// OrderPage is one page of a listing. Raw holds each order's JSON exactly as
// the store sent it, for recording it as a delivery.
type OrderPage struct {
	Orders     []Order
	Raw        []json.RawMessage
	Total      int
	TotalPages int
}

// ListOrders lists one page of orders.
func (c *Client) ListOrders(ctx context.Context, q OrderQuery) (OrderPage, error) {
	var raw []json.RawMessage
	p, err := c.do(ctx, "list orders", http.MethodGet, "orders", q.values(), nil, &raw)
	if err != nil {
		return OrderPage{}, err
	}
	out := OrderPage{Raw: raw, Total: p.total, TotalPages: p.totalPages}
	for i, r := range raw {
		o, err := ParseOrder(r)
		if err != nil {
			return OrderPage{}, fmt.Errorf("woocommerce: list orders: item %d: %w", i, err)
		}
		out.Orders = append(out.Orders, o)
	}
	return out, nil
}

// ListNotes lists an order's notes, newest first.
func (c *Client) ListNotes(ctx context.Context, orderID int64) ([]Note, error) {
	var notes []Note
	_, err := c.do(ctx, fmt.Sprintf("list notes of order %d", orderID), http.MethodGet,
		"orders/"+strconv.FormatInt(orderID, 10)+"/notes", url.Values{"type": {"customer"}}, nil, &notes)
	return notes, err
}

// AddNote adds a note to an order. A customer note is emailed to the
// customer by WooCommerce; a private note is seen only in the admin.
func (c *Client) AddNote(ctx context.Context, orderID int64, note string, toCustomer bool) (Note, error) {
	var n Note
	in := map[string]any{"note": note, "customer_note": toCustomer}
	_, err := c.do(ctx, fmt.Sprintf("add note to order %d", orderID), http.MethodPost,
		"orders/"+strconv.FormatInt(orderID, 10)+"/notes", nil, in, &n)
	return n, err
}
