package shopify

import (
	"context"
	"fmt"
	"strings"
)

// Topics are the webhook topics the hub subscribes to through the Admin
// API. The compliance topics (customers/data_request, customers/redact,
// shop/redact) cannot be: they are set in the app's configuration.
var Topics = []string{
	"orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled",
	"refunds/create", "customers/create", "customers/update", "app/uninstalled",
}

// topicEnum turns "orders/create" into GraphQL's ORDERS_CREATE.
func topicEnum(topic string) string {
	return strings.ToUpper(strings.NewReplacer("/", "_").Replace(topic))
}

const (
	queryWebhooks  = `query HubWebhooks { webhookSubscriptions(first: 100) { nodes { id topic uri } } }`
	mutateWebhooks = `mutation HubSubscribe($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) { webhookSubscription { id } userErrors { field message } }
}`
)

// RegisterWebhooks subscribes uri (the hub's /webhooks/shopify) to each
// topic it is not subscribed to yet, and returns how many it created.
// Running it again is harmless.
func (c *Client) RegisterWebhooks(ctx context.Context, uri string, topics []string) (int, error) {
	var have struct {
		WebhookSubscriptions struct {
			Nodes []struct {
				Topic string `json:"topic"`
				URI   string `json:"uri"`
			} `json:"nodes"`
		} `json:"webhookSubscriptions"`
	}
	if err := c.query(ctx, "list webhook subscriptions", queryWebhooks, nil, &have); err != nil {
		return 0, err
	}
	exists := map[string]bool{}
	for _, n := range have.WebhookSubscriptions.Nodes {
		if n.URI == uri {
			exists[n.Topic] = true
		}
	}
	created := 0
	for _, topic := range topics {
		enum := topicEnum(topic)
		if exists[enum] {
			continue
		}
		var out struct {
			Create struct {
				UserErrors []struct {
					Message string `json:"message"`
				} `json:"userErrors"`
			} `json:"webhookSubscriptionCreate"`
		}
		vars := map[string]any{"topic": enum, "sub": map[string]any{"uri": uri, "format": "JSON"}}
		if err := c.query(ctx, "subscribe to "+topic, mutateWebhooks, vars, &out); err != nil {
			return created, err
		}
		if errs := out.Create.UserErrors; len(errs) > 0 {
			if strings.Contains(strings.ToLower(errs[0].Message), "already been taken") {
				continue // subscribed meanwhile
			}
			return created, fmt.Errorf("shopify: %s: subscribe to %s: %s", c.cfg.Shop, topic, errs[0].Message)
		}
		created++
	}
	return created, nil
}
