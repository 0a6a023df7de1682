package shopify

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"

	"hub/connectors/shopify"
)

// TypeSubscribe is the asynq task that registers a shop's webhook
// subscriptions after an install. Its payload is the shop domain.
const TypeSubscribe = "shopify:subscribe"

// NewSubscribeTask returns the task for shop.
func NewSubscribeTask(shop string) *asynq.Task { return asynq.NewTask(TypeSubscribe, []byte(shop)) }

// SubscribeHandler registers the hub's webhook subscriptions (the topics in
// shopify.Topics) to callbackURL (HUB_PUBLIC_URL + "/webhooks/shopify").
func SubscribeHandler(shops *Shops, callbackURL string) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		shop := string(t.Payload())
		if !shopify.ValidShop(shop) {
			return fmt.Errorf("shopify: subscribe: %q is not a shop: %w", shop, asynq.SkipRetry)
		}
		if callbackURL == "" {
			return fmt.Errorf("shopify: subscribe %s: HUB_PUBLIC_URL is not set: %w", shop, asynq.SkipRetry)
		}
		c, err := shops.Client(ctx, shop)
		if err != nil {
			if shopify.IsUnauthorized(err) {
				return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
			}
			return err
		}
		if _, err := c.RegisterWebhooks(ctx, callbackURL, shopify.Topics); err != nil {
			if shopify.IsUnauthorized(err) {
				return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
			}
			return err
		}
		return nil
	}
}

// TypeRefreshTokens is the periodic task that refreshes every shop's
// expiring token that is due, so refresh tokens (which lapse after 90 days
// unused) stay alive for shops the hub has not called lately.
const TypeRefreshTokens = "shopify:refresh-tokens"

// RefreshHandler refreshes the tokens due of every active shop.
func RefreshHandler(shops *Shops) asynq.HandlerFunc {
	return func(ctx context.Context, _ *asynq.Task) error {
		names, err := shops.Active(ctx)
		if err != nil {
			return err
		}
		var errs []error
		for _, shop := range names {
			c, found, err := shops.Lookup(ctx, shop)
			if err != nil || !found || c.Secrets[SecretRefreshToken] == "" {
				continue
			}
			if _, err := (&refresher{shops: shops, shop: shop, ahead: refreshAhead}).Token(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
}
