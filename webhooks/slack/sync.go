package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	slackapi "hub/connectors/slack"
	"hub/tickets"
	"hub/webhooks"
)

// TypeSync is the task that posts or updates a ticket's card.
const TypeSync = "slack:sync"

// NotConfigured is what a ticket records when no card could be posted
// because the hub has no Slack settings. The sweep posts those cards once
// Slack is configured.
const NotConfigured = "slack not configured"

type syncPayload struct {
	TicketID string `json:"ticket_id"`
}

// NewSyncFollowup asks for the ticket's card to be brought up to date
// after delay. Unique coalesces it with a sync still pending for the same
// ticket, so a burst of changes within the delay is one chat.update (and
// the changes made while it waits for its turn join it too).
func NewSyncFollowup(ticketID string, delay time.Duration) tickets.Followup {
	b, _ := json.Marshal(syncPayload{TicketID: ticketID})
	return tickets.Followup{Type: TypeSync, Payload: b, Delay: delay, Unique: ticketID}
}

// NewSyncTask is the sync as an asynq task (the sweep enqueues it).
func NewSyncTask(ticketID string) *asynq.Task {
	b, _ := json.Marshal(syncPayload{TicketID: ticketID})
	return asynq.NewTask(TypeSync, b)
}

func (s *Service) handleSync(ctx context.Context, task *asynq.Task) error {
	var p syncPayload
	if err := json.Unmarshal(task.Payload(), &p); err != nil || p.TicketID == "" {
		return fmt.Errorf("slack sync payload %q: %w", task.Payload(), asynq.SkipRetry)
	}
	ws, ok, err := s.opt.Settings.Workspace(ctx)
	if err != nil {
		return err
	}
	if !ok {
		s.releaseOutbox(ctx)
		return s.recordNotConfigured(ctx, p.TicketID)
	}
	t, found, err := s.ticket(ctx, p.TicketID)
	if !found {
		return err // erased since
	}
	// The turn is taken while the outbox row is still pending, so that
	// changes made while this sync waits for its turn coalesce into it.
	if t.Slack.HasCard() {
		if err := s.turn(ctx, "update:"+ws.TeamID, s.opt.UpdateRate, maxUpdateWait); err != nil {
			return err
		}
	} else {
		channel, _ := s.route(ws, t)
		if channel == "" {
			s.releaseOutbox(ctx)
			return s.opt.Store.SetSlackCard(ctx, t.ID, tickets.SlackCard{Error: "no Slack channel configured (SLACK_CHANNEL)"})
		}
		wait, granted, err := s.reserve(ctx, "post:"+channel, s.opt.PostRate, s.opt.CardWait)
		if err != nil {
			return err
		}
		if !granted {
			// The channel is busier than Slack lets the hub post cards:
			// the ticket goes into its next digest instead of a queue.
			s.releaseOutbox(ctx)
			return s.digestLater(ctx, ws, t, channel, wait)
		}
		if wait > 0 {
			return later("waiting for the channel's turn", wait)
		}
	}
	// The outbox row is released before the ticket is read again: a change
	// committed from now on schedules a new sync instead of coalescing into
	// this one, which could already have read the ticket. Nothing is lost
	// between the read and the end of the task.
	s.releaseOutbox(ctx)
	if s.opt.Locker != nil {
		unlock, ok, err := s.opt.Locker.TryLock(ctx, "card:"+p.TicketID, cardLockTTL)
		if err != nil {
			return fmt.Errorf("slack: lock card: %w", err)
		}
		if !ok {
			// Another worker is posting or updating this card right now.
			return later("card busy in another worker", time.Second)
		}
		defer unlock()
	}
	return s.syncCard(ctx, ws, p.TicketID)
}

// maxUpdateWait is the longest a card update waits for the workspace's
// turn: updates queue (each coalescing the changes meanwhile) rather than
// being dropped, since the card must end up right.
const maxUpdateWait = time.Hour

// cardLockTTL outlasts a sync: at most three Slack calls of 10 seconds.
const cardLockTTL = 2 * time.Minute

// reserve asks the pacer for a turn in bucket for the running task.
func (s *Service) reserve(ctx context.Context, bucket string, r Rate, maxWait time.Duration) (time.Duration, bool, error) {
	if s.opt.Pacer == nil {
		return 0, true, nil
	}
	holder, _ := asynq.GetTaskID(ctx)
	if holder == "" {
		holder = fmt.Sprintf("anon-%d", s.opt.Now().UnixNano())
	}
	wait, ok, err := s.opt.Pacer.Reserve(ctx, bucket, r, holder, maxWait)
	if err != nil {
		return 0, false, fmt.Errorf("slack: pace %s: %w", bucket, err)
	}
	return wait, ok, nil
}

// turn waits for the running task's turn in bucket: nil when it is now,
// else an error asking to be run again when it comes (never by sleeping
// in the worker). Past maxWait the task asks again later, holding nothing.
func (s *Service) turn(ctx context.Context, bucket string, r Rate, maxWait time.Duration) error {
	wait, ok, err := s.reserve(ctx, bucket, r, maxWait)
	switch {
	case err != nil:
		return err
	case !ok:
		return later("no turn in "+bucket+" soon", min(wait, time.Minute))
	case wait > 0:
		return later("waiting for a turn in "+bucket, wait)
	}
	return nil
}

// releaseOutbox marks this task's outbox row done (the pipeline does it
// again when the task ends; it is idempotent).
func (s *Service) releaseOutbox(ctx context.Context) {
	if id, ok := webhooks.OutboxID(ctx); ok {
		if err := s.opt.Store.CompleteOutbox(ctx, id); err != nil {
			s.opt.Logger.Warn("slack sync: release outbox row", "outbox_id", id, "err", err)
		}
	}
}

func (s *Service) recordNotConfigured(ctx context.Context, ticketID string) error {
	t, err := s.opt.Store.GetTicket(ctx, ticketID)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if t.Slack.TS != "" || t.Slack.Error == NotConfigured {
		return nil
	}
	return s.opt.Store.SetSlackCard(ctx, t.ID, tickets.SlackCard{Error: NotConfigured})
}

// syncCard posts the card, or updates it in place: a card is never
// reposted, except when its message was deleted or its channel failed
// and a fallback channel is set. A ticket listed in a digest gets a card
// of its own now that its channel had room.
func (s *Service) syncCard(ctx context.Context, ws Workspace, id string) error {
	t, err := s.opt.Store.GetTicket(ctx, id)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return nil // erased since
	}
	if err != nil {
		return err
	}
	log := s.opt.Logger.With("ticket", t.Ref())
	msg := slackapi.RenderCard(cardData(t, s.opt.Policy, s.opt.Now()))
	if t.Slack.HasCard() {
		err := ws.Client.Update(ctx, t.Slack.Channel, t.Slack.TS, msg)
		switch code := slackapi.ErrorCode(err); {
		case err == nil:
			s.opt.Metrics.cards.WithLabelValues("updated").Inc()
			if t.Slack.Error != "" {
				t.Slack.Error = ""
				return s.opt.Store.SetSlackCard(ctx, t.ID, t.Slack)
			}
			return nil
		case code == "message_not_found" || code == "cant_update_message":
			log.Info("slack: card message gone; posting it again", "channel", t.Slack.Channel)
		default:
			return s.failed(ctx, ws, t, t.Slack.Channel, msg, err)
		}
	}
	channel, thread := s.route(ws, t)
	if channel == "" {
		return s.opt.Store.SetSlackCard(ctx, t.ID, tickets.SlackCard{Error: "no Slack channel configured (SLACK_CHANNEL)"})
	}
	return s.post(ctx, ws, t, channel, thread, msg)
}

// post posts a new card to channel (in the thread of thread, if set) and
// records where it is. The caller has its turn in the channel.
func (s *Service) post(ctx context.Context, ws Workspace, t tickets.Ticket, channel, thread string, msg slackapi.Message) error {
	ts, err := ws.Client.Post(ctx, channel, thread, msg)
	if err != nil {
		return s.failed(ctx, ws, t, channel, msg, err)
	}
	s.opt.Metrics.cards.WithLabelValues("posted").Inc()
	card := tickets.SlackCard{Team: ws.TeamID, Channel: channel, TS: ts}
	// Recorded even if the task's context ends now: a card posted but not
	// recorded would be posted again.
	return s.opt.Store.SetSlackCard(context.WithoutCancel(ctx), t.ID, card)
}

// route is where a new card goes: into the thread of the message a ticket
// was made from, else the first routing rule the ticket matches, else the
// default channel.
func (s *Service) route(ws Workspace, t tickets.Ticket) (channel, thread string) {
	if t.Source == tickets.SourceSlack {
		if rest, ok := strings.CutPrefix(t.ExternalRef, "msg:"); ok {
			if ch, ts, ok := strings.Cut(rest, ":"); ok && ch != "" && ts != "" {
				return ch, ts
			}
		}
	}
	return ws.Routes.Channel(t, ws.Channel), ""
}

// failed handles a Slack failure of the card. A rate limit or a transient
// failure is returned for the pipeline to retry (after Retry-After, or
// with backoff). A failure no retry can fix is recorded on the ticket,
// counted and logged, and the card goes to the fallback channel when the
// channel itself was the problem; the task then ends without retrying.
func (s *Service) failed(ctx context.Context, ws Workspace, t tickets.Ticket, channel string, msg slackapi.Message, err error) error {
	if !slackapi.IsPermanent(err) {
		return err
	}
	code := slackapi.ErrorCode(err)
	s.opt.Metrics.failures.WithLabelValues(code).Inc()
	s.opt.Logger.Warn("slack: cannot reach the card's channel", "ticket", t.Ref(), "channel", channel, "error", code)
	why := fmt.Sprintf("slack: %s in %s", code, channel)
	if slackapi.IsChannelError(err) && ws.Fallback != "" && channel != ws.Fallback {
		if perr := s.turn(ctx, "post:"+ws.Fallback, s.opt.PostRate, maxUpdateWait); perr != nil {
			return perr
		}
		ts, ferr := ws.Client.Post(ctx, ws.Fallback, "", msg)
		if ferr == nil {
			s.opt.Metrics.cards.WithLabelValues("posted").Inc()
			return s.opt.Store.SetSlackCard(context.WithoutCancel(ctx), t.ID, tickets.SlackCard{
				Team: ws.TeamID, Channel: ws.Fallback, TS: ts, Error: why + "; card posted to the fallback channel",
			})
		}
		if !slackapi.IsPermanent(ferr) {
			return ferr
		}
		s.opt.Metrics.failures.WithLabelValues(slackapi.ErrorCode(ferr)).Inc()
		why += fmt.Sprintf("; fallback %s: %s", ws.Fallback, slackapi.ErrorCode(ferr))
	}
	card := t.Slack // a card that exists stays known, with the error
	card.Error = why
	return s.opt.Store.SetSlackCard(ctx, t.ID, card)
}
