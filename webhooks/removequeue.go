package webhooks

import (
	"context"
	"fmt"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// RemoveQueue deletes an asynq queue and every key kept for it, for a queue
// that was only ever temporary (the demo's, a test's) and that no worker
// uses any more. asynq's DeleteQueue removes the tasks and the queue's name
// but refuses while a task is active (one a dead worker held, say) and
// leaves the daily processed/failed counters and unique locks; the
// pipeline's take-over marks are the hub's own. All of it goes.
func RemoveQueue(ctx context.Context, rdb redis.UniversalClient, queue string) error {
	// Its error is not the last word: it refuses a queue with an active
	// task, which the keys' removal below deals with, and Redis being
	// down fails that removal too.
	_ = asynq.NewInspectorFromRedisClient(rdb).DeleteQueue(queue, true)
	for _, pattern := range []string{"asynq:{" + queue + "}:*", takeOverMark + queue + ":*"} {
		if err := deleteKeys(ctx, rdb, pattern); err != nil {
			return fmt.Errorf("delete %s: %w", pattern, err)
		}
	}
	// What DeleteQueue refused, with its tasks now gone.
	if err := rdb.SRem(ctx, "asynq:queues", queue).Err(); err != nil {
		return fmt.Errorf("forget queue %s: %w", queue, err)
	}
	return nil
}

// deleteKeys deletes the keys matching pattern, on every master of a cluster.
func deleteKeys(ctx context.Context, rdb redis.UniversalClient, pattern string) error {
	del := func(ctx context.Context, c redis.Cmdable) error {
		var cursor uint64
		for {
			keys, next, err := c.Scan(ctx, cursor, pattern, 500).Result()
			if err != nil {
				return err
			}
			for _, k := range keys {
				// One by one: in a cluster the keys of a pattern need not
				// share a slot.
				if err := c.Del(ctx, k).Err(); err != nil {
					return err
				}
			}
			if cursor = next; cursor == 0 {
				return nil
			}
		}
	}
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return del(ctx, c) })
	}
	return del(ctx, rdb)
}
