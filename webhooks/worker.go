package webhooks

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/hibiken/asynq"

	"hub/tickets"
)

// Decoded is what a delivery means for the domain.
type Decoded struct {
	// Actor is who the audit trail names; the zero value means the delivery.
	Actor    tickets.Actor
	Commands []tickets.Command
	// Ignore, when set, says why the delivery needs nothing done (an unknown
	// topic, a draft order, ...). The delivery is marked ignored.
	Ignore string
}

// Decoder turns a stored delivery into domain commands. It may call the
// vendor's API (to re-fetch a resource); it must not write to the store.
type Decoder interface {
	Decode(ctx context.Context, d tickets.Delivery) (Decoded, error)
}

// DecoderFunc adapts a function to Decoder.
type DecoderFunc func(ctx context.Context, d tickets.Delivery) (Decoded, error)

// Decode calls f.
func (f DecoderFunc) Decode(ctx context.Context, d tickets.Delivery) (Decoded, error) {
	return f(ctx, d)
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that no retry can fix, such as a malformed
// payload: the delivery is marked failed with the reason, kept, and can be
// replayed once the cause is fixed.
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err can never succeed on retry. Domain errors
// about the input (invalid, not found, conflict) are permanent too.
func IsPermanent(err error) bool {
	var p permanentError
	if errors.As(err, &p) || errors.Is(err, asynq.SkipRetry) {
		return true
	}
	var de *tickets.Error
	if errors.As(err, &de) {
		switch de.Code {
		case tickets.EINVALID, tickets.ENOTFOUND, tickets.ECONFLICT:
			return true
		}
	}
	return false
}

// Register adds the pipeline's task handlers to mux.
func (p *Pipeline) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TypeDeliveryProcess, p.HandleDelivery)
}

// HandleDelivery processes one delivery: decode, apply and mark processed in
// one transaction. Running it twice for the same delivery is harmless.
func (p *Pipeline) HandleDelivery(ctx context.Context, task *asynq.Task) error {
	id, err := strconv.ParseInt(string(task.Payload()), 10, 64)
	if err != nil {
		return fmt.Errorf("delivery task payload %q: %w", task.Payload(), asynq.SkipRetry)
	}
	if wait, down := p.outage.wait(p.opt.Now()); down {
		// The database was unreachable a moment ago: wait for it without
		// knocking, and without using up a retry.
		return Wait(wait, errOutage)
	}
	log := p.opt.Logger.With("delivery_id", id)
	d, err := p.store.GetDelivery(ctx, id)
	if err != nil {
		if tickets.ErrorCode(err) == tickets.ENOTFOUND {
			return fmt.Errorf("delivery %d is gone: %w", id, asynq.SkipRetry)
		}
		return p.retry(ctx, tickets.Delivery{ID: id}, err)
	}
	p.outage.up()
	if d.Status != tickets.DeliveryReceived {
		return nil // done by an earlier run
	}
	log = log.With("source", d.Source, "topic", d.Topic)

	dec, ok := p.decoders[d.Source]
	if !ok {
		return p.fail(ctx, d, Permanent(fmt.Errorf("no decoder for source %q (connector not configured)", d.Source)))
	}
	out, err := dec.Decode(ctx, d)
	if err != nil {
		return p.fail(ctx, d, err)
	}
	if out.Ignore != "" {
		if err := p.store.IgnoreDelivery(ctx, d.ID, out.Ignore); err != nil {
			return p.retry(ctx, d, err)
		}
		p.opt.Metrics.delivery(d.Source, "ignored")
		log.Info("delivery ignored", "reason", out.Ignore)
		return nil
	}
	actor := out.Actor
	if actor.Kind == "" {
		actor = tickets.Actor{Kind: tickets.ActorWebhook, ID: DeliveryTaskID(d.ID), Name: string(d.Source) + " " + d.Topic}
	}
	applied, err := p.store.ApplyDelivery(ctx, d.ID, actor, out.Commands)
	if err != nil {
		return p.fail(ctx, d, err)
	}
	if applied {
		p.opt.Metrics.delivery(d.Source, "processed")
		log.Debug("delivery processed", "commands", len(out.Commands))
		p.Kick()
	}
	return nil
}

// errOutage is what a task waits on while the database is unreachable.
var errOutage = errors.New("waiting for the database to come back")

// fail handles an error processing d: a failure no retry can fix, or the
// last retry's, marks the delivery failed with the reason (kept and
// replayable); anything else is retried.
func (p *Pipeline) fail(ctx context.Context, d tickets.Delivery, cause error) error {
	if !IsPermanent(cause) && (d.Attempts+1 <= p.opt.MaxRetry || p.unavailable(cause)) {
		return p.retry(ctx, d, cause)
	}
	if err := p.store.FailDelivery(ctx, d.ID, cause.Error()); err != nil {
		return p.retry(ctx, d, fmt.Errorf("mark delivery %d failed (%v): %w", d.ID, cause, err))
	}
	p.opt.Metrics.delivery(d.Source, "failed")
	p.opt.Logger.Warn("delivery failed", "delivery_id", d.ID, "source", d.Source, "topic", d.Topic, "reason", cause.Error())
	return fmt.Errorf("%w: %w", cause, asynq.SkipRetry)
}

// retry schedules d's next try and records it on the delivery, so that
// its row tells the truth: the tries so far, the last error, when the next
// is due. Every retry asks asynq to wait rather than to count a failure:
// the budget is the row's, and an outage or a vendor's rate limit uses up
// none of it.
func (p *Pipeline) retry(ctx context.Context, d tickets.Delivery, cause error) error {
	now := p.opt.Now()
	if p.unavailable(cause) {
		return Wait(p.outage.down(now), cause)
	}
	delay, rateLimited := RetryAfterOf(cause)
	if !rateLimited {
		delay = backoff(d.Attempts)
	}
	if d.Source != "" { // a loaded delivery: its row can be written
		if _, err := p.store.RetryDelivery(ctx, d.ID, cause.Error(), now.Add(delay), !rateLimited); err != nil {
			if p.unavailable(err) {
				return Wait(p.outage.down(now), cause)
			}
			p.opt.Logger.Warn("delivery: record retry", "delivery_id", d.ID, "err", err)
		}
	}
	return Wait(delay, cause)
}

func (p *Pipeline) unavailable(err error) bool {
	return err != nil && !IsPermanent(err) && p.opt.IsUnavailable(err)
}

func lastAttempt(ctx context.Context) bool {
	n, ok1 := asynq.GetRetryCount(ctx)
	max, ok2 := asynq.GetMaxRetry(ctx)
	return ok1 && ok2 && n >= max
}
