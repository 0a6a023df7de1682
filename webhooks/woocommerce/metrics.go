package woocommerce

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the WooCommerce series: what reconciliation had to catch,
// webhooks re-activated, and whether each store is delivering.
type Metrics struct {
	missed      *prometheus.CounterVec
	reactivated *prometheus.CounterVec
	delivering  *prometheus.GaugeVec
}

// NewMetrics creates the series, registered with reg (nil: unregistered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		missed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hub_woocommerce_missed_changes_total",
			Help: "Order changes found by reconciliation that no webhook had delivered, by store.",
		}, []string{"store"}),
		reactivated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hub_woocommerce_webhooks_reactivated_total",
			Help: "Webhooks WooCommerce had disabled that the health check re-activated, by store.",
		}, []string{"store"}),
		delivering: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hub_woocommerce_store_delivering",
			Help: "1 while a store's webhooks deliver, 0 once it is found not delivering.",
		}, []string{"store"}),
	}
	if reg != nil {
		reg.MustRegister(m.missed, m.reactivated, m.delivering)
	}
	return m
}
