package woocommerce

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// Topics are the webhook topics the hub subscribes a store to.
var Topics = []string{
	"order.created", "order.updated", "order.deleted", "order.restored",
	"customer.created", "customer.updated", "customer.deleted",
}

// ListWebhooks lists the store's webhooks (up to 100, which is far more
// than a store has).
func (c *Client) ListWebhooks(ctx context.Context) ([]Webhook, error) {
	var list []Webhook
	_, err := c.do(ctx, "list webhooks", http.MethodGet, "webhooks", url.Values{"per_page": {"100"}}, nil, &list)
	return list, err
}

// CreateWebhook registers a webhook. WooCommerce pings the delivery URL
// synchronously inside this call, so the receiver must be serving already.
func (c *Client) CreateWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	var out Webhook
	_, err := c.do(ctx, "create webhook "+w.Topic, http.MethodPost, "webhooks", nil, w, &out)
	return out, err
}

// UpdateWebhook changes a webhook; zero fields of w are left as they are.
// Setting Status "active" re-enables a webhook WooCommerce disabled after
// failed deliveries (it never does so by itself).
func (c *Client) UpdateWebhook(ctx context.Context, id int64, w Webhook) (Webhook, error) {
	var out Webhook
	_, err := c.do(ctx, fmt.Sprintf("update webhook %d", id), http.MethodPut, "webhooks/"+strconv.FormatInt(id, 10), nil, w, &out)
	return out, err
}
