package shopify

import (
	"context"
	"fmt"
	"time"

	"hub/tickets"
)

// refreshEarly is how long before expiry a token is refreshed for a call,
// so that a call never starts with a token about to lapse; the periodic
// refresh looks further ahead (refreshAhead: access tokens last an hour).
const (
	refreshEarly = 2 * time.Minute
	refreshAhead = 24 * time.Hour
)

// refresher is the TokenSource of a shop with an expiring offline token. It
// reads the token pair from the store on each call (another process may
// have refreshed it) and refreshes it when it is about to expire, under a
// lock shared by every hub process: refresh tokens rotate, so two workers
// refreshing at once would each be handed a pair and one would be lost.
type refresher struct {
	shops *Shops
	shop  string
	ahead time.Duration // refresh when expiring within this; 0 means refreshEarly
}

func (r *refresher) Token(ctx context.Context) (string, error) {
	for attempt := 0; ; attempt++ {
		c, err := r.load(ctx)
		if err != nil {
			return "", err
		}
		if !r.expiring(c) {
			return c.Secrets[SecretAccessToken], nil
		}
		unlock, ok, err := r.lock(ctx)
		if err != nil {
			return "", fmt.Errorf("shopify: %s: lock for token refresh: %w", r.shop, err)
		}
		if !ok {
			if attempt >= 50 {
				return "", fmt.Errorf("shopify: %s: another worker is still refreshing the token", r.shop)
			}
			if err := sleep(ctx, 100*time.Millisecond); err != nil {
				return "", err
			}
			continue // the holder saves a fresh pair; read it again
		}
		tok, err := r.refreshLocked(ctx, "")
		unlock()
		return tok, err
	}
}

// Refresh replaces a token the shop refused, unless another worker has
// already replaced it.
func (r *refresher) Refresh(ctx context.Context, stale string) (string, error) {
	for attempt := 0; ; attempt++ {
		unlock, ok, err := r.lock(ctx)
		if err != nil {
			return "", fmt.Errorf("shopify: %s: lock for token refresh: %w", r.shop, err)
		}
		if ok {
			tok, err := r.refreshLocked(ctx, stale)
			unlock()
			return tok, err
		}
		if attempt >= 50 {
			return "", fmt.Errorf("shopify: %s: another worker is still refreshing the token", r.shop)
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return "", err
		}
	}
}

// refreshLocked refreshes the stored pair if it is expiring, or if its
// access token is stale (refused by the shop).
func (r *refresher) refreshLocked(ctx context.Context, stale string) (string, error) {
	c, err := r.load(ctx) // read again under the lock: it may be fresh now
	if err != nil {
		return "", err
	}
	if cur := c.Secrets[SecretAccessToken]; cur != stale && !r.expiring(c) {
		return cur, nil
	}
	tok, err := r.shops.cfg.App.Refresh(ctx, r.shop, c.Secrets[SecretRefreshToken])
	if err != nil {
		return "", err
	}
	c.Secrets = withToken(c.Secrets, tok)
	// One row update: the access and refresh tokens are stored together.
	if _, err := r.shops.store.SaveConnection(ctx, c); err != nil {
		return "", fmt.Errorf("shopify: %s: save refreshed token: %w", r.shop, err)
	}
	return tok.AccessToken, nil
}

func (r *refresher) load(ctx context.Context) (tickets.Connection, error) {
	c, found, err := r.shops.Lookup(ctx, r.shop)
	if err == nil && (!found || !c.Active) {
		err = fmt.Errorf("shopify: %s is no longer connected", r.shop)
	}
	return c, err
}

func (r *refresher) expiring(c tickets.Connection) bool {
	if c.Secrets[SecretRefreshToken] == "" {
		return false
	}
	ahead := r.ahead
	if ahead <= 0 {
		ahead = refreshEarly
	}
	at, err := time.Parse(time.RFC3339, c.Secrets[SecretExpiresAt])
	return err == nil && !r.shops.cfg.Now().Add(ahead).Before(at)
}

func (r *refresher) lock(ctx context.Context) (func(), bool, error) {
	if r.shops.cfg.Locker == nil {
		return func() {}, true, nil
	}
	return r.shops.cfg.Locker.Lock(ctx, "shopify:refresh:"+r.shop, 30*time.Second)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
