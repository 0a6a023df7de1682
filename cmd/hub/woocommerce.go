package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/hibiken/asynq"

	wc "hub/connectors/woocommerce"
	"hub/enrich"
	"hub/tickets"
	whslack "hub/webhooks/slack"
	woo "hub/webhooks/woocommerce"
)

// woocommerceConfig is the WooCommerce connector's part of the configuration.
type woocommerceConfig struct {
	// One store configured by the environment (all four or none).
	URL, ConsumerKey, ConsumerSecret, WebhookSecret string
	// CustomerNotes sends public replies as customer order notes.
	CustomerNotes bool
	// OpenOn are the order statuses that open a ticket by themselves.
	OpenOn []string
	// ReconcileEvery and HealthEvery schedule the polling that catches
	// what WooCommerce never retries.
	ReconcileEvery, HealthEvery time.Duration
}

func loadWooCommerceConfig(getenv func(string) string) (woocommerceConfig, error) {
	env := func(n string) string { return strings.TrimSpace(getenv(n)) }
	c := woocommerceConfig{
		URL: env("WOOCOMMERCE_URL"), ConsumerKey: env("WOOCOMMERCE_CONSUMER_KEY"),
		ConsumerSecret: env("WOOCOMMERCE_CONSUMER_SECRET"), WebhookSecret: getenv("WOOCOMMERCE_WEBHOOK_SECRET"),
		OpenOn: woo.DefaultOpenOn,
	}
	set := 0
	for _, v := range []string{c.URL, c.ConsumerKey, c.ConsumerSecret, c.WebhookSecret} {
		if v != "" {
			set++
		}
	}
	if set > 0 && set < 4 {
		return c, configError{"WOOCOMMERCE_URL/WOOCOMMERCE_CONSUMER_KEY/WOOCOMMERCE_CONSUMER_SECRET/WOOCOMMERCE_WEBHOOK_SECRET", "set all four for one store, or none"}
	}
	if c.URL != "" {
		if _, err := wc.New(c.URL, c.ConsumerKey, c.ConsumerSecret, wc.Options{}); err != nil {
			return c, configError{"WOOCOMMERCE_URL", "must be the store's https:// address (plain http only for a store on this machine)"}
		}
	}
	switch strings.ToLower(env("WOOCOMMERCE_CUSTOMER_NOTES")) {
	case "", "false", "0", "no":
	case "true", "1", "yes":
		c.CustomerNotes = true
	default:
		return c, configError{"WOOCOMMERCE_CUSTOMER_NOTES", "must be true or false"}
	}
	if v := env("WOOCOMMERCE_OPEN_TICKETS_ON"); v != "" {
		c.OpenOn = []string{}
		for _, s := range strings.Split(v, ",") {
			if s = wc.NormaliseStatus(s); s != "" && s != "none" {
				c.OpenOn = append(c.OpenOn, s)
			}
		}
	}
	var err error
	if c.ReconcileEvery, err = durationEnv(getenv, "WOOCOMMERCE_RECONCILE_EVERY", 5*time.Minute); err != nil {
		return c, err
	}
	if c.HealthEvery, err = durationEnv(getenv, "WOOCOMMERCE_HEALTH_EVERY", 15*time.Minute); err != nil {
		return c, err
	}
	if c.ReconcileEvery < time.Second || c.HealthEvery < time.Second {
		return c, configError{"WOOCOMMERCE_RECONCILE_EVERY/WOOCOMMERCE_HEALTH_EVERY", "must be at least 1s"}
	}
	return c, nil
}

// wooStores builds the store registry from the configuration.
func (a *App) wooStores() (*woo.Stores, error) {
	c := a.cfg.WooCommerce
	opt := woo.StoresOptions{CustomerNotes: c.CustomerNotes}
	if c.URL != "" {
		opt.Env = &woo.EnvStore{URL: c.URL, ConsumerKey: c.ConsumerKey, ConsumerSecret: c.ConsumerSecret, WebhookSecret: c.WebhookSecret}
	}
	return woo.NewStores(a.store, opt)
}

// wireWooCommerce connects the WooCommerce connector: routes, decoders, tasks, follow-ups.
func (a *App) wireWooCommerce(ctx context.Context) error {
	c := a.cfg.WooCommerce
	stores, err := a.wooStores()
	if err != nil {
		return fmt.Errorf("woocommerce: %w", err)
	}
	log := a.log.With("component", "woocommerce")
	metrics := woo.NewMetrics(a.reg)
	a.pipeline.Handle(tickets.SourceWooCommerce, &woo.Decoder{Stores: stores, OpenOn: c.OpenOn})

	recv := &woo.Receiver{Pipeline: a.pipeline, Stores: stores, Metrics: a.pipeline.Metrics(), Log: log}
	a.routes = append(a.routes, func(r chi.Router) {
		// Both spellings: a trailing-slash redirect would count as delivered
		// in WooCommerce and lose the event.
		r.Post(woo.Path, recv.ServeHTTP)
		r.Post(woo.Path+"/", recv.ServeHTTP)
	})

	deliveryURL := ""
	if a.cfg.PublicURL != "" {
		deliveryURL = a.cfg.PublicURL + woo.Path
	}
	health := &woo.Health{Stores: stores, DeliveryURL: deliveryURL, Metrics: metrics, Now: a.now, Log: log,
		// Tell the team in Slack too (once per incident: Health dedupes).
		OnSilent: func(ctx context.Context, store, reason string) {
			task := whslack.NewAlertTask(fmt.Sprintf("WooCommerce store %s has stopped delivering webhooks: %s", store, reason))
			if _, err := a.client.EnqueueContext(ctx, task, asynq.Queue(a.cfg.Queue), asynq.MaxRetry(5)); err != nil {
				log.Warn("could not queue the Slack alert", "store", store, "err", err)
			}
		}}
	rec := &woo.Reconciler{Stores: stores, Pipeline: a.pipeline, Queue: a.client, QueueName: a.cfg.Queue,
		Every: c.ReconcileEvery, Health: health, Metrics: metrics, Now: a.now, Log: log}
	notes := &woo.Notes{Stores: stores, Messages: a.store, Log: log}
	a.tasks = append(a.tasks, rec.Register, health.Register, notes.Register)
	a.followups = append(a.followups, woo.Followups)
	a.replies = append(a.replies, func(ctx context.Context, t tickets.Ticket) []string {
		var out []string
		for _, o := range t.Orders {
			if !strings.HasPrefix(o.Store, woo.KeyPrefix) {
				continue
			}
			if st, err := stores.Settings(ctx, o.Store); err == nil && st.CustomerNotes {
				out = append(out, fmt.Sprintf("a customer note on WooCommerce order #%s, which %s emails to the customer",
					strings.TrimPrefix(o.OrderNumber, "#"), strings.TrimPrefix(o.Store, woo.KeyPrefix)))
			}
		}
		return out
	})
	a.periodic = append(a.periodic,
		periodicTask{"@every " + c.ReconcileEvery.String(), woo.NewReconcileTask()},
		periodicTask{"@every " + c.HealthEvery.String(), woo.NewHealthTask()})
	a.sources = append(a.sources, func(ctx context.Context) ([]enrich.Source, error) {
		list, err := stores.All(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]enrich.Source, 0, len(list))
		for _, st := range list {
			out = append(out, enrich.NewWooCommerce(st.Key, st.Client))
		}
		return out, nil
	})
	return nil
}

// connectWooCommerce is `hub connect woocommerce --url URL --key CK --secret CS`:
// it checks the credentials, stores the store with its secrets sealed, and
// subscribes the hub to the store's webhooks with a secret of its own.
// WooCommerce pings the hub inside each webhook creation, so the hub must
// already be serving at HUB_PUBLIC_URL.
func (a *App) connectWooCommerce(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("connect woocommerce", flag.ContinueOnError)
	url := fs.String("url", "", "the store's address, e.g. https://shop.example.com")
	key := fs.String("key", "", "REST API consumer key (ck_...), Read/Write")
	secret := fs.String("secret", "", "REST API consumer secret (cs_...)")
	name := fs.String("name", "", "a name for the store (default: its address)")
	notes := fs.Bool("customer-notes", false, "send public replies to the customer as order notes")
	if err := parseFlags(fs, args, out, "connect woocommerce --url U --key K --secret S [--name N] [--customer-notes]",
		"Connect a WooCommerce store with a REST API key; the hub creates its webhooks (stored encrypted: needs HUB_SECRET_KEY)."); err != nil {
		return err
	}
	if *url == "" || *key == "" || *secret == "" || fs.NArg() > 0 {
		return usageError{"connect woocommerce needs --url, --key and --secret (and nothing else)"}
	}
	if a.cfg.SecretKey == "" {
		return errors.New("HUB_SECRET_KEY is not set: the hub encrypts store credentials with it, so set it (and keep it) before connecting a store")
	}
	if a.cfg.PublicURL == "" {
		return errors.New("HUB_PUBLIC_URL is not set: the store must be told where to send webhooks (e.g. https://hub.example.com)")
	}
	storeKey, err := wc.NormaliseStoreURL(*url)
	if err != nil {
		return usageError{err.Error()}
	}
	client, err := wc.New(*url, *key, *secret, wc.Options{})
	if err != nil {
		return usageError{err.Error()}
	}
	existing, err := client.ListWebhooks(ctx)
	if err != nil {
		if wc.IsUnauthorized(err) {
			return fmt.Errorf("the store refused the key: create one with Read/Write permission under WooCommerce → Settings → Advanced → REST API (%w)", err)
		}
		return fmt.Errorf("could not reach the store's REST API: %w", err)
	}
	webhookSecret, err := newWebhookSecret()
	if err != nil {
		return err
	}
	conn := tickets.Connection{
		Kind: tickets.SourceWooCommerce, Key: storeKey, Name: *name, Active: true,
		Secrets:  map[string]string{woo.SecretConsumerKey: *key, woo.SecretConsumerSecret: *secret, woo.SecretWebhook: webhookSecret},
		Settings: map[string]string{woo.SettingURL: client.StoreURL()},
	}
	if conn.Name == "" {
		conn.Name = storeKey
	}
	if *notes {
		conn.Settings[woo.SettingCustomerNotes] = "true"
	}
	if old, err := a.store.GetConnection(ctx, tickets.SourceWooCommerce, storeKey); err == nil {
		for k, v := range old.Settings { // keep the reconciliation cursor
			if _, set := conn.Settings[k]; !set {
				conn.Settings[k] = v
			}
		}
	}
	// Saved before the webhooks exist, so their first deliveries verify.
	if _, err := a.store.SaveConnection(ctx, conn); err != nil {
		return fmt.Errorf("save the store: %w", err)
	}
	delivery := a.cfg.PublicURL + woo.Path
	fmt.Fprintf(out, "Connected WooCommerce store %s (woocommerce:%s).\n", client.StoreURL(), storeKey)
	for _, topic := range wc.Topics {
		w, verb, err := subscribe(ctx, client, existing, topic, delivery, webhookSecret)
		if err != nil {
			return fmt.Errorf("subscribe to %s: %w", topic, err)
		}
		fmt.Fprintf(out, "  webhook %-17s %s (id %d, %s)\n", topic, verb, w.ID, w.Status)
	}
	fmt.Fprintf(out, "Deliveries go to %s; missed ones are reconciled every %s.\n", delivery, a.cfg.WooCommerce.ReconcileEvery)
	return nil
}

// subscribe creates the hub's webhook for topic, or updates the one an
// earlier connect made (new secret, active again).
func subscribe(ctx context.Context, c *wc.Client, existing []wc.Webhook, topic, delivery, secret string) (wc.Webhook, string, error) {
	for _, w := range existing {
		if w.Topic == topic && strings.TrimRight(w.DeliveryURL, "/") == delivery {
			u, err := c.UpdateWebhook(ctx, int64(w.ID), wc.Webhook{Secret: secret, Status: "active"})
			return u, "updated", err
		}
	}
	w, err := c.CreateWebhook(ctx, wc.Webhook{Name: "Support hub: " + topic, Topic: topic, DeliveryURL: delivery, Secret: secret, Status: "active"})
	return w, "created", err
}

// newWebhookSecret is 32 random bytes as 43 URL-safe characters: nothing
// in it for WooCommerce's HTML escaping to change.
func newWebhookSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
