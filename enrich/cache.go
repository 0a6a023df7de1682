package enrich

import (
	"sync"
	"time"
)

// cache keeps lookup answers for a short time, so a burst of messages on one
// ticket (or several tickets of one customer) asks each store once. It is
// per process: an answer a minute old is as good as a fresh one here, and a
// shared cache would need invalidation the stores do not offer.
type cache struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	now     func() time.Time
	entries map[string]cacheEntry
}

type cacheEntry struct {
	val     any
	expires time.Time
}

func newCache(ttl time.Duration, max int, now func() time.Time) *cache {
	return &cache{ttl: ttl, max: max, now: now, entries: map[string]cacheEntry{}}
}

func (c *cache) get(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || c.now().After(e.expires) {
		delete(c.entries, key)
		return nil, false
	}
	return e.val, true
}

func (c *cache) put(key string, val any) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.entries) >= c.max {
		for k, e := range c.entries {
			if now.After(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= c.max {
			c.entries = map[string]cacheEntry{} // all fresh: start over rather than grow
		}
	}
	c.entries[key] = cacheEntry{val: val, expires: now.Add(c.ttl)}
}
