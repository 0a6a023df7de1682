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

// TopicName turns GraphQL's ORDERS_CREATE back into "orders/create" for the
// topics the hub knows; others come back as they are.
func TopicName(enum string) string {
	for _, t := range Topics {
		if topicEnum(t) == enum {
			return t
		}
	}
	return enum
}

const (
	queryWebhooks  = `query HubWebhooks { webhookSubscriptions(first: 100) { nodes { id topic uri } } }`
	mutateWebhooks = `mutation HubSubscribe($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) { webhookSubscription { id } userErrors { field message } }
}`
)

// Subscription is one of the app's webhook subscriptions in a shop. Topic
// is as the hub names it ("orders/create"); an app only ever sees its own.
type Subscription struct {
	ID    string
	Topic string
	URI   string
}

// Subscriptions lists the app's webhook subscriptions in the shop (the
// first 100: the hub makes nine).
func (c *Client) Subscriptions(ctx context.Context) ([]Subscription, error) {
	var have struct {
		WebhookSubscriptions struct {
			Nodes []struct {
				ID    string `json:"id"`
				Topic string `json:"topic"`
				URI   string `json:"uri"`
			} `json:"nodes"`
		} `json:"webhookSubscriptions"`
	}
	if err := c.query(ctx, "list webhook subscriptions", queryWebhooks, nil, &have); err != nil {
		return nil, err
	}
	out := make([]Subscription, 0, len(have.WebhookSubscriptions.Nodes))
	for _, n := range have.WebhookSubscriptions.Nodes {
		out = append(out, Subscription{ID: n.ID, Topic: TopicName(n.Topic), URI: n.URI})
	}
	return out, nil
}

// SubscriptionRefused is Shopify's refusal (a userError) to create one
// subscription, e.g. an address it will not deliver to.
type SubscriptionRefused struct {
	Shop, Topic, Message string
}

func (e *SubscriptionRefused) Error() string {
	return fmt.Sprintf("shopify: %s: subscribe to %s: %s", e.Shop, e.Topic, e.Message)
}

// Subscribe subscribes uri to one topic; created is false when the
// subscription existed already, which is not an error.
func (c *Client) Subscribe(ctx context.Context, uri, topic string) (created bool, err error) {
	var out struct {
		Create struct {
			UserErrors []struct {
				Message string `json:"message"`
			} `json:"userErrors"`
		} `json:"webhookSubscriptionCreate"`
	}
	vars := map[string]any{"topic": topicEnum(topic), "sub": map[string]any{"uri": uri, "format": "JSON"}}
	if err := c.query(ctx, "subscribe to "+topic, mutateWebhooks, vars, &out); err != nil {
		return false, err
	}
	if errs := out.Create.UserErrors; len(errs) > 0 {
		if strings.Contains(strings.ToLower(errs[0].Message), "already been taken") {
			return false, nil // subscribed meanwhile
		}
		return false, &SubscriptionRefused{Shop: c.cfg.Shop, Topic: topic, Message: errs[0].Message}
	}
	return true, nil
}

// RegisterWebhooks subscribes uri (the hub's /webhooks/shopify) to each
// topic it is not subscribed to yet, and returns how many it created.
// Running it again is harmless.
func (c *Client) RegisterWebhooks(ctx context.Context, uri string, topics []string) (int, error) {
	have, err := c.Subscriptions(ctx)
	if err != nil {
		return 0, err
	}
	exists := map[string]bool{}
	for _, s := range have {
		if s.URI == uri {
			exists[s.Topic] = true
		}
	}
	created := 0
	for _, topic := range topics {
		if exists[topic] {
			continue
		}
		ok, err := c.Subscribe(ctx, uri, topic)
		if err != nil {
			return created, err
		}
		if ok {
			created++
		}
	}
	return created, nil
}
