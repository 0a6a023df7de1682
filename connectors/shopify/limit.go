package shopify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Budget is a shop's call budget in GraphQL cost points: Rate points come
// back every second up to Burst. Shopify's Standard plan restores 100
// points a second into a bucket of 2,000; the default takes half, leaving
// the rest to the merchant's other apps.
type Budget struct {
	Rate  int
	Burst int
}

// DefaultBudget leaves headroom for the merchant's other apps.
var DefaultBudget = Budget{Rate: 50, Burst: 1000}

// RedisLimiter is a Limiter shared by every worker through Redis (a GCRA
// bucket per shop), so that parallel workers cannot drain a shop's bucket
// together.
type RedisLimiter struct {
	lim    *redis_rate.Limiter
	budget Budget
	prefix string
}

// NewRedisLimiter returns a limiter on rdb. prefix separates hubs that
// share one Redis (tests use their own).
func NewRedisLimiter(rdb redis.UniversalClient, budget Budget, prefix string) *RedisLimiter {
	if budget.Rate <= 0 {
		budget = DefaultBudget
	}
	if budget.Burst < budget.Rate {
		budget.Burst = budget.Rate
	}
	return &RedisLimiter{lim: redis_rate.NewLimiter(rdb), budget: budget, prefix: prefix}
}

// Take implements Limiter.
func (l *RedisLimiter) Take(ctx context.Context, shop string, cost int) (time.Duration, error) {
	cost = min(max(cost, 1), l.budget.Burst)
	res, err := l.lim.AllowN(ctx, l.prefix+"shopify:"+shop,
		redis_rate.Limit{Rate: l.budget.Rate, Burst: l.budget.Burst, Period: time.Second}, cost)
	if err != nil {
		return 0, err
	}
	if res.Allowed > 0 {
		return 0, nil
	}
	return max(res.RetryAfter, time.Millisecond), nil
}

// RedisLocker is a short mutual-exclusion lock in Redis, so that only one
// worker of all hub processes refreshes a shop's rotating token at a time.
type RedisLocker struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewRedisLocker returns a locker on rdb.
func NewRedisLocker(rdb redis.UniversalClient, prefix string) *RedisLocker {
	return &RedisLocker{rdb: rdb, prefix: prefix}
}

// unlockScript deletes the key only if it still holds our token: a lock
// that expired and was taken by another worker is not ours to release.
var unlockScript = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`)

// Lock takes key for at most ttl. ok is false when another holder has it.
func (l *RedisLocker) Lock(ctx context.Context, key string, ttl time.Duration) (unlock func(), ok bool, err error) {
	token := make([]byte, 16)
	_, _ = rand.Read(token)
	k, v := l.prefix+key, hex.EncodeToString(token)
	ok, err = l.rdb.SetNX(ctx, k, v, ttl).Result()
	if err != nil || !ok {
		return func() {}, false, err
	}
	return func() { _ = unlockScript.Run(context.WithoutCancel(ctx), l.rdb, []string{k}, v).Err() }, true, nil
}
