package webhooks

import (
	"errors"
	"slices"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"hub/tickets"
)

// Metrics are the pipeline's Prometheus series.
type Metrics struct {
	deliveries      *prometheus.CounterVec
	rejected        *prometheus.CounterVec
	taskSeconds     *prometheus.HistogramVec
	taskFailures    *prometheus.CounterVec
	enqueueFailures prometheus.Counter
	swept           prometheus.Counter
	takenOver       prometheus.Counter
	shed            *prometheus.CounterVec
}

// NewMetrics creates the series and registers them with reg (nil: not
// registered, for tests).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hub_deliveries_total",
			Help: "Webhook deliveries by source and outcome (accepted, duplicate, unrecorded, shed, processed, ignored, failed).",
		}, []string{"source", "outcome"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hub_deliveries_rejected_total",
			Help: "Webhook requests refused before recording, by source and reason.",
		}, []string{"source", "reason"}),
		taskSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hub_task_duration_seconds",
			Help:    "Time spent running asynq tasks, by type.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"type"}),
		taskFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hub_task_failures_total",
			Help: "asynq task runs that returned an error, by type.",
		}, []string{"type"}),
		enqueueFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hub_enqueue_failures_total",
			Help: "Tasks that could not be enqueued (left to the sweeper).",
		}),
		swept: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hub_swept_deliveries_total",
			Help: "Deliveries the sweeper enqueued because they had no task.",
		}),
		shed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hub_requests_shed_total",
			Help: "Requests answered 503 because the hub was at capacity (busy) or too far behind (backlog).",
		}, []string{"reason"}),
		takenOver: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hub_tasks_taken_over_total",
			Help: "Tasks of workers that died, taken over by the sweeper.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.deliveries, m.rejected, m.taskSeconds, m.taskFailures, m.enqueueFailures, m.swept, m.takenOver, m.shed)
	}
	return m
}

func (m *Metrics) delivery(src tickets.Source, outcome string) {
	m.deliveries.WithLabelValues(string(src), outcome).Inc()
}

// Rejected counts a request refused before it was recorded.
func (m *Metrics) Rejected(src tickets.Source, reason string) {
	m.rejected.WithLabelValues(string(src), reason).Inc()
}

func (m *Metrics) task(typ string, d time.Duration, err error) {
	m.taskSeconds.WithLabelValues(typ).Observe(d.Seconds())
	if err != nil {
		m.taskFailures.WithLabelValues(typ).Inc()
	}
}

// QueueCollector reports asynq queue depth by queue and state.
type QueueCollector struct {
	insp   *asynq.Inspector
	queues []string
	desc   *prometheus.Desc
}

// NewQueueCollector returns a collector reading queue sizes through insp.
// The named queues are always reported, as zeros before their first task:
// asynq only learns of a queue when something is enqueued to it, and a
// dashboard should not lose the series after a Redis restart.
func NewQueueCollector(insp *asynq.Inspector, queues ...string) *QueueCollector {
	return &QueueCollector{insp: insp, queues: queues, desc: prometheus.NewDesc(
		"hub_queue_tasks", "asynq tasks by queue and state.", []string{"queue", "state"}, nil)}
}

// Describe implements prometheus.Collector.
func (c *QueueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector. A Redis outage yields no samples
// rather than an error, so /metrics keeps answering.
func (c *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	queues, err := c.insp.Queues()
	if err != nil {
		return
	}
	for _, q := range c.queues {
		if !slices.Contains(queues, q) {
			queues = append(queues, q)
		}
	}
	for _, q := range queues {
		info, err := c.insp.GetQueueInfo(q)
		if errors.Is(err, asynq.ErrQueueNotFound) {
			info = &asynq.QueueInfo{}
		} else if err != nil {
			continue
		}
		for state, n := range map[string]int{
			"pending": info.Pending, "active": info.Active, "scheduled": info.Scheduled,
			"retry": info.Retry, "archived": info.Archived, "aggregating": info.Aggregating,
		} {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), q, state)
		}
	}
}
