package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// App is the hub as a Shopify app: its client id and secret, the scopes it
// asks for, and where Shopify sends the merchant back after consent.
type App struct {
	APIKey      string // client id
	APISecret   string // client secret
	Scopes      []string
	RedirectURL string // https://hub.example/shopify/callback
	// BaseURL sends the OAuth endpoints to a stand-in (SHOPIFY_API_BASE_URL).
	BaseURL    string
	HTTPClient *http.Client
}

// Token is an access token as Shopify's token endpoint grants it. Expiring
// offline tokens (asked for with expiring=1) come with a refresh token;
// ExpiresAt is zero for tokens that do not expire.
type Token struct {
	AccessToken      string
	Scope            string
	ExpiresAt        time.Time
	RefreshToken     string
	RefreshExpiresAt time.Time
}

// AuthorizeURL is the consent screen the merchant is sent to. state must be
// unguessable and checked on the callback.
func (a App) AuthorizeURL(shop, state string) (string, error) {
	if !ValidShop(shop) {
		return "", fmt.Errorf("shopify: %q is not a myshopify.com shop domain", shop)
	}
	base, err := parseBase(a.BaseURL)
	if err != nil {
		return "", err
	}
	q := url.Values{
		"client_id":    {a.APIKey},
		"scope":        {strings.Join(a.Scopes, ",")},
		"redirect_uri": {a.RedirectURL},
		"state":        {state},
	}
	if base != nil {
		q.Set("shop", shop) // a stand-in on one address needs to be told
	}
	return endpoint(base, shop, "/admin/oauth/authorize") + "?" + q.Encode(), nil
}

// ExchangeCode trades the callback's code for an expiring offline token and
// its refresh token. go-shopify's GetAccessToken reads only access_token.
func (a App) ExchangeCode(ctx context.Context, shop, code string) (Token, error) {
	return a.token(ctx, shop, "exchange code", url.Values{
		"client_id": {a.APIKey}, "client_secret": {a.APISecret}, "code": {code}, "expiring": {"1"},
	})
}

// Refresh trades a refresh token for a new token pair. Refresh tokens
// rotate: the caller must store the new pair, both halves at once.
func (a App) Refresh(ctx context.Context, shop, refreshToken string) (Token, error) {
	return a.token(ctx, shop, "refresh token", url.Values{
		"client_id": {a.APIKey}, "client_secret": {a.APISecret},
		"grant_type": {"refresh_token"}, "refresh_token": {refreshToken},
	})
}

func (a App) token(ctx context.Context, shop, op string, form url.Values) (Token, error) {
	if !ValidShop(shop) {
		return Token{}, fmt.Errorf("shopify: %s: %q is not a myshopify.com shop domain", op, shop)
	}
	if a.APIKey == "" || a.APISecret == "" {
		return Token{}, fmt.Errorf("shopify: %s: %s: the app's client id and secret are not configured", shop, op)
	}
	base, err := parseBase(a.BaseURL)
	if err != nil {
		return Token{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint(base, shop, "/admin/oauth/access_token"), strings.NewReader(form.Encode()))
	if err != nil {
		return Token{}, fmt.Errorf("shopify: %s: %s: %w", shop, op, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if base != nil {
		req.Header.Set("X-Shopify-Shop-Domain", shop)
	}
	hc := a.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Token{}, fmt.Errorf("shopify: %s: %s: %w", shop, op, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Token{}, fmt.Errorf("shopify: %s: %s: %w", shop, op, err)
	}
	var r struct {
		AccessToken           string `json:"access_token"`
		Scope                 string `json:"scope"`
		ExpiresIn             int64  `json:"expires_in"`
		RefreshToken          string `json:"refresh_token"`
		RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in"`
		Error                 string `json:"error"`
	}
	_ = json.Unmarshal(body, &r)
	if resp.StatusCode != http.StatusOK || r.AccessToken == "" {
		// Only the error code: the body of a token endpoint is no place to
		// copy into logs.
		err := fmt.Errorf("HTTP %d %s", resp.StatusCode, r.Error)
		if resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized {
			err = fmt.Errorf("%w: %v", ErrUnauthorized, err)
		}
		return Token{}, fmt.Errorf("shopify: %s: %s: %w", shop, op, err)
	}
	now := time.Now().UTC()
	t := Token{AccessToken: r.AccessToken, Scope: r.Scope, RefreshToken: r.RefreshToken}
	if r.ExpiresIn > 0 {
		t.ExpiresAt = now.Add(time.Duration(r.ExpiresIn) * time.Second)
	}
	if r.RefreshTokenExpiresIn > 0 {
		t.RefreshExpiresAt = now.Add(time.Duration(r.RefreshTokenExpiresIn) * time.Second)
	}
	return t, nil
}

// ErrStateMismatch is returned by CheckCallback when the state is not the
// one the install started with.
var ErrStateMismatch = errors.New("shopify: OAuth state does not match")

// CheckCallback checks an OAuth callback's query: a well-formed shop, the
// HMAC under the app secret (or the previous one during a rotation), and a
// timestamp no older than maxAge. It returns the shop and the code.
func CheckCallback(q url.Values, maxAge time.Duration, now time.Time, secrets ...string) (shop, code string, err error) {
	shop = q.Get("shop")
	if !ValidShop(shop) {
		return "", "", fmt.Errorf("shopify: callback: %q is not a myshopify.com shop domain", shop)
	}
	if !VerifyQuery(q, secrets...) {
		return "", "", fmt.Errorf("shopify: callback for %s: bad hmac", shop)
	}
	var ts int64
	if _, err := fmt.Sscan(q.Get("timestamp"), &ts); err != nil || now.Sub(time.Unix(ts, 0)) > maxAge || time.Unix(ts, 0).Sub(now) > maxAge {
		return "", "", fmt.Errorf("shopify: callback for %s: timestamp missing or too old", shop)
	}
	if code = q.Get("code"); code == "" {
		return "", "", fmt.Errorf("shopify: callback for %s: no code", shop)
	}
	return shop, code, nil
}
