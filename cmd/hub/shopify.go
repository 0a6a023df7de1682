package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"hub/connectors/shopify"
	"hub/enrich"
	"hub/tickets"
	"hub/webhooks"
	whshopify "hub/webhooks/shopify"
)

// shopifyConfig is the Shopify connector's part of the configuration.
type shopifyConfig struct {
	APIKey, APISecret, APISecretPrevious string
	Shop, AccessToken                    string
	APIBaseURL                           string
	APIVersion                           string
	Scopes                               []string
	Open                                 map[string]bool
	Budget                               shopify.Budget
}

// The scopes the hub asks a merchant for: orders (all of them, not only
// the last 60 days) and customers, read only.
const defaultShopifyScopes = "read_orders,read_all_orders,read_customers"

func loadShopifyConfig(getenv func(string) string) (shopifyConfig, error) {
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }
	c := shopifyConfig{
		APIKey: env("SHOPIFY_API_KEY"), APISecret: env("SHOPIFY_API_SECRET"), APISecretPrevious: env("SHOPIFY_API_SECRET_PREVIOUS"),
		AccessToken: env("SHOPIFY_ACCESS_TOKEN"), APIBaseURL: strings.TrimRight(env("SHOPIFY_API_BASE_URL"), "/"),
		APIVersion: env("SHOPIFY_API_VERSION"), Budget: shopify.DefaultBudget,
	}
	if s := env("SHOPIFY_SHOP"); s != "" {
		shop, ok := shopify.NormaliseShop(s)
		if !ok {
			return c, configError{"SHOPIFY_SHOP", "must be a shop's myshopify.com domain, e.g. acme.myshopify.com"}
		}
		c.Shop = shop
	}
	if c.AccessToken != "" && c.Shop == "" {
		return c, configError{"SHOPIFY_ACCESS_TOKEN", "needs SHOPIFY_SHOP, the shop it belongs to"}
	}
	if c.APIKey != "" && c.APISecret == "" {
		return c, configError{"SHOPIFY_API_SECRET", "must be set with SHOPIFY_API_KEY: it signs webhooks and the OAuth install"}
	}
	if c.APIBaseURL != "" {
		if _, err := shopify.NewClient(shopify.Config{Shop: "x.myshopify.com", Tokens: shopify.StaticToken("x"), BaseURL: c.APIBaseURL}); err != nil {
			return c, configError{"SHOPIFY_API_BASE_URL", "must be an absolute http(s) URL"}
		}
	}
	if c.APIVersion == "" {
		c.APIVersion = shopify.APIVersion
	} else if len(c.APIVersion) != 7 || c.APIVersion[4] != '-' {
		return c, configError{"SHOPIFY_API_VERSION", "must be a version such as 2025-10"}
	}
	scopes := env("SHOPIFY_SCOPES")
	if scopes == "" {
		scopes = defaultShopifyScopes
	}
	for _, s := range strings.Split(scopes, ",") {
		if s = strings.TrimSpace(s); s != "" {
			c.Scopes = append(c.Scopes, s)
		}
	}
	open, err := whshopify.ParseOpenTickets(env("SHOPIFY_OPEN_TICKETS"))
	if err != nil {
		return c, configError{"SHOPIFY_OPEN_TICKETS", "must be a comma-separated list of cancelled, refund, fraud, or none"}
	}
	c.Open = open
	if v := env("SHOPIFY_RATE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return c, configError{"SHOPIFY_RATE_LIMIT", "must be GraphQL cost points per second per shop, from 1 to 10000"}
		}
		// The restore rate assumed until the shop's first answer tells
		// the real one, with the bucket Shopify pairs with it (10 s worth).
		c.Budget = shopify.Budget{Restore: float64(n), Bucket: float64(10 * n)}
	}
	return c, nil
}

func (a *App) shopifyShops(rdb redis.UniversalClient) *whshopify.Shops {
	c := a.cfg.Shopify
	redirect := ""
	if a.cfg.PublicURL != "" {
		redirect = a.cfg.PublicURL + "/shopify/callback"
	}
	var cfg whshopify.Config
	cfg.App = shopify.App{APIKey: c.APIKey, APISecret: c.APISecret, Scopes: c.Scopes, RedirectURL: redirect, BaseURL: c.APIBaseURL}
	cfg.PreviousSecret, cfg.EnvShop, cfg.EnvToken, cfg.APIVersion = c.APISecretPrevious, c.Shop, c.AccessToken, c.APIVersion
	if rdb != nil {
		// Keyed by queue, so hubs sharing one Redis (tests) keep apart.
		cfg.Limiter = shopify.NewRedisLimiter(rdb, c.Budget, a.cfg.Queue+":")
		cfg.Locker = shopify.NewRedisLocker(rdb, a.cfg.Queue+":")
	}
	return whshopify.NewShops(a.store, cfg)
}

// wireShopify connects the Shopify connector: the webhook receiver and its
// decoder, the OAuth install, the subscription and token tasks, and every
// connected shop as an enrichment source.
func (a *App) wireShopify(ctx context.Context) error {
	log := a.log.With("component", "shopify")
	var rdb redis.UniversalClient
	if c, ok := a.cfg.Redis.MakeRedisClient().(redis.UniversalClient); ok {
		rdb = c
		a.closers = append(a.closers, func() { _ = c.Close() })
	}
	shops := a.shopifyShops(rdb)
	if a.cfg.Shopify.Shop != "" && a.cfg.Shopify.APISecret == "" {
		log.Warn("SHOPIFY_SHOP is set without SHOPIFY_API_SECRET: its webhooks cannot be verified and will be refused")
	}
	callback := ""
	if a.cfg.PublicURL != "" {
		callback = a.cfg.PublicURL + "/webhooks/shopify"
	}
	receiver := whshopify.NewReceiver(a.pipeline, shops, a.pipeline.Metrics(), log)
	installer := whshopify.NewInstaller(shops, a.enqueueShopifySubscribe, log)
	a.routes = append(a.routes, func(r chi.Router) {
		r.With(middleware.Timeout(webhookTimeout)).Post("/webhooks/shopify", receiver.ServeHTTP)
		installer.Routes(r)
	})
	a.pipeline.Handle(tickets.SourceShopify, whshopify.NewDecoder(shops, a.store, a.cfg.Shopify.Open, log))
	check := &whshopify.SubscriptionCheck{Shops: shops, CallbackURL: callback, Log: log}
	a.tasks = append(a.tasks, func(mux *asynq.ServeMux) {
		mux.Handle(whshopify.TypeSubscribe, whshopify.SubscribeHandler(check))
		mux.Handle(whshopify.TypeCheckSubscriptions, check.Handler())
		mux.Handle(whshopify.TypeRefreshTokens, whshopify.RefreshHandler(shops))
		mux.Handle(whshopify.TypeFraudCheck, whshopify.NewFraudCheck(shops, a.store, log))
	})
	// Refresh tokens rotate and lapse after 90 days unused: a daily refresh
	// keeps a quiet shop's connection alive.
	a.periodic = append(a.periodic, periodicTask{"@every 12h", asynq.NewTask(whshopify.TypeRefreshTokens, nil)})
	// Subscriptions go missing (removed in the shop, or by Shopify after
	// days of failed deliveries): an hourly check subscribes them again and
	// records what it found for the Integrations page.
	if callback != "" {
		a.periodic = append(a.periodic, periodicTask{"@every 1h", asynq.NewTask(whshopify.TypeCheckSubscriptions, nil)})
	}
	a.sources = append(a.sources, func(ctx context.Context) ([]enrich.Source, error) {
		names, err := shops.Active(ctx)
		if err != nil {
			return nil, err
		}
		var out []enrich.Source
		for _, shop := range names {
			c, err := shops.Client(ctx, shop)
			if err != nil {
				log.Warn("shopify: shop skipped by the enrichment", "shop", shop, "err", err)
				continue
			}
			out = append(out, enrich.NewShopify(c))
		}
		return out, nil
	})
	return nil
}

// webhookTimeout bounds a webhook request: Shopify gives up after 5s.
const webhookTimeout = 4 * time.Second

func (a *App) enqueueShopifySubscribe(ctx context.Context, shop string) error {
	_, err := a.client.EnqueueContext(ctx, whshopify.NewSubscribeTask(shop), asynq.Queue(a.cfg.Queue), asynq.MaxRetry(10))
	return err
}

var _ whshopify.Rejections = (*webhooks.Metrics)(nil)

// connectShopify is `hub connect shopify --shop S --token T [--secret K]`:
// a shop connected with a custom app's Admin API token, stored sealed with
// HUB_SECRET_KEY. --secret is the custom app's API secret, which signs its
// webhooks.
func (a *App) connectShopify(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("connect shopify", flag.ContinueOnError)
	shopFlag := fs.String("shop", "", "the shop's myshopify.com domain, e.g. acme.myshopify.com")
	token := fs.String("token", "", "the custom app's Admin API access token (shpat_...)")
	secret := fs.String("secret", "", "the custom app's API secret key, to verify its webhooks (optional)")
	if err := parseFlags(fs, args, out, "connect shopify --shop S --token T [--secret S]",
		"Connect a shop with a custom app's Admin API token (stored encrypted: needs HUB_SECRET_KEY)."); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"connect shopify takes only --shop, --token and --secret"}
	}
	shop, ok := shopify.NormaliseShop(*shopFlag)
	if !ok {
		return usageError{"--shop must be a shop's myshopify.com domain, e.g. acme.myshopify.com"}
	}
	if strings.TrimSpace(*token) == "" {
		return usageError{"--token is required (the custom app's Admin API access token)"}
	}
	if a.cfg.SecretKey == "" {
		return fmt.Errorf("HUB_SECRET_KEY is not set: it encrypts the shop's token at rest; set it (any long random string) and run this again")
	}
	shops := a.shopifyShops(nil)
	if _, err := shops.Connect(ctx, shop, strings.TrimSpace(*token), strings.TrimSpace(*secret)); err != nil {
		return fmt.Errorf("connect %s: %w", shop, err)
	}
	fmt.Fprintf(out, "Connected %s (token stored encrypted).\n", shop)
	if *secret != "" && a.cfg.PublicURL != "" {
		if err := a.enqueueShopifySubscribe(ctx, shop); err != nil {
			return fmt.Errorf("connected, but the webhook subscriptions were not queued: %w", err)
		}
		fmt.Fprintf(out, "Webhook subscriptions to %s/webhooks/shopify are being registered.\n", a.cfg.PublicURL)
	} else {
		fmt.Fprintln(out, "Orders and customers are looked up from now on. To receive its webhooks, pass --secret and set HUB_PUBLIC_URL.")
	}
	return nil
}
