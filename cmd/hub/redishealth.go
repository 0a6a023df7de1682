package main

import (
	"context"
	"net/url"
	"time"
)

// redisCheckEvery is how often a serving hub pings Redis to tell the
// operator, in one line each way, that it went away and came back.
const redisCheckEvery = 5 * time.Second

// watchRedis logs Redis's reachability as a state until ctx ends: one
// warning, in the hub's own words, when it becomes unreachable, and one
// line when it is back. asynq's and go-redis's own lines about the same
// outage are throttled (logthrottle); this is the one to read.
func (a *App) watchRedis(ctx context.Context) {
	t := time.NewTicker(redisCheckEvery)
	defer t.Stop()
	down := false
	var since time.Time
	for {
		pctx, cancel := context.WithTimeout(ctx, redisIOTimeout)
		err := a.redis.Ping(pctx).Err()
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && !down:
			down, since = true, time.Now()
			a.log.Warn("Redis is unreachable: webhooks are still recorded and acknowledged, and their work waits until Redis is back",
				"redis", redactedURL(a.cfg.RedisURL), "err", err)
		case err == nil && down:
			down = false
			a.log.Info("Redis is reachable again: the sweeper enqueues what waited", "redis", redactedURL(a.cfg.RedisURL),
				"down_for", time.Since(since).Round(time.Second).String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// redactedURL is a URL fit for a log: without its password.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}
