package slack

import (
	"context"
	"errors"
	"time"

	"github.com/hibiken/asynq"
)

// TypeSweep is the periodic task that posts the cards Slack never got:
// tickets opened while Slack was not configured (or before a sync ran).
const TypeSweep = "slack:sweep"

// NewSweepTask is the sweep, for the scheduler.
func NewSweepTask() *asynq.Task { return asynq.NewTask(TypeSweep, nil) }

// sweepGrace leaves new tickets to their own sync.
const sweepGrace = time.Minute

func (s *Service) handleSweep(ctx context.Context, _ *asynq.Task) error {
	_, ok, err := s.opt.Settings.Workspace(ctx)
	if err != nil || !ok || s.opt.Queue == nil {
		return err
	}
	_, err = s.Sweep(ctx)
	return err
}

// Sweep enqueues a card sync for every open ticket without a card, and
// returns how many. A sync still queued for a ticket is not doubled
// (TaskID), and the card lock keeps a sync racing the ticket's own from
// posting twice.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	ids, err := s.opt.Store.TicketsWithoutSlackCard(ctx, NotConfigured, s.opt.Now().Add(-sweepGrace), 200)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		_, err := s.opt.Queue.EnqueueContext(ctx, NewSyncTask(id), asynq.TaskID("slack-sweep:"+id), asynq.Queue(s.opt.QueueName), asynq.MaxRetry(5))
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			return n, err
		}
		n++
	}
	if n > 0 {
		s.opt.Logger.Info("slack: posting missing cards", "tickets", n)
	}
	return n, nil
}
