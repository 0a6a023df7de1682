// Package shopify is the hub's Shopify front door: the webhook receiver
// (POST /webhooks/shopify), the decoder that turns each topic into ticket
// commands, the OAuth install and callback, the task that registers webhook
// subscriptions, and the registry of connected shops with their tokens
// (refreshed when they expire).
package shopify

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"hub/connectors/shopify"
	"hub/enrich"
	"hub/tickets"
)

// ConnectionStore keeps connected shops. *postgres.Store implements it.
type ConnectionStore interface {
	GetConnection(ctx context.Context, kind tickets.Source, key string) (tickets.Connection, error)
	ListConnections(ctx context.Context, kind tickets.Source) ([]tickets.Connection, error)
	SaveConnection(ctx context.Context, c tickets.Connection) (tickets.Connection, error)
	SetConnectionSettings(ctx context.Context, kind tickets.Source, key string, settings map[string]string) error
	DeactivateConnection(ctx context.Context, kind tickets.Source, key string, asOf time.Time) (bool, error)
}

// Locker takes a short lock shared by every hub process.
// *shopify.RedisLocker implements it.
type Locker interface {
	Lock(ctx context.Context, key string, ttl time.Duration) (unlock func(), ok bool, err error)
}

// The keys of a Shopify connection's Secrets (sealed at rest by the store).
const (
	SecretAccessToken    = "access_token"
	SecretRefreshToken   = "refresh_token"
	SecretExpiresAt      = "access_token_expires_at"  // RFC 3339; absent for tokens that do not expire
	SecretRefreshExpires = "refresh_token_expires_at" // RFC 3339
	// SecretWebhook is a shop's own webhook key: a custom app's API secret,
	// or the key of webhooks made by hand in the shop's admin.
	SecretWebhook = "webhook_secret"
)

// Config is what Shops is built from.
type Config struct {
	App            shopify.App // client id and secret, scopes, redirect URL, base URL
	PreviousSecret string      // SHOPIFY_API_SECRET_PREVIOUS, during a rotation
	// EnvShop and EnvToken connect one shop from the environment
	// (SHOPIFY_SHOP, SHOPIFY_ACCESS_TOKEN); it lives in memory only, so it
	// works without HUB_SECRET_KEY.
	EnvShop, EnvToken string
	APIVersion        string
	Limiter           shopify.Limiter
	Locker            Locker // nil: refreshes are not serialised across processes
	HTTPClient        *http.Client
	Now               func() time.Time
}

// Shops is the registry of connected shops: their webhook secrets, their
// API clients, their installs and uninstalls.
type Shops struct {
	store ConnectionStore
	cfg   Config
}

// NewShops returns the registry.
func NewShops(store ConnectionStore, cfg Config) *Shops {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Shops{store: store, cfg: cfg}
}

// StoreKey is the store key of a shop: "shopify:acme.myshopify.com".
func StoreKey(shop string) string { return enrich.ShopifyStore(shop) }

// Lookup returns the shop's connection; found is false when it was never
// connected. shop must have passed shopify.ValidShop.
func (s *Shops) Lookup(ctx context.Context, shop string) (c tickets.Connection, found bool, err error) {
	if s.cfg.EnvShop != "" && shop == s.cfg.EnvShop {
		return s.envConnection(), true, nil
	}
	c, err = s.store.GetConnection(ctx, tickets.SourceShopify, shop)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("shopify: look up %s: %w", shop, err)
	}
	return c, true, nil
}

func (s *Shops) envConnection() tickets.Connection {
	return tickets.Connection{
		Kind: tickets.SourceShopify, Key: s.cfg.EnvShop, Name: s.cfg.EnvShop, Active: true,
		Secrets:  map[string]string{SecretAccessToken: s.cfg.EnvToken},
		Settings: map[string]string{"connected_by": "environment"},
	}
}

// AppSecrets are the app's webhook and OAuth keys: the current one and,
// during a rotation, the previous one. Empty ones are left out.
func (s *Shops) AppSecrets() []string {
	var out []string
	for _, k := range []string{s.cfg.App.APISecret, s.cfg.PreviousSecret} {
		if k != "" {
			out = append(out, k)
		}
	}
	return out
}

// WebhookSecrets are the keys a webhook from c may be signed with.
func (s *Shops) WebhookSecrets(c tickets.Connection) []string {
	out := s.AppSecrets()
	if k := c.Secrets[SecretWebhook]; k != "" {
		out = append(out, k)
	}
	return out
}

// Active lists the shops the hub may call: active connections with a token.
func (s *Shops) Active(ctx context.Context) ([]string, error) {
	var out []string
	if s.cfg.EnvShop != "" && s.cfg.EnvToken != "" {
		out = append(out, s.cfg.EnvShop)
	}
	list, err := s.store.ListConnections(ctx, tickets.SourceShopify)
	if err != nil {
		return out, fmt.Errorf("shopify: list shops: %w", err)
	}
	for _, c := range list {
		if c.Active && c.Secrets[SecretAccessToken] != "" && c.Key != s.cfg.EnvShop && shopify.ValidShop(c.Key) {
			out = append(out, c.Key)
		}
	}
	return out, nil
}

// Client returns an API client for an active, connected shop. The shop is
// checked against the whitelist and the registry first: a client is never
// built from an unchecked name, since the name decides where the token goes.
func (s *Shops) Client(ctx context.Context, shop string) (*shopify.Client, error) {
	if !shopify.ValidShop(shop) {
		return nil, fmt.Errorf("shopify: %q is not a shop domain", shop)
	}
	c, found, err := s.Lookup(ctx, shop)
	if err != nil {
		return nil, err
	}
	if !found || !c.Active || c.Secrets[SecretAccessToken] == "" {
		return nil, fmt.Errorf("shopify: %s is not connected: %w", shop, shopify.ErrUnauthorized)
	}
	var tokens shopify.TokenSource = shopify.StaticToken(c.Secrets[SecretAccessToken])
	if c.Secrets[SecretRefreshToken] != "" {
		tokens = &refresher{shops: s, shop: shop}
	}
	return shopify.NewClient(shopify.Config{
		Shop: shop, Tokens: tokens, Version: s.cfg.APIVersion, BaseURL: s.cfg.App.BaseURL,
		HTTPClient: s.cfg.HTTPClient, Limiter: s.cfg.Limiter,
	})
}

// Install saves a shop connected through OAuth with its token pair, as
// installed now: an app/uninstalled triggered before this moment will not
// undo it.
func (s *Shops) Install(ctx context.Context, shop string, tok shopify.Token) (tickets.Connection, error) {
	c, found, err := s.Lookup(ctx, shop)
	if err != nil {
		return c, err
	}
	if !found {
		c = tickets.Connection{Kind: tickets.SourceShopify, Key: shop, Name: shop}
	}
	c.Secrets = withToken(c.Secrets, tok)
	if c.Settings == nil {
		c.Settings = map[string]string{}
	}
	c.Settings["connected_by"], c.Settings["scope"] = "oauth", tok.Scope
	c.Active, c.InstalledAt = true, s.cfg.Now().UTC()
	return s.store.SaveConnection(ctx, c)
}

// Connect saves a shop connected with a custom app's token (hub connect
// shopify). webhookSecret is the custom app's API secret, if its webhooks
// are to be received.
func (s *Shops) Connect(ctx context.Context, shop, token, webhookSecret string) (tickets.Connection, error) {
	c := tickets.Connection{
		Kind: tickets.SourceShopify, Key: shop, Name: shop, Active: true, InstalledAt: s.cfg.Now().UTC(),
		Secrets:  map[string]string{SecretAccessToken: token},
		Settings: map[string]string{"connected_by": "token"},
	}
	if webhookSecret != "" {
		c.Secrets[SecretWebhook] = webhookSecret
	}
	return s.store.SaveConnection(ctx, c)
}

// SaveSettings merges settings into the shop's connection without touching
// its secrets. The shop from the environment has no row unless it was also
// connected: its settings are not kept (saved reports false), since a row
// without a token would be a second, broken connection on the dashboard.
func (s *Shops) SaveSettings(ctx context.Context, shop string, settings map[string]string) (saved bool, err error) {
	err = s.store.SetConnectionSettings(ctx, tickets.SourceShopify, shop, settings)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND && shop == s.cfg.EnvShop {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("shopify: %s: save settings: %w", shop, err)
	}
	return true, nil
}

// Uninstall marks the shop inactive unless it was reinstalled after
// triggeredAt (app/uninstalled may arrive minutes after a reinstall).
func (s *Shops) Uninstall(ctx context.Context, shop string, triggeredAt time.Time) (bool, error) {
	if shop == s.cfg.EnvShop {
		return false, nil // configured by the operator; they remove it
	}
	return s.store.DeactivateConnection(ctx, tickets.SourceShopify, shop, triggeredAt)
}

// withToken copies secrets with a new token pair written in, every field of
// the pair at once.
func withToken(secrets map[string]string, tok shopify.Token) map[string]string {
	out := map[string]string{}
	for k, v := range secrets {
		out[k] = v
	}
	out[SecretAccessToken] = tok.AccessToken
	delete(out, SecretRefreshToken)
	delete(out, SecretExpiresAt)
	delete(out, SecretRefreshExpires)
	if tok.RefreshToken != "" {
		out[SecretRefreshToken] = tok.RefreshToken
	}
	if !tok.ExpiresAt.IsZero() {
		out[SecretExpiresAt] = tok.ExpiresAt.UTC().Format(time.RFC3339)
	}
	if !tok.RefreshExpiresAt.IsZero() {
		out[SecretRefreshExpires] = tok.RefreshExpiresAt.UTC().Format(time.RFC3339)
	}
	return out
}

func isCompliance(topic string) bool {
	return topic == "customers/data_request" || topic == "customers/redact" || topic == "shop/redact"
}
