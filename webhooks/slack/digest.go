package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	slackapi "hub/connectors/slack"
	"hub/tickets"
)

// TypeDigest is the task that posts one digest into a busy channel: the
// tickets queued for it, in one message, in one of the channel's turns.
const TypeDigest = "slack:digest"

type digestPayload struct {
	Channel string `json:"channel"`
}

// digestEvery spaces a channel's digests: within it, tickets queued for
// the channel join the digest already scheduled (one TaskID per window).
const digestEvery = 2 * time.Second

// digestSize is the most tickets one digest lists by name; the others
// waiting are counted in it ("and 230 more"), so a channel flooded far
// beyond Slack's pace gets one message a turn that covers everything, and
// never a backlog of digests.
const digestSize = 40

// digestCover is the most tickets one digest covers; more wait for the next.
const digestCover = 2000

// Store methods the digests need (tickets/postgres).
type digestStore interface {
	QueueForDigest(ctx context.Context, ticketID, team, channel string) (bool, error)
	DigestWaiting(ctx context.Context, channel string, limit int) ([]tickets.Ticket, error)
	DigestWaitingIDs(ctx context.Context, channel string, limit int) ([]string, error)
	MarkDigested(ctx context.Context, ids []string, channel, ts string) error
}

// digestLater queues t for its channel's next digest, and makes sure one
// is scheduled: at the channel's next turn (wait), in the window it falls
// in, so all the tickets queued meanwhile share it.
func (s *Service) digestLater(ctx context.Context, ws Workspace, t tickets.Ticket, channel string, wait time.Duration) error {
	ds, ok := s.opt.Store.(digestStore)
	if !ok || s.opt.Queue == nil {
		return later("channel busy", wait)
	}
	queued, err := ds.QueueForDigest(ctx, t.ID, ws.TeamID, channel)
	if err != nil || !queued {
		return err // already queued or listed, or it got a card meanwhile
	}
	s.opt.Metrics.cards.WithLabelValues("digest_queued").Inc()
	return s.scheduleDigest(ctx, channel, wait)
}

func (s *Service) scheduleDigest(ctx context.Context, channel string, wait time.Duration) error {
	at := s.opt.Now().Add(wait)
	window := at.Truncate(digestEvery).Add(digestEvery)
	b, _ := json.Marshal(digestPayload{Channel: channel})
	_, err := s.opt.Queue.EnqueueContext(ctx, asynq.NewTask(TypeDigest, b),
		asynq.TaskID("slack:digest:"+channel+":"+strconv.FormatInt(window.Unix(), 10)),
		asynq.ProcessAt(window), asynq.Queue(s.opt.QueueName), asynq.MaxRetry(10))
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("slack: schedule digest: %w", err)
	}
	return nil
}

func (s *Service) handleDigest(ctx context.Context, task *asynq.Task) error {
	var p digestPayload
	if err := json.Unmarshal(task.Payload(), &p); err != nil || p.Channel == "" {
		return fmt.Errorf("slack digest payload: %w", asynq.SkipRetry)
	}
	ds, ok := s.opt.Store.(digestStore)
	if !ok {
		return nil
	}
	ws, ok, err := s.opt.Settings.Workspace(ctx)
	if err != nil || !ok {
		return err
	}
	// One digest at a time per channel: two digest tasks (of neighbouring
	// windows, or a retry) reading the same waiting tickets would list
	// them twice.
	if s.opt.Locker != nil {
		unlock, ok, err := s.opt.Locker.TryLock(ctx, "digest:"+p.Channel, cardLockTTL)
		if err != nil {
			return fmt.Errorf("slack: lock digest: %w", err)
		}
		if !ok {
			return later("digest busy in another worker", time.Second)
		}
		defer unlock()
	}
	// A turn is a post a card could have used: none for an empty digest
	// (every ticket queued for it got a card or an earlier digest).
	if ids, err := ds.DigestWaitingIDs(ctx, p.Channel, 1); err != nil || len(ids) == 0 {
		return err
	}
	if err := s.turn(ctx, "post:"+p.Channel, s.opt.PostRate, maxUpdateWait); err != nil {
		return err
	}
	// Read after the turn: what got a card or was listed meanwhile is out.
	waiting, err := ds.DigestWaiting(ctx, p.Channel, digestSize)
	if err != nil || len(waiting) == 0 {
		return err // nothing left: each got a card or an earlier digest
	}
	all, err := ds.DigestWaitingIDs(ctx, p.Channel, digestCover)
	if err != nil {
		return err
	}
	more := len(all) >= digestCover
	items := make([]slackapi.DigestItem, len(waiting))
	ids := make([]string, 0, len(all)+len(waiting))
	for i, t := range waiting {
		items[i] = slackapi.DigestItem{Ref: t.Ref(), Subject: t.Subject, Priority: string(t.Priority), Customer: customerLine(t.Customer)}
		ids = append(ids, t.ID)
	}
	// A ticket queued between the two reads may be named but not in all.
	for _, id := range all {
		if !slices.Contains(ids[:len(waiting)], id) {
			ids = append(ids, id)
		}
	}
	ts, err := ws.Client.Post(ctx, p.Channel, "", slackapi.RenderDigest(items, len(ids)-len(items), "/ticket"))
	if err != nil {
		if slackapi.IsPermanent(err) {
			s.opt.Metrics.failures.WithLabelValues(slackapi.ErrorCode(err)).Inc()
			s.opt.Logger.Warn("slack: digest failed", "channel", p.Channel, "error", slackapi.ErrorCode(err))
			return fmt.Errorf("slack: digest: %w: %w", err, asynq.SkipRetry)
		}
		return err
	}
	s.opt.Metrics.cards.WithLabelValues("digest").Inc()
	if err := ds.MarkDigested(context.WithoutCancel(ctx), ids, p.Channel, ts); err != nil {
		return err
	}
	// Tickets queued while this digest ran could not schedule their own
	// (its TaskID was taken): look once more.
	if !more {
		rest, err := ds.DigestWaiting(ctx, p.Channel, 1)
		more = err == nil && len(rest) > 0
	}
	if more {
		return s.scheduleDigest(ctx, p.Channel, 0)
	}
	return nil
}
