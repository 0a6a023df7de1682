package shopify_test

import (
	"context"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"

	"hub/connectors/shopify"
	"hub/connectors/shopify/shopifytest"
	"hub/tickets"
	"hub/tickets/postgres"
	"hub/tickets/postgres/pgtest"
	"hub/webhooks/faulttest"
	whshopify "hub/webhooks/shopify"
)

func TestCompareSubscriptions(t *testing.T) {
	const hub, old = "https://hub.example/webhooks/shopify", "https://old-hub.example/webhooks/shopify"
	topics := []string{"orders/create", "orders/paid", "app/uninstalled"}
	sub := func(topic, uri string) shopify.Subscription { return shopify.Subscription{Topic: topic, URI: uri} }
	for _, tc := range []struct {
		name string
		subs []shopify.Subscription
		want whshopify.SubscriptionState
	}{
		{"none", nil, whshopify.SubscriptionState{Missing: topics}},
		{"all", []shopify.Subscription{sub("app/uninstalled", hub), sub("orders/create", hub), sub("orders/paid", hub)},
			whshopify.SubscriptionState{Subscribed: topics}},
		{"one missing", []shopify.Subscription{sub("orders/create", hub), sub("app/uninstalled", hub)},
			whshopify.SubscriptionState{Subscribed: []string{"orders/create", "app/uninstalled"}, Missing: []string{"orders/paid"}}},
		{"old address only", []shopify.Subscription{sub("orders/create", hub), sub("orders/paid", old), sub("app/uninstalled", hub)},
			whshopify.SubscriptionState{Subscribed: []string{"orders/create", "app/uninstalled"}, Missing: []string{"orders/paid"},
				Elsewhere: []string{"orders/paid"}, OtherURLs: []string{old}}},
		{"both addresses: delivered twice", []shopify.Subscription{sub("orders/create", hub), sub("orders/create", old), sub("orders/paid", old),
			sub("orders/paid", hub), sub("app/uninstalled", hub)},
			whshopify.SubscriptionState{Subscribed: topics, Elsewhere: []string{"orders/create", "orders/paid"}, OtherURLs: []string{old}}},
		{"a trailing slash is another address", []shopify.Subscription{sub("orders/create", hub+"/"), sub("orders/paid", hub), sub("app/uninstalled", hub)},
			whshopify.SubscriptionState{Subscribed: []string{"orders/paid", "app/uninstalled"}, Missing: []string{"orders/create"},
				Elsewhere: []string{"orders/create"}, OtherURLs: []string{hub + "/"}}},
		{"topics the hub does not ask for are ignored", []shopify.Subscription{sub("orders/create", hub), sub("orders/paid", hub),
			sub("app/uninstalled", hub), sub("PRODUCTS_CREATE", old)},
			whshopify.SubscriptionState{Subscribed: topics}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := whshopify.CompareSubscriptions(tc.subs, hub, topics); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestCheckErrorCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("shopify: x: list webhook subscriptions: %w (401: token refused)", shopify.ErrUnauthorized), whshopify.ErrorUnauthorized},
		{fmt.Errorf("shopify: x: list webhook subscriptions: %w (access denied)", shopify.ErrNotFound), whshopify.ErrorDenied},
		{fmt.Errorf("shopify: x: list webhook subscriptions: 500 Internal Server Error"), whshopify.ErrorFailed},
	} {
		if got := whshopify.ErrorCode(tc.err); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestSubscribed(t *testing.T) {
	for _, tc := range []struct {
		settings, secrets map[string]string
		want              bool
	}{
		{map[string]string{"connected_by": "oauth"}, nil, true},
		{map[string]string{"connected_by": "token"}, map[string]string{whshopify.SecretWebhook: "k"}, true},
		{map[string]string{"connected_by": "token"}, map[string]string{whshopify.SecretAccessToken: "t"}, false},
		{map[string]string{"connected_by": "environment"}, nil, false},
	} {
		if got := whshopify.Subscribed(tc.settings, tc.secrets); got != tc.want {
			t.Errorf("%v %v: %v", tc.settings, tc.secrets, got)
		}
	}
}

// settings reads the shop's connection settings.
func (b *bundle) settings(t *testing.T) map[string]string {
	t.Helper()
	c, err := b.store.GetConnection(context.Background(), tickets.SourceShopify, shop)
	if err != nil {
		t.Fatal(err)
	}
	return c.Settings
}

// runCheck queues the periodic check as the scheduler would (no retries)
// and waits until it has recorded a check after prev.
func (b *bundle) runCheck(t *testing.T, prev string) map[string]string {
	t.Helper()
	if _, err := b.client.Enqueue(asynq.NewTask(whshopify.TypeCheckSubscriptions, nil), asynq.Queue(b.queue), asynq.MaxRetry(0)); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	waitFor(t, "a subscription check", func() bool {
		got = b.settings(t)
		return got[whshopify.SettingWebhooksCheckedAt] != "" && got[whshopify.SettingWebhooksCheckedAt] != prev
	})
	return got
}

// The check against the fake shop: the subscribe task registers every
// topic and records them; a subscription removed in the shop is subscribed
// again by the hourly check, which says so; one Shopify refuses to
// re-register stays missing with Shopify's reason; one to an old address is
// reported; a revoked token is recorded as such.
func TestSubscriptionCheckRepairsAndRecords(t *testing.T) {
	// The hub's clock moves an hour between checks, as the scheduler's would.
	clk := &fakeClock{t: time.Now()}
	b := setup(t, setupOpts{connect: map[string]string{whshopify.SecretWebhook: "custom-app-secret"}, now: clk.Now})
	b.startWorker(t)
	hubURL := b.hub.URL + "/webhooks/shopify"
	all := strings.Join(shopify.Topics, ",")

	if _, err := b.client.Enqueue(whshopify.NewSubscribeTask(shop), asynq.Queue(b.queue)); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	waitFor(t, "the subscribe task's check", func() bool {
		got = b.settings(t)
		return got[whshopify.SettingWebhooksCheckedAt] != ""
	})
	if got[whshopify.SettingWebhooksSubscribed] != all || got[whshopify.SettingWebhooksMissing] != "" ||
		got[whshopify.SettingWebhooksRepaired] != "" || got[whshopify.SettingWebhooksError] != "" {
		t.Fatalf("after the subscribe task: %v", got)
	}
	if n := len(b.fake.Subscriptions(shop)); n != len(shopify.Topics) {
		t.Fatalf("%d subscriptions in the shop", n)
	}

	// Removed in the shop: the periodic check subscribes it again.
	if n := b.fake.RemoveSubscriptions(shop, "ORDERS_PAID"); n != 1 {
		t.Fatalf("removed %d subscriptions", n)
	}
	clk.Add(time.Hour)
	got = b.runCheck(t, got[whshopify.SettingWebhooksCheckedAt])
	if got[whshopify.SettingWebhooksSubscribed] != all || got[whshopify.SettingWebhooksMissing] != "" ||
		got[whshopify.SettingWebhooksRepaired] != "orders/paid" || got[whshopify.SettingWebhooksRepairedAt] != got[whshopify.SettingWebhooksCheckedAt] {
		t.Fatalf("after the repair: %v", got)
	}
	if !contains(b.fake.Subscriptions(shop), "ORDERS_PAID "+hubURL) {
		t.Errorf("orders/paid not subscribed again: %v", b.fake.Subscriptions(shop))
	}

	// Refused by Shopify: it stays missing, with the reason; an old hub
	// address is reported. The earlier repair stays on record.
	b.fake.RemoveSubscriptions(shop, "REFUNDS_CREATE")
	b.fake.RefuseSubscription(shop, "REFUNDS_CREATE", "Address is an invalid domain")
	b.fake.AddSubscription(shop, "ORDERS_CREATE", "https://old-hub.example/webhooks/shopify")
	clk.Add(time.Hour)
	got = b.runCheck(t, got[whshopify.SettingWebhooksCheckedAt])
	want := map[string]string{
		whshopify.SettingWebhooksSubscribed: strings.Join(without(shopify.Topics, "refunds/create"), ","),
		whshopify.SettingWebhooksMissing:    "refunds/create",
		whshopify.SettingWebhooksRefused:    "refunds/create: Address is an invalid domain",
		whshopify.SettingWebhooksElsewhere:  "orders/create",
		whshopify.SettingWebhooksOtherURLs:  "https://old-hub.example/webhooks/shopify",
		whshopify.SettingWebhooksRepaired:   "orders/paid",
		whshopify.SettingWebhooksError:      "",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}

	// The token is revoked: the failure is recorded, the last findings kept.
	b.fake.RevokeTokens(shop)
	clk.Add(time.Hour)
	got = b.runCheck(t, got[whshopify.SettingWebhooksCheckedAt])
	if got[whshopify.SettingWebhooksErrorCode] != whshopify.ErrorUnauthorized || !strings.Contains(got[whshopify.SettingWebhooksError], "401") ||
		got[whshopify.SettingWebhooksMissing] != "refunds/create" {
		t.Errorf("after the token was revoked: %v", got)
	}
	// Nothing in the settings is large.
	for k, v := range got {
		if len(v) > 250 {
			t.Errorf("%s is %d bytes", k, len(v))
		}
	}
}

// A shop whose webhooks the hub did not make (connected with a token and
// no secret) is left alone by the periodic check: subscribing it would only
// add deliveries signed with a key the hub does not have.
func TestSubscriptionCheckSkipsShopsTheHubDoesNotSubscribe(t *testing.T) {
	b := setup(t, setupOpts{})
	if err := b.check().Handler()(context.Background(), asynq.NewTask(whshopify.TypeCheckSubscriptions, nil)); err != nil {
		t.Fatal(err)
	}
	if subs := b.fake.Subscriptions(shop); len(subs) != 0 {
		t.Errorf("subscribed %v", subs)
	}
	if v := b.settings(t)[whshopify.SettingWebhooksCheckedAt]; v != "" {
		t.Errorf("checked at %s", v)
	}
}

func without(list []string, drop string) []string {
	var out []string
	for _, s := range list {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

// During a database outage the periodic check fails with an error the
// pipeline's middleware recognises as an outage (postgres.IsUnavailable),
// so the scheduled run is skipped rather than archived as failed, and
// nothing is recorded as the shop's fault; once the database is back the
// next run checks the shop.
func TestSubscriptionCheckDuringADatabaseOutage(t *testing.T) {
	ctx := context.Background()
	proxy := faulttest.NewProxy(t, "localhost:5432")
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Host = proxy.Addr()
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	pool, err := pgxpool.New(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	store := postgres.New(pool, postgres.Options{SecretKey: "test-hub-secret-key-0123456789"})
	fake := shopifytest.New(appKey, appSecret)
	t.Cleanup(fake.Close)
	fake.AddShop(shop, "shpat_acme")
	if _, err := store.SaveConnection(ctx, tickets.Connection{Kind: tickets.SourceShopify, Key: shop, Name: shop, Active: true,
		Secrets: map[string]string{whshopify.SecretAccessToken: "shpat_acme", whshopify.SecretWebhook: "k"}}); err != nil {
		t.Fatal(err)
	}
	check := &whshopify.SubscriptionCheck{
		Shops:       whshopify.NewShops(store, whshopify.Config{App: shopify.App{BaseURL: fake.URL}}),
		CallbackURL: "https://hub.example/webhooks/shopify",
	}
	run := func() error { return check.Handler()(ctx, asynq.NewTask(whshopify.TypeCheckSubscriptions, nil)) }

	proxy.Refuse()
	// Drop the connections the proxy cut: a query on one fails with an
	// unexpected EOF, which postgres.IsUnavailable does not call an outage
	// (a gap of its own); new connections are refused, which it does.
	pool.Reset()
	if err := run(); err == nil || !postgres.IsUnavailable(err) {
		t.Fatalf("during the outage: %v, want an outage", err)
	}
	if n := fake.Calls("HubWebhooks"); n != 0 {
		t.Errorf("Shopify was asked %d times during the outage", n)
	}
	proxy.Restore()
	if err := run(); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
	c, err := store.GetConnection(ctx, tickets.SourceShopify, shop)
	if err != nil || c.Settings[whshopify.SettingWebhooksSubscribed] != strings.Join(shopify.Topics, ",") {
		t.Errorf("after the outage: %v, %v", c.Settings, err)
	}
}
