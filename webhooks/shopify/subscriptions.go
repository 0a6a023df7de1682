package shopify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"hub/connectors/shopify"
)

// TypeCheckSubscriptions is the periodic check of every active shop's
// webhook subscriptions.
const TypeCheckSubscriptions = "shopify:check-subscriptions"

// The keys of a shop's connection Settings where the subscription check
// records what it found (the dashboard's Integrations page reads them).
// Lists are comma-separated topics ("orders/create,orders/paid"); an empty
// value means none.
const (
	SettingWebhooksCheckedAt  = "webhooks_checked_at"   // RFC 3339, every check, failed or not
	SettingWebhooksSubscribed = "webhooks_subscribed"   // topics subscribed to the hub's address
	SettingWebhooksMissing    = "webhooks_missing"      // topics still without one after the repair
	SettingWebhooksElsewhere  = "webhooks_elsewhere"    // topics with a subscription to another address
	SettingWebhooksOtherURLs  = "webhooks_other_urls"   // those addresses, space-separated, at most three
	SettingWebhooksRefused    = "webhooks_refused"      // why Shopify refused to re-register a topic
	SettingWebhooksRepaired   = "webhooks_reregistered" // topics the last repair re-registered
	SettingWebhooksRepairedAt = "webhooks_reregistered_at"
	SettingWebhooksError      = "webhooks_error"      // why the last check failed; empty when it did not
	SettingWebhooksErrorCode  = "webhooks_error_code" // ErrorUnauthorized, ErrorDenied or ErrorFailed
	maxSettingLen             = 200
	maxOtherURLs              = 3
)

// The kinds of a failed check, by what an admin does about them.
const (
	ErrorUnauthorized = "unauthorized" // the token was refused: reinstall
	ErrorDenied       = "denied"       // a scope is missing or the shop hides the subscriptions
	ErrorFailed       = "failed"       // anything else (Shopify down, unreachable): the next check retries
)

// SubscriptionState is how a shop's webhook subscriptions compare with the
// ones the hub needs.
type SubscriptionState struct {
	Subscribed []string // topics subscribed to the hub's address, in the order of the topics asked about
	Missing    []string // topics with no subscription to it
	Elsewhere  []string // topics with a subscription to another address (an old hub address?)
	OtherURLs  []string // those addresses, each once
}

// CompareSubscriptions sorts topics by the app's subscriptions subs: to
// callback, missing, and pointing elsewhere (a topic may be both subscribed
// and elsewhere: Shopify then delivers it twice). Addresses are compared
// exactly, as RegisterWebhooks does, since Shopify keeps what it was given.
// Subscriptions to topics the hub does not ask for are not its concern.
func CompareSubscriptions(subs []shopify.Subscription, callback string, topics []string) SubscriptionState {
	var st SubscriptionState
	for _, topic := range topics {
		ours, other := false, false
		for _, s := range subs {
			if s.Topic != topic {
				continue
			}
			if s.URI == callback {
				ours = true
				continue
			}
			other = true
			if !slices.Contains(st.OtherURLs, s.URI) {
				st.OtherURLs = append(st.OtherURLs, s.URI)
			}
		}
		if ours {
			st.Subscribed = append(st.Subscribed, topic)
		} else {
			st.Missing = append(st.Missing, topic)
		}
		if other {
			st.Elsewhere = append(st.Elsewhere, topic)
		}
	}
	return st
}

// CheckReport is what one check found and did.
type CheckReport struct {
	SubscriptionState
	Reregistered []string // missing topics the check subscribed again
	Refused      string   // why Shopify refused one of them
	// ErrorCode is set when the check failed and the failure was recorded
	// on the connection.
	ErrorCode string
	// Recorded is whether the result was saved on the connection.
	Recorded bool
}

// SubscriptionCheck reads a shop's webhook subscriptions, subscribes again
// the topics that lost theirs (a merchant or another app removed them;
// Shopify deletes a subscription after its deliveries failed for days), and
// records what it found on the shop's connection for the dashboard.
type SubscriptionCheck struct {
	Shops *Shops
	// CallbackURL is the hub's webhook address (HUB_PUBLIC_URL +
	// "/webhooks/shopify"); without it the hub subscribes nothing.
	CallbackURL string
	Log         *slog.Logger
}

// Check checks one shop. It returns an error when the check failed; the
// failure is recorded on the connection when Shopify answered it (a refused
// token, a missing scope, an outage), not when the hub could not read or
// write its own database or was asked to wait by the shop's rate limit.
func (k *SubscriptionCheck) Check(ctx context.Context, shop string) (CheckReport, error) {
	var rep CheckReport
	c, err := k.Shops.Client(ctx, shop)
	if err != nil {
		if shopify.IsUnauthorized(err) {
			return k.failed(ctx, shop, err)
		}
		return rep, err
	}
	subs, err := c.Subscriptions(ctx)
	if err != nil {
		return k.failed(ctx, shop, err)
	}
	rep.SubscriptionState = CompareSubscriptions(subs, k.CallbackURL, shopify.Topics)
	var still []string
	for _, topic := range rep.Missing {
		created, err := c.Subscribe(ctx, k.CallbackURL, topic)
		var refused *shopify.SubscriptionRefused
		switch {
		case errors.As(err, &refused):
			if rep.Refused == "" {
				rep.Refused = topic + ": " + refused.Message
			}
			still = append(still, topic)
			continue
		case err != nil:
			return k.failed(ctx, shop, err)
		}
		if created {
			rep.Reregistered = append(rep.Reregistered, topic)
		}
		rep.Subscribed = append(rep.Subscribed, topic)
	}
	rep.Missing = still
	rep.Subscribed = inOrder(rep.Subscribed, shopify.Topics)
	if len(rep.Reregistered) > 0 {
		k.log().Warn("shopify webhook subscriptions were missing; subscribed again (what happened meanwhile sent no webhook)",
			"shop", shop, "topics", strings.Join(rep.Reregistered, ","))
	}
	settings := map[string]string{
		SettingWebhooksCheckedAt:  k.Shops.cfg.Now().UTC().Format(time.RFC3339),
		SettingWebhooksSubscribed: strings.Join(rep.Subscribed, ","),
		SettingWebhooksMissing:    strings.Join(rep.Missing, ","),
		SettingWebhooksElsewhere:  strings.Join(rep.Elsewhere, ","),
		SettingWebhooksOtherURLs:  otherURLs(rep.OtherURLs),
		SettingWebhooksRefused:    clip(rep.Refused),
		SettingWebhooksError:      "", SettingWebhooksErrorCode: "",
	}
	if len(rep.Reregistered) > 0 {
		settings[SettingWebhooksRepaired] = strings.Join(rep.Reregistered, ",")
		settings[SettingWebhooksRepairedAt] = settings[SettingWebhooksCheckedAt]
	}
	rep.Recorded, err = k.Shops.SaveSettings(ctx, shop, settings)
	return rep, err
}

// failed records a check that Shopify failed, and returns err. A rate limit
// or a cancelled context is not recorded: the check did not happen.
func (k *SubscriptionCheck) failed(ctx context.Context, shop string, err error) (CheckReport, error) {
	var rep CheckReport
	var rl *shopify.RateLimitError
	if errors.As(err, &rl) || ctx.Err() != nil {
		return rep, err
	}
	rep.ErrorCode = ErrorCode(err)
	saved, serr := k.Shops.SaveSettings(ctx, shop, map[string]string{
		SettingWebhooksCheckedAt: k.Shops.cfg.Now().UTC().Format(time.RFC3339),
		SettingWebhooksError:     clip(err.Error()), SettingWebhooksErrorCode: rep.ErrorCode,
	})
	if serr != nil {
		return rep, errors.Join(err, serr)
	}
	rep.Recorded = saved
	return rep, err
}

// ErrorCode sorts a failed check by what an admin does about it.
func ErrorCode(err error) string {
	switch {
	case shopify.IsUnauthorized(err):
		return ErrorUnauthorized
	case shopify.IsNotFound(err): // ACCESS_DENIED, 403
		return ErrorDenied
	}
	return ErrorFailed
}

// Handler is the periodic task: every active shop whose subscriptions the
// hub made is checked in turn. A shop whose failure is recorded, or that
// its rate limit asks to wait, does not fail the task (the next run checks
// it again); errors of the hub's own database do, so that the pipeline's
// middleware sees an outage and skips the run.
func (k *SubscriptionCheck) Handler() asynq.HandlerFunc {
	return func(ctx context.Context, _ *asynq.Task) error {
		if k.CallbackURL == "" {
			return nil // HUB_PUBLIC_URL is not set: the hub subscribes nothing
		}
		names, err := k.Shops.Active(ctx)
		if err != nil {
			return err
		}
		var errs []error
		for _, shop := range names {
			c, found, err := k.Shops.Lookup(ctx, shop)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if !found || !Subscribed(c.Settings, c.Secrets) {
				continue
			}
			rep, err := k.Check(ctx, shop)
			var rl *shopify.RateLimitError
			switch {
			case err == nil:
			case rep.ErrorCode != "" && rep.Recorded:
				k.log().Warn("shopify webhook subscription check failed", "shop", shop, "err", err)
			case errors.As(err, &rl):
				k.log().Info("shopify webhook subscription check put off by the shop's rate limit", "shop", shop)
			default:
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
}

// Subscribed reports whether the hub keeps the shop's webhook
// subscriptions: shops installed through OAuth, and custom apps connected
// with their API secret (hub connect shopify --secret), for which the
// subscribe task runs. Other shops' webhooks are made by hand in the
// shop's admin, signed with keys the hub may not have: subscribing them
// through the API would only add deliveries the hub refuses.
func Subscribed(settings, secrets map[string]string) bool {
	return settings["connected_by"] == "oauth" || secrets[SecretWebhook] != ""
}

// inOrder sorts list in the order of all.
func inOrder(list, all []string) []string {
	out := make([]string, 0, len(list))
	for _, t := range all {
		if slices.Contains(list, t) {
			out = append(out, t)
		}
	}
	return out
}

func otherURLs(urls []string) string {
	if len(urls) > maxOtherURLs {
		urls = append(urls[:maxOtherURLs:maxOtherURLs], fmt.Sprintf("(+%d)", len(urls)-maxOtherURLs))
	}
	return clip(strings.Join(urls, " "))
}

// clip keeps a recorded value small.
func clip(s string) string {
	if r := []rune(s); len(r) > maxSettingLen {
		return string(r[:maxSettingLen-1]) + "…"
	}
	return s
}

func (k *SubscriptionCheck) log() *slog.Logger {
	if k.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return k.Log
}
