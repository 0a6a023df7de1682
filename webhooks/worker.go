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
	log := p.opt.Logger.With("delivery_id", id)
	d, err := p.store.GetDelivery(ctx, id)
	if err != nil {
		if tickets.ErrorCode(err) == tickets.ENOTFOUND {
			return fmt.Errorf("delivery %d is gone: %w", id, asynq.SkipRetry)
		}
		return err
	}
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
			return err
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
		log.Info("delivery processed", "commands", len(out.Commands))
		p.Kick()
	}
	return nil
}

// fail records a delivery that cannot succeed (or has run out of retries)
// as failed, and returns what asynq should do with the task.
func (p *Pipeline) fail(ctx context.Context, d tickets.Delivery, cause error) error {
	permanent := IsPermanent(cause)
	if !permanent && !lastAttempt(ctx) {
		return cause // asynq retries with RetryDelay
	}
	if err := p.store.FailDelivery(ctx, d.ID, cause.Error()); err != nil {
		return fmt.Errorf("mark delivery %d failed (%v): %w", d.ID, cause, err)
	}
	p.opt.Metrics.delivery(d.Source, "failed")
	p.opt.Logger.Warn("delivery failed", "delivery_id", d.ID, "source", d.Source, "topic", d.Topic, "reason", cause.Error())
	return fmt.Errorf("%w: %w", cause, asynq.SkipRetry)
}

func lastAttempt(ctx context.Context) bool {
	n, ok1 := asynq.GetRetryCount(ctx)
	max, ok2 := asynq.GetMaxRetry(ctx)
	return ok1 && ok2 && n >= max
}
