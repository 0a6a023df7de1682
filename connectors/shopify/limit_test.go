package shopify_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
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

// clock is a time the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func take(t *testing.T, l *shopify.RedisLimiter, shop string, cost int) time.Duration {
	t.Helper()
	wait, err := l.Take(context.Background(), shop, cost)
	if err != nil {
		t.Fatal(err)
	}
	return wait
}

func settle(t *testing.T, l *shopify.RedisLimiter, shop string, held int, charged float64, th *shopify.Throttle) {
	t.Helper()
	if err := l.Settle(context.Background(), shop, held, shopify.Cost{Requested: float64(held), Charged: &charged, Throttle: th}); err != nil {
		t.Fatal(err)
	}
}

// Two limiters on one Redis are two workers: they share each shop's
// bucket, which must hold a query's whole requested cost before it runs;
// shops do not share theirs.
func TestRedisLimiterHoldsRequestedCostPerShop(t *testing.T) {
	clk := newClock()
	ls := redisLimiters(t, shopify.DefaultBudget, 2)
	a, b := ls[0].WithClock(clk.Now), ls[1].WithClock(clk.Now)
	for i := range 6 {
		if wait := take(t, []*shopify.RedisLimiter{a, b}[i%2], shop, 150); wait != 0 {
			t.Fatalf("take %d of 150 from a bucket of 1000: wait %v", i+1, wait)
		}
	}
	// 100 left at 100 points a second: 150 are there in half a second.
	if wait := take(t, b, shop, 150); wait != 500*time.Millisecond {
		t.Errorf("over the bucket: wait %v, want 500ms", wait)
	}
	if wait := take(t, a, "other.myshopify.com", 150); wait != 0 {
		t.Errorf("another shop was charged: wait %v", wait)
	}
	clk.Add(500 * time.Millisecond)
	if wait := take(t, a, shop, 150); wait != 0 {
		t.Errorf("after the restore: wait %v", wait)
	}
}

// Settle gives back what Shopify did not charge, and Shopify's count of
// what is left wins when it is lower (another process spent meanwhile).
func TestRedisLimiterSettlesFromShopifysAnswer(t *testing.T) {
	clk := newClock()
	l := redisLimiters(t, shopify.DefaultBudget, 1)[0].WithClock(clk.Now)
	take(t, l, shop, 150)
	settle(t, l, shop, 150, 12, &shopify.Throttle{Maximum: 1000, Available: 988, Restore: 100})
	if wait := take(t, l, shop, 988); wait != 0 {
		t.Errorf("the unspent 138 points were not given back: wait %v", wait)
	}
	settle(t, l, shop, 988, 988, &shopify.Throttle{Maximum: 1000, Available: 0, Restore: 100})
	clk.Add(time.Second)
	take(t, l, shop, 150) // 100 restored: nothing held
	// Shopify says only 40 are left (another hub spent them).
	settle(t, l, shop, 0, 0, &shopify.Throttle{Maximum: 1000, Available: 40, Restore: 100})
	if wait := take(t, l, shop, 100); wait != 600*time.Millisecond {
		t.Errorf("after Shopify reported 40 left: wait %v, want 600ms", wait)
	}
	// No answer (the call timed out): the hold stays, it may have run.
	l2 := redisLimiters(t, shopify.DefaultBudget, 1)[0].WithClock(clk.Now)
	take(t, l2, shop, 900)
	if err := l2.Settle(context.Background(), shop, 900, shopify.Cost{}); err != nil {
		t.Fatal(err)
	}
	if wait := take(t, l2, shop, 150); wait != 500*time.Millisecond {
		t.Errorf("an unanswered call's hold was given back: wait %v", wait)
	}
}

// A Plus store's larger bucket and faster restore are learnt from its
// answers: a Standard bucket holds one 1,000-point query, a Plus one five.
func TestRedisLimiterLearnsTheShopsBucket(t *testing.T) {
	clk := newClock()
	l := redisLimiters(t, shopify.DefaultBudget, 1)[0].WithClock(clk.Now)
	take(t, l, shop, 1000)
	if wait := take(t, l, shop, 1000); wait != 10*time.Second {
		t.Fatalf("a second 1000 from a Standard bucket: wait %v, want 10s", wait)
	}
	settle(t, l, shop, 1000, 10, &shopify.Throttle{Maximum: 10000, Available: 9990, Restore: 1000})
	clk.Add(5 * time.Second)
	for i := range 5 {
		if wait := take(t, l, shop, 1000); wait != 0 {
			t.Fatalf("take %d after learning a bucket of 10000 at 1000/s: wait %v", i+1, wait)
		}
	}
}

// The client holds each query's requested cost (HubOrder: 150 points) and
// follows what the shop reports: with the shop's bucket of 200 points at
// 10/s learnt from the first answer (the default is 1,000 at 100/s), it
// stops before Shopify would throttle, and asks the caller to wait as long
// as the shop's restore rate says.
func TestClientFollowsTheShopsBucket(t *testing.T) {
	clk := newClock()
	fake := shopifytest.New("key", "secret")
	defer fake.Close()
	fake.SetClock(clk.Now)
	fake.AddShop(shop, "shpat_custom")
	fake.SetBucket(shop, 200, 10)
	lim := redisLimiters(t, shopify.DefaultBudget, 1)[0].WithClock(clk.Now)
	c := newClient(t, fake, "shpat_custom", func(cfg *shopify.Config) { cfg.Limiter = lim; cfg.MaxWait = time.Millisecond })
	ctx := context.Background()
	var err error
	calls := 0
	for ; calls < 10 && err == nil; calls++ {
		_, err = c.Order(ctx, "5843223773234")
	}
	var rl *shopify.RateLimitError
	if !errors.As(err, &rl) || rl.Cause != "budget" {
		t.Fatalf("after %d look-ups: %v, want the budget to stop the client", calls, err)
	}
	// Each look-up is charged 15 of its 150: 185, 170, 155 then 140 are
	// left; the fifth misses 10 points, a second at 10/s.
	if n := fake.Calls("HubOrder"); n != 4 || fake.Refused("THROTTLED") != 0 {
		t.Errorf("Shopify answered %d look-ups and throttled %d; want 4 and none", n, fake.Refused("THROTTLED"))
	}
	if rl.RetryAfter() != time.Second {
		t.Errorf("wait %v, want 1s (the shop's restore rate)", rl.RetryAfter())
	}
}
