package webhooks

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
)

// Kick asks the relay to look at the outbox now rather than at its next tick.
func (p *Pipeline) Kick() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Run relays the outbox and sweeps the inbox until ctx ends. Every worker
// process runs it; TaskIDs keep them from doubling work.
func (p *Pipeline) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.relayLoop(ctx) }()
	go func() { defer wg.Done(); p.sweepLoop(ctx) }()
	wg.Wait()
}

func (p *Pipeline) relayLoop(ctx context.Context) {
	t := time.NewTicker(p.opt.RelayEvery)
	defer t.Stop()
	sent := map[int64]time.Time{} // outbox id → when this process last enqueued it
	for {
		p.relayOnce(ctx, sent)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.kick:
		}
	}
}

// relayOnce enqueues due outbox items. An item enqueued by this process is
// not enqueued again until StaleAfter has passed, which also covers Redis
// losing it.
func (p *Pipeline) relayOnce(ctx context.Context, sent map[int64]time.Time) {
	now := p.opt.Now()
	items, err := p.store.PendingOutbox(ctx, now, 200)
	if err != nil {
		if ctx.Err() == nil {
			p.opt.Logger.Warn("outbox relay: list", "err", err)
		}
		return
	}
	live := make(map[int64]bool, len(items))
	for _, it := range items {
		live[it.ID] = true
		if at, ok := sent[it.ID]; ok && now.Sub(at) < p.opt.StaleAfter {
			continue
		}
		task := asynq.NewTask(it.Type, it.Payload)
		_, err := p.queue.EnqueueContext(ctx, task, asynq.TaskID(OutboxTaskID(it.ID)), asynq.Queue(p.opt.Queue))
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			p.opt.Metrics.enqueueFailures.Inc()
			p.opt.Logger.Warn("outbox relay: enqueue", "outbox_id", it.ID, "type", it.Type, "err", err)
			continue
		}
		sent[it.ID] = now
	}
	for id := range sent {
		if !live[id] && now.Sub(sent[id]) > p.opt.StaleAfter {
			delete(sent, id)
		}
	}
}

func (p *Pipeline) sweepLoop(ctx context.Context) {
	t := time.NewTicker(p.opt.SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p.Sweep(ctx)
		}
	}
}

// Sweep enqueues again every delivery still waiting after StaleAfter: the
// task was lost (Redis restarted or was flushed) or never enqueued (Redis was
// down at intake). A task still queued makes the enqueue a no-op.
func (p *Pipeline) Sweep(ctx context.Context) (n int) {
	ids, err := p.store.StaleDeliveries(ctx, p.opt.Now().Add(-p.opt.StaleAfter), 500)
	if err != nil {
		if ctx.Err() == nil {
			p.opt.Logger.Warn("sweeper: list stale deliveries", "err", err)
		}
		return 0
	}
	for _, id := range ids {
		p.enqueueDelivery(ctx, id)
	}
	if len(ids) > 0 {
		p.opt.Metrics.swept.Add(float64(len(ids)))
		p.opt.Logger.Info("sweeper re-enqueued deliveries", "count", len(ids))
	}
	return len(ids)
}

// Middleware wraps every task handler: it measures each task, and marks an
// outbox item done once its task has succeeded or has failed for good (it
// then stays archived in asynq, visible and retryable from /admin/queues).
func (p *Pipeline) Middleware(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		start := time.Now()
		err := next.ProcessTask(ctx, t)
		p.opt.Metrics.task(t.Type(), time.Since(start), err)
		id, ok := outboxID(ctx)
		if !ok {
			return err
		}
		final := err == nil || errors.Is(err, asynq.SkipRetry) || (IsFailure(err) && lastAttempt(ctx))
		if final {
			if cerr := p.store.CompleteOutbox(ctx, id); cerr != nil {
				p.opt.Logger.Warn("outbox: mark done", "outbox_id", id, "err", cerr)
			}
		}
		switch _, wait := RetryAfterOf(err); {
		case err == nil:
		case wait:
			// Pacing and vendor rate limits: normal, retried after the delay.
			p.opt.Logger.Debug("task waits", "type", t.Type(), "outbox_id", id, "err", err)
		default:
			p.opt.Logger.Warn("task failed", "type", t.Type(), "outbox_id", id, "final", final, "err", err)
		}
		return err
	})
}

func outboxID(ctx context.Context) (int64, bool) {
	tid, ok := asynq.GetTaskID(ctx)
	if !ok || !strings.HasPrefix(tid, "outbox:") {
		return 0, false
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(tid, "outbox:"), 10, 64)
	return id, err == nil
}
