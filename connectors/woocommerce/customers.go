package woocommerce

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// GetCustomer fetches one registered customer by id.
func (c *Client) GetCustomer(ctx context.Context, id int64) (Customer, error) {
	var cu Customer
	_, err := c.do(ctx, fmt.Sprintf("get customer %d", id), http.MethodGet, "customers/"+strconv.FormatInt(id, 10), nil, nil, &cu)
	return cu, err
}

// CustomersByEmail returns the registered customers with that email (zero
// or one in practice). Guests are not customers: find their orders by
// billing email with ListOrders.
func (c *Client) CustomersByEmail(ctx context.Context, email string) ([]Customer, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, nil
	}
	var list []Customer
	_, err := c.do(ctx, "find customers by email", http.MethodGet, "customers",
		url.Values{"email": {email}, "role": {"all"}}, nil, &list)
	return list, err
}
