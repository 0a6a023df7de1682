package zapier

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the hook deliveries' Prometheus series.
type Metrics struct {
	deliveries *prometheus.CounterVec
	paused     prometheus.Counter
}

// NewMetrics creates the series and registers them with reg (nil: not
// registered, for tests).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hub_zapier_hook_deliveries_total",
			Help: "POSTs of ticket events to Zapier hooks by outcome (delivered, unverified, gone, failed, refused).",
		}, []string{"outcome"}),
		paused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hub_zapier_hooks_paused_total",
			Help: "Hook subscriptions paused because their deliveries kept failing.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.deliveries, m.paused)
	}
	return m
}

func (m *Metrics) delivery(outcome string) { m.deliveries.WithLabelValues(outcome).Inc() }
