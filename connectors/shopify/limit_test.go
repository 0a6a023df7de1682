package shopify_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hub/connectors/shopify"
	"hub/connectors/shopify/shopifytest"
)

// redisLimiters returns n limiters sharing one key space, as n workers
// (each with its own Redis connection) of one hub would.
func redisLimiters(t *testing.T, b shopify.Budget, n int) []*shopify.RedisLimiter {
	t.Helper()
	p := make([]byte, 6)
	_, _ = rand.Read(p)
	prefix := "test-" + hex.EncodeToString(p) + ":"
	var out []*shopify.RedisLimiter
	for range n {
		rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
		t.Cleanup(func() { rdb.Close() })
		if err := rdb.Ping(context.Background()).Err(); err != nil {
			t.Fatalf("redis: %v", err)
		}
		out = append(out, shopify.NewRedisLimiter(rdb, b, prefix))
	}
	return out
}

// Two limiters on one Redis are two workers: they share each shop's budget,
// and shops do not share theirs.
func TestRedisLimiterIsSharedPerShop(t *testing.T) {
	budget := shopify.Budget{Rate: 10, Burst: 30}
	ls := redisLimiters(t, budget, 2)
	a, b := ls[0], ls[1]
	ctx := context.Background()
	wait, err := a.Take(ctx, shop, 20)
	if err != nil || wait != 0 {
		t.Fatalf("first take: %v, %v", wait, err)
	}
	wait, err = b.Take(ctx, shop, 20)
	if err != nil || wait <= 0 || wait > 2*time.Second {
		t.Fatalf("second take over budget: wait %v, %v; want about 1s", wait, err)
	}
	if wait, err := b.Take(ctx, "other.myshopify.com", 20); err != nil || wait != 0 {
		t.Errorf("another shop was charged: %v, %v", wait, err)
	}
}

// A call over budget waits in place for a short wait and returns a
// RetryAfter error for a long one, without calling Shopify.
func TestClientWithinBudget(t *testing.T) {
	fake := shopifytest.New("key", "secret")
	defer fake.Close()
	fake.AddShop(shop, "shpat_custom")
	lim := redisLimiters(t, shopify.Budget{Rate: 5, Burst: 10}, 1)[0]
	c := newClient(t, fake, "shpat_custom", func(cfg *shopify.Config) { cfg.Limiter = lim; cfg.MaxWait = 100 * time.Millisecond })
	ctx := context.Background()
	if _, err := c.Order(ctx, "5843223773234"); err != nil {
		t.Fatal(err)
	}
	_, err := c.Order(ctx, "5843223773234")
	var rl *shopify.RateLimitError
	// An order look-up costs 10 points; 10 more come back in 2s.
	if !errors.As(err, &rl) || rl.Cause != "budget" || rl.RetryAfter() < 1500*time.Millisecond || rl.RetryAfter() > 2*time.Second {
		t.Fatalf("over budget: %v, want a budget RateLimitError of about 2s", err)
	}
	if n := fake.Calls("HubOrder"); n != 1 {
		t.Errorf("Shopify was called %d times, want 1", n)
	}
}
