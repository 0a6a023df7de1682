package shopify_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"hub/connectors/shopify"
	"hub/connectors/shopify/shopifytest"
)

// The whole authorization-code grant against the fake: consent redirect,
// signed callback, code exchange for an expiring token, a call with it, a
// refresh that rotates the refresh token.
func TestOAuthInstallAndRefresh(t *testing.T) {
	fake := shopifytest.New("client-id", "client-secret")
	defer fake.Close()
	app := shopify.App{
		APIKey: "client-id", APISecret: "client-secret", Scopes: []string{"read_orders", "read_customers"},
		RedirectURL: "https://hub.example/shopify/callback", BaseURL: fake.URL,
	}
	ctx := context.Background()
	consent, err := app.AuthorizeURL(shop, "state-123")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(consent, fake.URL+"/admin/oauth/authorize?") || !strings.Contains(consent, "scope=read_orders%2Cread_customers") {
		t.Fatalf("consent URL %s", consent)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(consent)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || back.Host != "hub.example" {
		t.Fatalf("consent answered %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	q := back.Query()
	if q.Get("state") != "state-123" {
		t.Errorf("state %q", q.Get("state"))
	}
	gotShop, code, err := shopify.CheckCallback(q, time.Minute, time.Now(), "client-secret")
	if err != nil || gotShop != shop {
		t.Fatalf("callback: %v", err)
	}
	if _, _, err := shopify.CheckCallback(q, time.Minute, time.Now(), "another-apps-secret"); err == nil {
		t.Error("callback verified under the wrong secret")
	}

	tok, err := app.ExchangeCode(ctx, shop, code)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || time.Until(tok.ExpiresAt) < 59*time.Minute || tok.RefreshExpiresAt.IsZero() {
		t.Fatalf("token %+v", tok)
	}
	if _, err := app.ExchangeCode(ctx, shop, code); !shopify.IsUnauthorized(err) {
		t.Errorf("a code used twice: %v, want unauthorized", err)
	}
	if _, err := newClient(t, fake, tok.AccessToken).Order(ctx, "5843223773234"); err != nil {
		t.Fatalf("call with the new token: %v", err)
	}

	fake.ExpireTokens(shop)
	if _, err := newClient(t, fake, tok.AccessToken).Order(ctx, "5843223773234"); !shopify.IsUnauthorized(err) {
		t.Fatalf("expired token: %v, want unauthorized", err)
	}
	fresh, err := app.Refresh(ctx, shop, tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken {
		t.Error("refresh returned the old pair")
	}
	if _, err := newClient(t, fake, fresh.AccessToken).Order(ctx, "5843223773234"); err != nil {
		t.Fatalf("call after refresh: %v", err)
	}
	if _, err := app.Refresh(ctx, shop, tok.RefreshToken); !errors.Is(err, shopify.ErrUnauthorized) {
		t.Errorf("old refresh token reused: %v, want unauthorized", err)
	}
	if fake.Refreshes() != 1 {
		t.Errorf("%d refreshes", fake.Refreshes())
	}
	if _, err := (shopify.App{APIKey: "client-id", BaseURL: fake.URL}).Refresh(ctx, shop, fresh.RefreshToken); err == nil {
		t.Error("a refresh without the client secret was attempted")
	}
}
