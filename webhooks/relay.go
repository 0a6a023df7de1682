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
// not looked at again until StaleAfter has passed; then it is made sure of
// (ensure), which covers Redis losing it and a task archived before its
// row could be marked done.
func (p *Pipeline) relayOnce(ctx context.Context, sent map[int64]time.Time) {
	now := p.opt.Now()
	items, err := p.store.PendingOutbox(ctx, now, 500)
	if err != nil {
		if ctx.Err() == nil {
			p.relayLog.fail("list the outbox", err)
		}
		return
	}
	live := make(map[int64]bool, len(items))
	failed := 0
	var lastErr error
	for _, it := range items {
		live[it.ID] = true
		if at, ok := sent[it.ID]; ok && now.Sub(at) < p.opt.StaleAfter {
			continue
		}
		if _, err := p.ensure(ctx, asynq.NewTask(it.Type, it.Payload), OutboxTaskID(it.ID), asynq.Timeout(taskTimeout)); err != nil {
			p.opt.Metrics.enqueueFailures.Inc()
			failed, lastErr = failed+1, err
			continue
		}
		sent[it.ID] = now
	}
	if failed > 0 {
		p.relayLog.fail("enqueue", lastErr)
	} else {
		p.relayLog.ok()
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

// Sweep pages: one claim takes this many deliveries, and one pass at most
// maxSweepPass, so that a pass ends and the orphan check runs.
const (
	sweepPage    = 1000
	maxSweepPass = 50 * sweepPage
)

// Sweep makes sure every delivery still "received" a while (StaleAfter)
// after its task was due has a task, whatever state Redis is in: lost
// (Redis restarted or was flushed), never enqueued (Redis was down or hung
// at intake), or archived. It pages through all of them, so a delivery
// that stays stuck never hides the ones behind it, and sweepers in several
// processes share the work. Then it takes over the tasks of workers that
// died. n is how many deliveries got a new task.
func (p *Pipeline) Sweep(ctx context.Context) (n int) {
	now := p.opt.Now()
	cutoff := now.Add(-p.opt.StaleAfter)
	var lastErr error
	failed := 0
	for claimed := 0; claimed < maxSweepPass && ctx.Err() == nil; {
		ids, err := p.store.ClaimStaleDeliveries(ctx, cutoff, now, sweepPage)
		if err != nil {
			if ctx.Err() == nil {
				p.sweepLog.fail("claim stale deliveries", err)
			}
			return n
		}
		for _, id := range ids {
			enqueued, err := p.ensure(ctx, deliveryTask(id), DeliveryTaskID(id), deliveryOpts...)
			switch {
			case err != nil:
				p.opt.Metrics.enqueueFailures.Inc()
				failed, lastErr = failed+1, err
			case enqueued:
				n++
			}
		}
		claimed += len(ids)
		if len(ids) < sweepPage {
			break
		}
	}
	if failed > 0 {
		p.sweepLog.fail("enqueue", lastErr)
	}
	if n > 0 {
		p.opt.Metrics.swept.Add(float64(n))
		p.opt.Logger.Info("sweeper enqueued deliveries that had no task", "count", n)
	}
	// The pass is well only if both halves are: calling ok() after the
	// claim while the take-over keeps failing would end and restart the
	// failure state on every pass, a warning every few seconds.
	if p.takeOverOrphans(ctx) && failed == 0 {
		p.sweepLog.ok()
	}
	return n
}

// Take-over of a dead worker's task. asynq recovers such a task only
// about two minutes after the worker died (its lease lasts 30 s and its
// recoverer looks once a minute, for leases expired 30 s ago), so the
// sweeper does it sooner: a task whose lease has expired (asynq calls it
// orphaned) is enqueued again under a new TaskID, and marked, so that the
// original, when asynq recovers it, finds the mark and does nothing.
const (
	takeOverSuffix = "~r"
	takeOverMark   = "hub:taken-over:"
	takeOverTTL    = 24 * time.Hour
)

// takeOverOrphans reports whether it could do its work (ok is false when
// Redis failed it).
func (p *Pipeline) takeOverOrphans(ctx context.Context) (ok bool) {
	if p.insp == nil {
		return true
	}
	active, err := p.insp.ListActiveTasks(p.opt.Queue, asynq.PageSize(1000))
	if err != nil {
		if !isTaskNotFound(err) {
			p.sweepLog.fail("list active tasks", err)
			return false
		}
		return true
	}
	ok = true
	for _, t := range active {
		if !t.IsOrphaned {
			continue
		}
		if p.opt.Marks != nil {
			if err := p.opt.Marks.Mark(ctx, takeOverMark+p.opt.Queue+":"+t.ID, takeOverTTL); err != nil {
				p.sweepLog.fail("mark a dead worker's task", err)
				ok = false
				continue // without the mark the original would run it twice
			}
		}
		opts := []asynq.Option{asynq.MaxRetry(t.MaxRetry), asynq.Timeout(taskTimeout)}
		enqueued, err := p.ensure(ctx, asynq.NewTask(t.Type, t.Payload), t.ID+takeOverSuffix, opts...)
		if err != nil {
			p.sweepLog.fail("take over a dead worker's task", err)
			ok = false
			continue
		}
		if enqueued {
			p.opt.Metrics.takenOver.Inc()
			p.opt.Logger.Warn("took over the task of a worker that stopped", "task_id", t.ID, "type", t.Type)
		}
	}
	return ok
}

// takenOver reports whether the running task is one the sweeper has taken
// over from a dead worker: the original, recovered late by asynq, then
// has nothing left to do. Only a task that is being retried can be one.
func (p *Pipeline) takenOver(ctx context.Context) bool {
	if p.opt.Marks == nil {
		return false
	}
	if n, _ := asynq.GetRetryCount(ctx); n == 0 {
		return false
	}
	id, _ := asynq.GetTaskID(ctx)
	marked, err := p.opt.Marks.Marked(ctx, takeOverMark+p.opt.Queue+":"+id)
	return err == nil && marked
}

// Middleware wraps every task handler: it measures each task; lets a task
// that meets a database outage wait for it without using up a retry; and
// marks an outbox item done once its task has succeeded or has failed for
// good (it then stays archived in asynq, visible and retryable from
// /admin/queues).
func (p *Pipeline) Middleware(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		if p.takenOver(ctx) {
			return nil
		}
		start := time.Now()
		err := next.ProcessTask(ctx, t)
		if p.unavailable(err) {
			err = Wait(p.outage.down(p.opt.Now()), err)
		}
		p.opt.Metrics.task(t.Type(), time.Since(start), err)
		id, ok := OutboxID(ctx)
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
			// Pacing, vendor rate limits, outages: normal, retried after the delay.
			p.opt.Logger.Debug("task waits", "type", t.Type(), "outbox_id", id, "err", err)
		default:
			p.opt.Logger.Warn("task failed", "type", t.Type(), "outbox_id", id, "final", final, "err", err)
		}
		return err
	})
}

// OutboxID is the outbox item the running task works for, if it is one
// (its TaskID is OutboxTaskID, or that taken over from a dead worker).
func OutboxID(ctx context.Context) (int64, bool) {
	tid, ok := asynq.GetTaskID(ctx)
	if !ok || !strings.HasPrefix(tid, "outbox:") {
		return 0, false
	}
	tid, _, _ = strings.Cut(strings.TrimPrefix(tid, "outbox:"), "~")
	id, err := strconv.ParseInt(tid, 10, 64)
	return id, err == nil
}
