package shopify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Budget is what the limiter assumes of a shop's GraphQL bucket until
// Shopify's answers tell it the real one (throttleStatus): Bucket points at
// most, Restore points back every second. Today's Standard plan is 1,000 at
// 100/s; a Plus store's larger bucket and faster restore are learnt from its
// first answer.
type Budget struct {
	Restore float64
	Bucket  float64
}

// DefaultBudget is Shopify's Standard plan.
var DefaultBudget = Budget{Restore: 100, Bucket: 1000}

// RedisLimiter is a Limiter shared by every worker of every hub process
// through Redis: one bucket per shop, the mirror of Shopify's own. Take
// holds a query's requested cost before the call, as Shopify requires that
// much to be available; Settle gives back what Shopify did not charge and
// adopts its bucket size, restore rate and the points it says are left. A
// hold whose Settle never comes (a worker died) simply restores with time.
type RedisLimiter struct {
	rdb    redis.UniversalClient
	budget Budget
	prefix string
	now    func() time.Time
}

// NewRedisLimiter returns a limiter on rdb. prefix separates hubs that
// share one Redis (tests use their own).
func NewRedisLimiter(rdb redis.UniversalClient, budget Budget, prefix string) *RedisLimiter {
	if budget.Restore <= 0 {
		budget.Restore = DefaultBudget.Restore
	}
	if budget.Bucket <= 0 {
		budget.Bucket = DefaultBudget.Bucket
	}
	return &RedisLimiter{rdb: rdb, budget: budget, prefix: prefix, now: time.Now}
}

// WithClock makes the limiter read time from now (tests).
func (l *RedisLimiter) WithClock(now func() time.Time) *RedisLimiter {
	l.now = now
	return l
}

// bucketScript keeps a shop's bucket in a hash (avail, max, rate, ts in ms)
// and refills it to now before anything else. ARGV: now, default max,
// default rate, then the operation's own.
const bucketScript = `
local now, defmax, defrate = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local h = redis.call("HMGET", KEYS[1], "avail", "max", "rate", "ts")
local max = tonumber(h[2]) or defmax
local rate = tonumber(h[3]) or defrate
local avail = tonumber(h[1]) or max
local ts = tonumber(h[4]) or now
if now > ts then avail = math.min(max, avail + (now - ts) * rate / 1000) else now = ts end
`

const saveScript = `
redis.call("HSET", KEYS[1], "avail", tostring(avail), "max", tostring(max), "rate", tostring(rate), "ts", tostring(now))
redis.call("PEXPIRE", KEYS[1], math.ceil(max / rate * 1000) + 60000)
`

// takeScript holds ARGV[4] points, or answers how many ms until it could.
var takeScript = redis.NewScript(bucketScript + `
local cost = math.min(tonumber(ARGV[4]), max)
local wait = 0
if avail >= cost then avail = avail - cost else wait = math.ceil((cost - avail) * 1000 / rate) end
` + saveScript + `
return wait
`)

// settleScript gives back ARGV[4] (held) - ARGV[5] (charged) when the
// charge is known (>= 0), then adopts Shopify's bucket size ARGV[7],
// restore rate ARGV[8] and, when lower, its available points ARGV[6]
// (each when known, > 0 or >= 0): what Shopify says is left already counts
// this call and the other calls it has seen.
var settleScript = redis.NewScript(bucketScript + `
local held, charged = tonumber(ARGV[4]), tonumber(ARGV[5])
local left, smax, srate = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
if charged >= 0 then avail = avail + math.max(held - charged, 0) end
if smax > 0 then max = smax end
if srate > 0 then rate = srate end
if left >= 0 then avail = math.min(avail, left) end
avail = math.min(avail, max)
` + saveScript + `
return 0
`)

func (l *RedisLimiter) key(shop string) []string { return []string{l.prefix + "shopify:cost:" + shop} }

func (l *RedisLimiter) args(extra ...any) []any {
	return append([]any{l.now().UnixMilli(), l.budget.Bucket, l.budget.Restore}, extra...)
}

// Take implements Limiter.
func (l *RedisLimiter) Take(ctx context.Context, shop string, cost int) (time.Duration, error) {
	ms, err := takeScript.Run(ctx, l.rdb, l.key(shop), l.args(max(cost, 0))...).Int64()
	if err != nil {
		return 0, fmt.Errorf("shopify: budget of %s: %w", shop, err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// Settle implements Limiter.
func (l *RedisLimiter) Settle(ctx context.Context, shop string, held int, c Cost) error {
	charged, left, bucket, restore := -1.0, -1.0, 0.0, 0.0
	if c.Charged != nil {
		charged = *c.Charged
	}
	if c.Throttle != nil {
		left, bucket, restore = c.Throttle.Available, c.Throttle.Maximum, c.Throttle.Restore
	}
	err := settleScript.Run(ctx, l.rdb, l.key(shop), l.args(held, charged, left, bucket, restore)...).Err()
	if err != nil {
		return fmt.Errorf("shopify: budget of %s: %w", shop, err)
	}
	return nil
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
