package shopifytest

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"hub/connectors/shopify"
)

// WebhookRequest builds a webhook delivery as Shopify sends it: the raw
// body signed with secret, and the X-Shopify-* headers. webhookID and
// eventID identify the delivery and its event.
func WebhookRequest(ctx context.Context, target, shop, topic string, body []byte, secret, webhookID, eventID string, triggeredAt time.Time) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("X-Shopify-Topic", topic)
	h.Set("X-Shopify-Shop-Domain", shop)
	h.Set("X-Shopify-API-Version", shopify.APIVersion)
	h.Set("X-Shopify-Webhook-Id", webhookID)
	h.Set("X-Shopify-Event-Id", eventID)
	h.Set("X-Shopify-Triggered-At", triggeredAt.UTC().Format(time.RFC3339Nano))
	h.Set("X-Shopify-Hmac-Sha256", shopify.SignWebhook(body, secret))
	return req, nil
}
