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
// shopify.Topics) to check.CallbackURL (HUB_PUBLIC_URL +
// "/webhooks/shopify"), then runs the subscription check, which records the
// result on the shop's connection and retries a topic Shopify refused.
func SubscribeHandler(check *SubscriptionCheck) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		shop := string(t.Payload())
		if !shopify.ValidShop(shop) {
			return fmt.Errorf("shopify: subscribe: %q is not a shop: %w", shop, asynq.SkipRetry)
		}
		if check.CallbackURL == "" {
			return fmt.Errorf("shopify: subscribe %s: HUB_PUBLIC_URL is not set: %w", shop, asynq.SkipRetry)
		}
		c, err := check.Shops.Client(ctx, shop)
		if err == nil {
			_, err = c.RegisterWebhooks(ctx, check.CallbackURL, shopify.Topics)
		}
		var refused *shopify.SubscriptionRefused
		if err != nil && !errors.As(err, &refused) && !shopify.IsUnauthorized(err) {
			return err // retried; the check below would only meet it again
		}
		// The check records what is subscribed, and records a refusal (the
		// topics after a refused one are subscribed by it) or a refused
		// token so that the dashboard says so.
		if _, err := check.Check(ctx, shop); err != nil {
			if shopify.IsUnauthorized(err) || shopify.IsNotFound(err) {
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
