package zapier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	hookclient "hub/connectors/zapier"
	"hub/tickets"
	"hub/webhooks"
)

// TypeDeliver is the task that POSTs one ticket event to every hook
// subscribed to it. The outbox writes one per event, in the transaction of
// the change.
const TypeDeliver = "zapier:deliver"

// deliverPayload names the event; everything else is read when it runs.
type deliverPayload struct {
	EventID int64  `json:"event_id"`
	Event   string `json:"event"`
}

// NewDeliverTask is the delivery task of one event.
func NewDeliverTask(eventID int64, event string) *asynq.Task {
	b, _ := json.Marshal(deliverPayload{EventID: eventID, Event: event})
	return asynq.NewTask(TypeDeliver, b)
}

// Followups asks for a delivery of every event hooks can subscribe to.
func Followups(_ tickets.Ticket, e tickets.Event) []tickets.Followup {
	if !isEvent(e.Type) {
		return nil
	}
	t := NewDeliverTask(e.ID, e.Type)
	return []tickets.Followup{{Type: t.Type(), Payload: t.Payload()}}
}

// errHeld is a delivery another attempt has claimed and not finished.
var errHeld = errors.New("zapier: delivery claimed by another attempt; trying again when its claim runs out")

// parallel bounds the POSTs of one event in flight at once.
const parallel = 4

// ProcessDeliver is the handler of TypeDeliver. Each hook gets the event
// once: a delivery is claimed before its POST and recorded after, so a
// retry (for the hooks that answered 429 or 5xx) skips the others.
func (s *Service) ProcessDeliver(ctx context.Context, task *asynq.Task) error {
	var p deliverPayload
	if err := json.Unmarshal(task.Payload(), &p); err != nil || p.EventID == 0 {
		return fmt.Errorf("zapier: deliver task payload %q: %w", task.Payload(), asynq.SkipRetry)
	}
	hooks, err := s.cfg.Store.HooksFor(ctx, p.Event)
	if err != nil || len(hooks) == 0 {
		return err
	}
	e, err := s.cfg.Store.GetEvent(ctx, p.EventID)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return nil // the ticket was erased
	}
	if err != nil {
		return err
	}
	if e.Type == tickets.EventMessageCreated {
		hooks = byMessageKind(hooks, e)
	}
	if len(hooks) == 0 {
		return nil
	}
	payload, err := s.Render(ctx, e)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("zapier: encode event %d: %w", e.ID, asynq.SkipRetry)
	}

	var (
		mu    sync.Mutex
		retry []error
		wait  time.Duration
		wg    sync.WaitGroup
		sem   = make(chan struct{}, parallel)
	)
	for _, h := range hooks {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := s.deliverOne(ctx, h, e, body); err != nil {
				mu.Lock()
				retry = append(retry, err)
				if d, ok := webhooks.RetryAfterOf(err); ok {
					wait = max(wait, d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(retry) > 0 {
		// The hooks that failed for now are retried; a target's
		// Retry-After, if any, sets the delay.
		return webhooks.Wait(wait, fmt.Errorf("zapier: retry later: %w", errors.Join(retry...)))
	}
	return nil
}

// deliverOne POSTs the event to one hook and records the outcome. It
// returns an error only when a later attempt may succeed.
func (s *Service) deliverOne(ctx context.Context, h Hook, e tickets.Event, body []byte) error {
	log := s.cfg.Logger.With("hook_id", h.ID, "event", e.Type, "event_id", e.ID, "target_host", host(h.TargetURL))
	claimed, err := s.cfg.Store.ClaimHookDelivery(ctx, h.ID, e.ID, s.cfg.Lease)
	if err != nil {
		return err
	}
	if !claimed {
		// Delivered already or gone: nothing to do. Held by another
		// attempt: that attempt may be a worker killed mid-POST, which
		// will never record an outcome, so this one comes back when the
		// claim runs out instead of counting the event delivered. The
		// wait uses up no retry.
		until, err := s.cfg.Store.HookDeliveryHeldUntil(ctx, h.ID, e.ID, s.cfg.Lease)
		if err != nil || until.IsZero() {
			return err
		}
		return webhooks.Wait(max(until.Sub(s.cfg.Now()), time.Second), errHeld)
	}
	res, err := s.cfg.Client.Post(ctx, h.TargetURL, body)
	switch {
	case err == nil:
		outcome := "delivered"
		if res.Unverified {
			// A captive portal or proxy may have answered instead of Zapier.
			outcome = "unverified"
			log.Warn("zapier: hook answered 2xx with an HTML page; counted as delivered", "status", res.Status)
		}
		s.cfg.Metrics.delivery(outcome)
		return s.cfg.Store.HookDelivered(ctx, h.ID, e.ID)
	case errors.Is(err, hookclient.ErrGone):
		s.cfg.Metrics.delivery("gone")
		log.Info("zapier: hook answered 410 Gone; subscription removed")
		return s.cfg.Store.RemoveHook(ctx, h.ID)
	}

	temporary := true
	outcome := "failed"
	var se *hookclient.StatusError
	switch {
	case errors.Is(err, hookclient.ErrRefused):
		temporary, outcome = false, "refused"
	case errors.As(err, &se):
		temporary = se.Temporary()
	}
	s.cfg.Metrics.delivery(outcome)
	paused, ferr := s.cfg.Store.HookFailed(ctx, h.ID, e.ID, err.Error(), s.cfg.PauseAfter, s.cfg.PauseWindow)
	if ferr != nil {
		return errors.Join(err, ferr)
	}
	if paused {
		s.cfg.Metrics.paused.Inc()
		log.Warn("zapier: hook paused: its deliveries keep failing; subscribing again resumes it",
			"failures_at_least", s.cfg.PauseAfter, "err", err)
		return nil
	}
	log.Warn("zapier: hook delivery failed", "retry", temporary, "err", err)
	if !temporary {
		return nil
	}
	return err
}

// byMessageKind keeps the hooks that want this message's kind.
func byMessageKind(hooks []Hook, e tickets.Event) []Hook {
	kind, _ := e.After["kind"].(string)
	out := hooks[:0:0]
	for _, h := range hooks {
		if h.MessageKind == "" || h.MessageKind == kind {
			out = append(out, h)
		}
	}
	return out
}

// host is what logs may say of a target URL, which is a secret.
func host(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return "?"
	}
	return u.Hostname()
}
