package webhooks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"hub/tickets"
)

// TypeDeliveryProcess is the asynq task that processes one inbox delivery.
// Its payload is the delivery id in decimal; its TaskID is DeliveryTaskID.
const TypeDeliveryProcess = "delivery:process"

// Store is what the pipeline needs from the durable store.
type Store interface {
	RecordDelivery(ctx context.Context, d *tickets.Delivery) (created bool, err error)
	GetDelivery(ctx context.Context, id int64) (tickets.Delivery, error)
	ApplyDelivery(ctx context.Context, id int64, actor tickets.Actor, cmds []tickets.Command) (applied bool, err error)
	FailDelivery(ctx context.Context, id int64, reason string) error
	IgnoreDelivery(ctx context.Context, id int64, reason string) error
	ReplayDelivery(ctx context.Context, id int64) (tickets.Delivery, error)
	StaleDeliveries(ctx context.Context, before time.Time, limit int) ([]int64, error)
	PendingOutbox(ctx context.Context, before time.Time, limit int) ([]tickets.OutboxItem, error)
	CompleteOutbox(ctx context.Context, id int64) error
}

// Queue is the part of asynq the pipeline uses to enqueue and to clear a
// finished task out of the way of a replay.
type Queue interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// TaskRemover deletes a task (archived after its last retry) so that the same
// TaskID can be enqueued again. *asynq.Inspector implements it.
type TaskRemover interface {
	DeleteTask(queue, id string) error
}

// Options tune the pipeline. Zero values take the defaults noted.
type Options struct {
	// StaleAfter is how long a delivery or outbox row may wait before the
	// sweeper enqueues it again (default 1 minute).
	StaleAfter time.Duration
	// SweepEvery is the sweeper's period (default 15 seconds).
	SweepEvery time.Duration
	// RelayEvery is how often the outbox is polled (default 500ms). The worker
	// also kicks the relay after each change, so this only bounds the delay
	// of changes made by other processes (the API).
	RelayEvery time.Duration
	// MaxRetry is the number of retries of a delivery task (default 8).
	MaxRetry int
	// Queue is the asynq queue the pipeline's tasks go to (default
	// "default"). Tests give each pipeline its own.
	Queue   string
	Now     func() time.Time
	Logger  *slog.Logger
	Metrics *Metrics
}

// Pipeline records deliveries, processes them and relays follow-up work.
type Pipeline struct {
	store    Store
	queue    Queue
	remover  TaskRemover
	decoders map[tickets.Source]Decoder
	opt      Options
	kick     chan struct{}
}

// New returns a pipeline. remover may be nil (replays of archived tasks then
// rely on the sweeper).
func New(store Store, queue Queue, remover TaskRemover, opt Options) *Pipeline {
	if opt.StaleAfter <= 0 {
		opt.StaleAfter = time.Minute
	}
	if opt.SweepEvery <= 0 {
		opt.SweepEvery = 15 * time.Second
	}
	if opt.RelayEvery <= 0 {
		opt.RelayEvery = 500 * time.Millisecond
	}
	if opt.MaxRetry <= 0 {
		opt.MaxRetry = 8
	}
	if opt.Queue == "" {
		opt.Queue = "default"
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Metrics == nil {
		opt.Metrics = NewMetrics(nil)
	}
	return &Pipeline{
		store: store, queue: queue, remover: remover,
		decoders: map[tickets.Source]Decoder{},
		opt:      opt,
		kick:     make(chan struct{}, 1),
	}
}

// Metrics are the pipeline's series, for receivers to count what they refuse.
func (p *Pipeline) Metrics() *Metrics { return p.opt.Metrics }

// Handle registers the decoder for a source. Each connector registers its own.
func (p *Pipeline) Handle(src tickets.Source, d Decoder) { p.decoders[src] = d }

// DeliveryTaskID is the asynq TaskID of a delivery's processing task.
func DeliveryTaskID(id int64) string { return "delivery:" + strconv.FormatInt(id, 10) }

// OutboxTaskID is the asynq TaskID of an outbox item's task.
func OutboxTaskID(id int64) string { return "outbox:" + strconv.FormatInt(id, 10) }

// Accept is durable intake: it commits d to the inbox and then enqueues its
// processing. duplicate reports a delivery already recorded, which the
// receiver acknowledges without doing anything. An error means the delivery
// was not recorded and the sender must retry (answer 503). A failed enqueue
// after the commit is not an error: the delivery is safe in Postgres and the
// sweeper will enqueue it.
func (p *Pipeline) Accept(ctx context.Context, d *tickets.Delivery) (duplicate bool, err error) {
	if d.ReceivedAt.IsZero() {
		d.ReceivedAt = p.opt.Now()
	}
	created, err := p.store.RecordDelivery(ctx, d)
	if err != nil {
		p.opt.Metrics.delivery(d.Source, "unrecorded")
		return false, fmt.Errorf("record delivery: %w", err)
	}
	if !created {
		p.opt.Metrics.delivery(d.Source, "duplicate")
		return true, nil
	}
	p.opt.Metrics.delivery(d.Source, "accepted")
	p.enqueueDelivery(ctx, d.ID)
	return false, nil
}

// Replay puts a failed or ignored delivery back in the pipeline.
func (p *Pipeline) Replay(ctx context.Context, id int64) (tickets.Delivery, error) {
	d, err := p.store.ReplayDelivery(ctx, id)
	if err != nil {
		return d, err
	}
	if p.remover != nil {
		// The task that failed last is archived under the same TaskID; it
		// must go before the id can be enqueued again.
		if err := p.remover.DeleteTask(p.opt.Queue, DeliveryTaskID(id)); err != nil && !isTaskNotFound(err) {
			p.opt.Logger.Warn("replay: could not delete old task", "delivery_id", id, "err", err)
		}
	}
	p.enqueueDelivery(ctx, id)
	return d, nil
}

func (p *Pipeline) enqueueDelivery(ctx context.Context, id int64) {
	task := asynq.NewTask(TypeDeliveryProcess, []byte(strconv.FormatInt(id, 10)))
	_, err := p.queue.EnqueueContext(ctx, task,
		asynq.TaskID(DeliveryTaskID(id)), asynq.MaxRetry(p.opt.MaxRetry), asynq.Queue(p.opt.Queue))
	switch {
	case err == nil, errors.Is(err, asynq.ErrTaskIDConflict):
		// Already queued: the task in Redis will do the work.
	default:
		p.opt.Metrics.enqueueFailures.Inc()
		p.opt.Logger.Warn("enqueue failed; the sweeper will retry", "delivery_id", id, "err", err)
	}
}

func isTaskNotFound(err error) bool {
	return errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) ||
		strings.Contains(err.Error(), "not found")
}
