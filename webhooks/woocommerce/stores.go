package woocommerce

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"sync"

	wc "hub/connectors/woocommerce"
	"hub/tickets"
)

// Names of a connection's secrets and settings.
const (
	SecretConsumerKey    = "consumer_key"
	SecretConsumerSecret = "consumer_secret"
	SecretWebhook        = "webhook_secret"
	SettingURL           = "url"            // the store URL as entered, with its scheme
	SettingCustomerNotes = "customer_notes" // "true": public replies become customer order notes
	settingThrough       = "reconciled_through"
	settingReconciledAt  = "reconciled_at"
	settingSilentSince   = "silent_since"
	settingSilentReason  = "silent_reason"
)

// KeyPrefix starts every WooCommerce store key.
const KeyPrefix = string(tickets.SourceWooCommerce) + ":"

// Store is one connected WooCommerce store.
type Store struct {
	Key           string // "woocommerce:shop.example.com"
	URL           string // "https://shop.example.com"
	WebhookSecret string
	CustomerNotes bool
	Client        *wc.Client
	Settings      map[string]string
}

// Connections is what Stores needs from the connection store.
type Connections interface {
	GetConnection(ctx context.Context, kind tickets.Source, key string) (tickets.Connection, error)
	ListConnections(ctx context.Context, kind tickets.Source) ([]tickets.Connection, error)
	SaveConnection(ctx context.Context, c tickets.Connection) (tickets.Connection, error)
	SetConnectionSettings(ctx context.Context, kind tickets.Source, key string, settings map[string]string) error
}

// EnvStore is the store configured by WOOCOMMERCE_* variables. Its
// credentials stay in memory (no HUB_SECRET_KEY needed); only its settings
// (reconciliation cursor, health) are kept in a connection row without
// secrets.
type EnvStore struct {
	URL, ConsumerKey, ConsumerSecret, WebhookSecret string
}

// StoresOptions tune Stores.
type StoresOptions struct {
	Env *EnvStore
	// CustomerNotes lets every store receive public replies as customer
	// order notes (WOOCOMMERCE_CUSTOMER_NOTES); otherwise a store's
	// connection setting decides.
	CustomerNotes bool
	HTTPClient    *http.Client // for the REST clients (default: the connector's)
	Concurrency   int          // REST calls in flight per store (default 2)
}

// Stores finds connected stores and keeps one REST client per store, so
// the per-store concurrency limit holds across every task of the process.
type Stores struct {
	conns   Connections
	opt     StoresOptions
	envKey  string
	mu      sync.Mutex
	clients map[string]cachedClient
}

type cachedClient struct {
	fingerprint [32]byte
	client      *wc.Client
}

// NewStores returns the registry. The env store, if any, is checked here so
// that a bad WOOCOMMERCE_URL stops the hub at start.
func NewStores(conns Connections, opt StoresOptions) (*Stores, error) {
	s := &Stores{conns: conns, opt: opt, clients: map[string]cachedClient{}}
	if e := opt.Env; e != nil {
		key, err := wc.NormaliseStoreURL(e.URL)
		if err != nil {
			return nil, err
		}
		if e.WebhookSecret == "" {
			return nil, fmt.Errorf("woocommerce: the webhook secret of %s is empty", key)
		}
		if _, err := s.client(key, e.URL, e.ConsumerKey, e.ConsumerSecret); err != nil {
			return nil, err
		}
		s.envKey = key
	}
	return s, nil
}

// Get returns the active store with that normalised key ("shop.example.com"
// or the full "woocommerce:shop.example.com"); ENOTFOUND if there is none.
func (s *Stores) Get(ctx context.Context, key string) (Store, error) {
	key = strings.TrimPrefix(key, KeyPrefix)
	if key == s.envKey && key != "" {
		return s.envStore(ctx, false)
	}
	c, err := s.conns.GetConnection(ctx, tickets.SourceWooCommerce, key)
	if err != nil {
		return Store{}, err
	}
	if !c.Active || c.Secrets[SecretWebhook] == "" {
		return Store{}, tickets.Errorf(tickets.ENOTFOUND, "no active WooCommerce store %q", key)
	}
	return s.fromConnection(c)
}

// Settings loads a store with its stored settings (the env store's from its
// settings-only row, if it has one yet).
func (s *Stores) Settings(ctx context.Context, key string) (Store, error) {
	key = strings.TrimPrefix(key, KeyPrefix)
	if key == s.envKey && key != "" {
		return s.envStore(ctx, true)
	}
	return s.Get(ctx, key)
}

// All lists the active stores with their settings.
func (s *Stores) All(ctx context.Context) ([]Store, error) {
	list, err := s.conns.ListConnections(ctx, tickets.SourceWooCommerce)
	if err != nil {
		return nil, err
	}
	var out []Store
	if s.envKey != "" {
		st, err := s.envStore(ctx, false)
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			if c.Key == s.envKey {
				st.Settings = c.Settings
			}
		}
		out = append(out, st)
	}
	for _, c := range list {
		if c.Key == s.envKey || !c.Active || c.Secrets[SecretWebhook] == "" {
			continue
		}
		st, err := s.fromConnection(c)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// SaveSettings merges settings into the store's connection. The env store
// gets a connection row without secrets the first time.
func (s *Stores) SaveSettings(ctx context.Context, key string, settings map[string]string) error {
	key = strings.TrimPrefix(key, KeyPrefix)
	err := s.conns.SetConnectionSettings(ctx, tickets.SourceWooCommerce, key, settings)
	if tickets.ErrorCode(err) != tickets.ENOTFOUND || key != s.envKey {
		return err
	}
	all := map[string]string{SettingURL: s.opt.Env.URL}
	for k, v := range settings {
		all[k] = v
	}
	_, err = s.conns.SaveConnection(ctx, tickets.Connection{
		Kind: tickets.SourceWooCommerce, Key: key, Name: key + " (WOOCOMMERCE_URL)", Settings: all, Active: true,
	})
	return err
}

func (s *Stores) envStore(ctx context.Context, withSettings bool) (Store, error) {
	e := s.opt.Env
	cl, err := s.client(s.envKey, e.URL, e.ConsumerKey, e.ConsumerSecret)
	if err != nil {
		return Store{}, err
	}
	st := Store{Key: KeyPrefix + s.envKey, URL: cl.StoreURL(), WebhookSecret: e.WebhookSecret, CustomerNotes: s.opt.CustomerNotes, Client: cl, Settings: map[string]string{}}
	if withSettings {
		c, err := s.conns.GetConnection(ctx, tickets.SourceWooCommerce, s.envKey)
		switch {
		case err == nil:
			st.Settings = c.Settings
			st.CustomerNotes = st.CustomerNotes || c.Settings[SettingCustomerNotes] == "true"
		case tickets.ErrorCode(err) != tickets.ENOTFOUND:
			return st, err
		}
	}
	return st, nil
}

func (s *Stores) fromConnection(c tickets.Connection) (Store, error) {
	url := c.Settings[SettingURL]
	if url == "" {
		url = "https://" + c.Key
	}
	cl, err := s.client(c.Key, url, c.Secrets[SecretConsumerKey], c.Secrets[SecretConsumerSecret])
	if err != nil {
		return Store{}, fmt.Errorf("woocommerce: store %s: %w", c.Key, err)
	}
	return Store{
		Key: c.StoreKey(), URL: cl.StoreURL(), WebhookSecret: c.Secrets[SecretWebhook],
		CustomerNotes: s.opt.CustomerNotes || c.Settings[SettingCustomerNotes] == "true",
		Client:        cl, Settings: c.Settings,
	}, nil
}

// client returns the store's cached client, rebuilt when its URL or
// credentials change (a reconnect).
func (s *Stores) client(key, url, ck, cs string) (*wc.Client, error) {
	fp := sha256.Sum256([]byte(url + "\x00" + ck + "\x00" + cs))
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[key]; ok && c.fingerprint == fp {
		return c.client, nil
	}
	cl, err := wc.New(url, ck, cs, wc.Options{HTTPClient: s.opt.HTTPClient, Concurrency: s.opt.Concurrency})
	if err != nil {
		return nil, err
	}
	s.clients[key] = cachedClient{fp, cl}
	return cl, nil
}
