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
	RetryDelivery(ctx context.Context, id int64, reason string, at time.Time, counted bool) (attempts int, err error)
	ReplayDelivery(ctx context.Context, id int64) (tickets.Delivery, error)
	ClaimStaleDeliveries(ctx context.Context, cutoff, claimed time.Time, limit int) ([]int64, error)
	PendingOutbox(ctx context.Context, before time.Time, limit int) ([]tickets.OutboxItem, error)
	CompleteOutbox(ctx context.Context, id int64) error
}

// Queue is the part of asynq the pipeline uses to enqueue.
type Queue interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// Inspector looks at and clears tasks asynq holds, so that whatever state
// Redis is in, work that is due gets a task: a task archived after its last
// retry is deleted to make room for its TaskID, and the task of a worker
// that died is taken over. *asynq.Inspector implements it.
type Inspector interface {
	GetTaskInfo(queue, id string) (*asynq.TaskInfo, error)
	DeleteTask(queue, id string) error
	ListActiveTasks(queue string, opts ...asynq.ListOption) ([]*asynq.TaskInfo, error)
}

// Marks remembers, for a while, that a task was taken over from a dead
// worker, so that the original (which asynq recovers later) does not run
// the work a second time. It is shared by every worker process (Redis).
type Marks interface {
	Mark(ctx context.Context, key string, ttl time.Duration) error
	Marked(ctx context.Context, key string) (bool, error)
}

// Options tune the pipeline. Zero values take the defaults noted.
type Options struct {
	// StaleAfter is how long a delivery or outbox row may be due without
	// being done before the sweeper makes sure it has a task (default 1
	// minute).
	StaleAfter time.Duration
	// SweepEvery is the sweeper's period (default 5 seconds). Each pass
	// pages through every stale delivery.
	SweepEvery time.Duration
	// RelayEvery is how often the outbox is polled (default 500ms). The worker
	// also kicks the relay after each change, so this only bounds the delay
	// of changes made by other processes (the API).
	RelayEvery time.Duration
	// MaxRetry is the number of retries of a delivery (default 8), counted
	// in the delivery's row. Waiting for a vendor's rate limit, or for the
	// database to come back, uses up none.
	MaxRetry int
	// EnqueueTimeout bounds each enqueue (default 250ms): a Redis that
	// hangs must not hold a webhook's answer. A delivery whose enqueue
	// timed out is safe in Postgres; the sweeper enqueues it.
	EnqueueTimeout time.Duration
	// IsUnavailable tells an infrastructure outage (the database cannot be
	// reached) from a failure of the work itself. A task that meets an
	// outage waits for it to end without using up a retry, however long it
	// lasts. Nil: no error is an outage.
	IsUnavailable func(error) bool
	// Queue is the asynq queue the pipeline's tasks go to (default
	// "default"). Tests give each pipeline its own.
	Queue   string
	Now     func() time.Time
	Logger  *slog.Logger
	Metrics *Metrics
	// Marks, when set, lets a task taken over from a dead worker stop the
	// original from running it again (see Marks).
	Marks Marks
	// Backlog, when set, tells how many tasks wait for a worker; past
	// MaxBacklog new deliveries are refused (ErrBacklog) rather than
	// queued without bound in Redis, which keeps everything in memory.
	Backlog    func() int
	MaxBacklog int
	// Recorder, when set, records deliveries instead of the store's own
	// RecordDelivery: the web role groups concurrent webhooks into one
	// commit (postgres.IntakeBatcher).
	Recorder Recorder
}

// Recorder commits a verified delivery to the inbox (see Store).
type Recorder interface {
	RecordDelivery(ctx context.Context, d *tickets.Delivery) (created bool, err error)
}

// Pipeline records deliveries, processes them and relays follow-up work.
type Pipeline struct {
	store              Store
	queue              Queue
	insp               Inspector
	decoders           map[tickets.Source]Decoder
	opt                Options
	kick               chan struct{}
	outage             *outage
	relayLog, sweepLog *stateLog
}

// New returns a pipeline. insp may be nil (tests of intake alone); the
// sweeper then cannot clear archived tasks or take over a dead worker's.
func New(store Store, queue Queue, insp Inspector, opt Options) *Pipeline {
	if opt.StaleAfter <= 0 {
		opt.StaleAfter = time.Minute
	}
	if opt.SweepEvery <= 0 {
		opt.SweepEvery = 5 * time.Second
	}
	if opt.RelayEvery <= 0 {
		opt.RelayEvery = 500 * time.Millisecond
	}
	if opt.MaxRetry <= 0 {
		opt.MaxRetry = 8
	}
	if opt.EnqueueTimeout <= 0 {
		opt.EnqueueTimeout = 250 * time.Millisecond
	}
	if opt.IsUnavailable == nil {
		opt.IsUnavailable = func(error) bool { return false }
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
		store: store, queue: queue, insp: insp,
		decoders: map[tickets.Source]Decoder{},
		opt:      opt,
		kick:     make(chan struct{}, 1),
		outage:   &outage{},
		relayLog: &stateLog{log: opt.Logger, what: "outbox relay"},
		sweepLog: &stateLog{log: opt.Logger, what: "sweeper"},
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
	if p.backlogged() {
		p.opt.Metrics.delivery(d.Source, "shed")
		p.opt.Metrics.shed.WithLabelValues("backlog").Inc()
		return false, ErrBacklog
	}
	rec := Recorder(p.store)
	if p.opt.Recorder != nil {
		rec = p.opt.Recorder
	}
	created, err := rec.RecordDelivery(ctx, d)
	if err != nil {
		p.opt.Metrics.delivery(d.Source, "unrecorded")
		return false, fmt.Errorf("record delivery: %w", err)
	}
	if !created {
		p.opt.Metrics.delivery(d.Source, "duplicate")
		return true, nil
	}
	p.opt.Metrics.delivery(d.Source, "accepted")
	// A new delivery's id has never had a task, so a plain enqueue will do;
	// anything odd is the sweeper's to sort out.
	if err := p.enqueue(ctx, deliveryTask(d.ID), p.taskOpts(DeliveryTaskID(d.ID), deliveryOpts...)); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		p.opt.Metrics.enqueueFailures.Inc()
		p.opt.Logger.Debug("enqueue failed; the sweeper will enqueue it", "delivery_id", d.ID, "err", err)
	}
	return false, nil
}

// Replay puts a failed or ignored delivery back in the pipeline.
func (p *Pipeline) Replay(ctx context.Context, id int64) (tickets.Delivery, error) {
	d, err := p.store.ReplayDelivery(ctx, id)
	if err != nil {
		return d, err
	}
	// The task that failed last may still be archived under the same
	// TaskID; ensure clears it out of the way.
	if _, err := p.ensure(ctx, deliveryTask(id), DeliveryTaskID(id), deliveryOpts...); err != nil {
		p.opt.Metrics.enqueueFailures.Inc()
		p.opt.Logger.Warn("replay: enqueue failed; the sweeper will enqueue it", "delivery_id", id, "err", err)
	}
	return d, nil
}

func deliveryTask(id int64) *asynq.Task {
	return asynq.NewTask(TypeDeliveryProcess, []byte(strconv.FormatInt(id, 10)))
}

// deliveryTaskRetries is asynq's retry budget for a delivery task. The
// real budget (MaxRetry) is kept in the delivery's row, and every retry
// of a delivery asks asynq to wait rather than to count a failure, so this
// only has to be out of reach.
const deliveryTaskRetries = 1000

// taskTimeout bounds one run of any task, so that a database or vendor
// that hangs frees the worker: asynq's default is 30 minutes.
const taskTimeout = 2 * time.Minute

var deliveryOpts = []asynq.Option{asynq.MaxRetry(deliveryTaskRetries), asynq.Timeout(taskTimeout)}

// taskOpts are the options of the task with TaskID id in the pipeline's
// queue.
func (p *Pipeline) taskOpts(id string, extra ...asynq.Option) []asynq.Option {
	return append([]asynq.Option{asynq.TaskID(id), asynq.Queue(p.opt.Queue)}, extra...)
}

// ensure enqueues task under the TaskID id unless a task with that id is
// already waiting or running. A task asynq has finished with (archived
// after its last retry, or kept as completed) is deleted first: it must
// never stand in the way of work that is due. enqueued reports whether a
// new task was enqueued.
func (p *Pipeline) ensure(ctx context.Context, task *asynq.Task, id string, extra ...asynq.Option) (enqueued bool, err error) {
	opts := p.taskOpts(id, extra...)
	err = p.enqueue(ctx, task, opts)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, asynq.ErrTaskIDConflict) || p.insp == nil {
		return false, err
	}
	info, err := p.insp.GetTaskInfo(p.opt.Queue, id)
	switch {
	case err != nil && isTaskNotFound(err):
		// Finished between the two calls: enqueue again below.
	case err != nil:
		return false, err
	case info.State == asynq.TaskStateArchived || info.State == asynq.TaskStateCompleted:
		if err := p.insp.DeleteTask(p.opt.Queue, id); err != nil && !isTaskNotFound(err) {
			return false, err
		}
	default:
		return false, nil // pending, scheduled, retry or active: it will run
	}
	err = p.enqueue(ctx, task, opts)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return false, nil // another sweeper was quicker
	}
	return err == nil, err
}

// enqueue enqueues task, waiting at most EnqueueTimeout. The call is given
// the deadline too, but a Redis client may not honour it (go-redis does
// only with ContextTimeoutEnabled), so the caller stops waiting either
// way; an enqueue that completes afterwards is harmless.
func (p *Pipeline) enqueue(ctx context.Context, task *asynq.Task, opts []asynq.Option) error {
	ctx, cancel := context.WithTimeout(ctx, p.opt.EnqueueTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := p.queue.EnqueueContext(ctx, task, opts...)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("enqueue %s: %w", task.Type(), ctx.Err())
	}
}

func isTaskNotFound(err error) bool {
	return errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) ||
		strings.Contains(err.Error(), "not found")
}
