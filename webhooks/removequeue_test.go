package webhooks_test

import (
	"context"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"hub/webhooks"
)

// TestRemoveQueueLeavesNothing: a queue with pending work, a task a dead
// worker left active, asynq's counters and a take-over mark is gone
// entirely, name and keys.
func TestRemoveQueueLeavesNothing(t *testing.T) {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	defer rdb.Close()
	queue := "test-remove-" + randomHex(6)
	other := "test-remove-other-" + randomHex(6)
	c := asynq.NewClientFromRedisClient(rdb)
	for _, q := range []string{queue, queue, other} {
		if _, err := c.Enqueue(asynq.NewTask("t", nil), asynq.Queue(q)); err != nil {
			t.Fatal(err)
		}
	}
	defer webhooks.RemoveQueue(ctx, rdb, other)
	// A task a worker took and never finished, as a killed worker leaves it.
	if err := rdb.LMove(ctx, "asynq:{"+queue+"}:pending", "asynq:{"+queue+"}:active", "RIGHT", "LEFT").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, "asynq:{"+queue+"}:processed", 3, 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, "hub:taken-over:"+queue+":abc", 1, 0).Err(); err != nil {
		t.Fatal(err)
	}

	if err := webhooks.RemoveQueue(ctx, rdb, queue); err != nil {
		t.Fatal(err)
	}
	for _, pattern := range []string{"asynq:{" + queue + "}:*", "hub:taken-over:" + queue + ":*"} {
		if keys := rdb.Keys(ctx, pattern).Val(); len(keys) > 0 {
			t.Errorf("left behind: %v", keys)
		}
	}
	if rdb.SIsMember(ctx, "asynq:queues", queue).Val() {
		t.Errorf("queue %s is still listed", queue)
	}
	// Another queue is untouched.
	if n := rdb.LLen(ctx, "asynq:{"+other+"}:pending").Val(); n != 1 || !rdb.SIsMember(ctx, "asynq:queues", other).Val() {
		t.Errorf("the other queue lost its task (%d pending) or its name", n)
	}
	// Removing it again is not an error.
	if err := webhooks.RemoveQueue(ctx, rdb, queue); err != nil {
		t.Errorf("second removal: %v", err)
	}
}
