package woocommerce_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	wc "hub/connectors/woocommerce"
	"hub/tickets"
	woo "hub/webhooks/woocommerce"
)

func TestFailedPaymentOpensOneTicketWithCustomerAndOrder(t *testing.T) {
	b := setup(t)
	b.startWorker(t)
	b.subscribe(t)

	b.shop.SetOrderStatus(1234, "failed")
	// WooCommerce coalesces nothing across requests: the same version may
	// come again (order.created and order.updated, or an admin re-save).
	b.shop.Deliver("order.updated", 1234)

	waitFor(t, "the ticket", func() bool { return len(b.tickets(t)) == 1 })
	waitFor(t, "both deliveries done", func() bool {
		list := b.deliveries(t)
		return len(list) == 1 && list[0].Status == tickets.DeliveryProcessed
	})
	tk := b.tickets(t)[0]
	if tk.Subject != "Payment failed for order #1234" || tk.Priority != tickets.PriorityHigh || tk.Source != tickets.SourceWooCommerce {
		t.Errorf("ticket %+v", tk)
	}
	if tk.Customer.Email != "maya.patel@example.com" || tk.Customer.Name != "Maya Patel" {
		t.Errorf("customer %+v", tk.Customer)
	}
	if len(tk.Orders) != 1 || tk.Orders[0].OrderID != "1234" || tk.Orders[0].FinancialStatus != "failed" || tk.Orders[0].Store != b.storeKey {
		t.Errorf("orders %+v", tk.Orders)
	}
	for _, w := range b.shop.Webhooks() {
		for _, d := range w.Deliveries {
			if d.Status != http.StatusAccepted {
				t.Errorf("a delivery of %s got %d", w.Topic, d.Status)
			}
		}
	}
}

func TestReconciliationCatchesWhatWebhooksMissedExactlyOnce(t *testing.T) {
	b := setup(t)
	b.startWorker(t)
	b.subscribe(t)
	reg := prometheus.NewRegistry()
	metrics := woo.NewMetrics(reg)
	later := time.Now().Add(5 * time.Minute) // the change is old enough to count as missed
	rc := &woo.Reconciler{Stores: b.stores, Pipeline: b.pipe, Every: time.Hour, Metrics: metrics, Now: func() time.Time { return later },
		Health: &woo.Health{Stores: b.stores, Metrics: metrics}}
	ctx := context.Background()

	// One change arrives by webhook; then the hub becomes unreachable and
	// the next is lost (WooCommerce never retries).
	b.shop.SetOrderStatus(1234, "completed")
	b.shop.DropDeliveries(true)
	b.shop.SetOrderStatus(1251, "failed")
	waitFor(t, "the delivered change", func() bool { return len(b.deliveries(t)) == 1 })

	n, err := rc.Store(ctx, b.storeKey)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("reconciliation recorded %d changes, want 1 (the delivered one is a duplicate)", n)
	}
	waitFor(t, "the missed failure's ticket", func() bool { return len(b.tickets(t)) == 1 })
	tk := b.tickets(t)[0]
	if tk.Subject != "Payment failed for order #1251" || tk.Customer.Email != "tom.okafor@example.org" {
		t.Errorf("ticket %+v", tk)
	}

	// Again, and with the webhook finally arriving late: nothing new.
	if n, err := rc.Store(ctx, b.storeKey); err != nil || n != 0 {
		t.Fatalf("second reconciliation recorded %d (%v), want 0", n, err)
	}
	b.shop.DropDeliveries(false)
	b.shop.Deliver("order.updated", 1251)
	time.Sleep(300 * time.Millisecond)
	if got := len(b.deliveries(t)); got != 2 {
		t.Errorf("%d deliveries, want 2 (each version once)", got)
	}
	if got := len(b.tickets(t)); got != 1 {
		t.Errorf("%d tickets, want 1", got)
	}
	if v := counter(t, reg, "hub_woocommerce_missed_changes_total", b.storeKey); v != 1 {
		t.Errorf("missed changes metric %v, want 1", v)
	}
	st, _ := b.stores.Settings(ctx, b.storeKey)
	if st.Settings["silent_since"] == "" || st.Settings["reconciled_through"] == "" {
		t.Errorf("settings after reconciliation: %v", st.Settings)
	}
}

// counter reads one store's value of a counter from reg.
func counter(t *testing.T, reg *prometheus.Registry, name, store string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if mf.GetName() == name && l.GetName() == "store" && l.GetValue() == store {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

func TestHealthReactivatesDisabledWebhooksAndWarnsOnce(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	var warned []string
	h := &woo.Health{Stores: b.stores, DeliveryURL: b.hub.URL + woo.Path, Metrics: woo.NewMetrics(nil),
		OnSilent: func(_ context.Context, store, reason string) { warned = append(warned, store+": "+reason) }}
	st, _ := b.stores.Settings(ctx, b.storeKey)

	// Nothing subscribed yet: the store cannot be delivering.
	if rep, err := h.Check(ctx, st); err != nil || len(rep.Missing) != len(wc.Topics) {
		t.Fatalf("check %+v %v", rep, err)
	}
	st, _ = b.stores.Settings(ctx, b.storeKey)
	if _, err := h.Check(ctx, st); err != nil {
		t.Fatal(err)
	}
	if len(warned) != 1 {
		t.Fatalf("warned %d times, want once per incident: %v", len(warned), warned)
	}

	// Subscribed, then seven failed deliveries: WooCommerce disables it.
	b.subscribe(t)
	b.shop.DropDeliveries(true)
	for range 7 {
		b.shop.SetOrderStatus(1234, "processing")
	}
	var updated wootestWebhook
	for _, w := range b.shop.Webhooks() {
		if w.Topic == "order.updated" {
			updated = wootestWebhook{w.ID, w.Status}
		}
	}
	if updated.status != "disabled" {
		t.Fatalf("order.updated webhook is %q after 7 failures, want disabled", updated.status)
	}
	b.shop.DropDeliveries(false)
	st, _ = b.stores.Settings(ctx, b.storeKey)
	rep, err := h.Check(ctx, st)
	if err != nil || len(rep.Reactivated) != 1 || rep.Reactivated[0] != "order.updated" {
		t.Fatalf("check %+v %v", rep, err)
	}
	for _, w := range b.shop.Webhooks() {
		if w.Status != "active" {
			t.Errorf("webhook %d (%s) is %s", w.ID, w.Topic, w.Status)
		}
	}
	st, _ = b.stores.Settings(ctx, b.storeKey)
	if st.Settings["silent_since"] != "" {
		t.Errorf("store still marked silent once its webhooks are active: %v", st.Settings)
	}
}

type wootestWebhook struct {
	id     int64
	status string
}

// Two buyers who give the same phone (a household) stay two customers: the
// second buyer's failed payment is their ticket, not the first buyer's.
func TestBuyersSharingAPhoneStayTwoCustomers(t *testing.T) {
	b := setup(t)
	b.startWorker(t)
	b.subscribe(t)
	b.shop.SetOrderStatus(1234, "completed") // Maya, +44 20 7946 0321
	waitFor(t, "Maya's order", func() bool { return len(b.deliveries(t)) == 1 })
	b.shop.ChangeOrder(1251, func(o map[string]any) {
		o["status"] = "failed"
		o["billing"].(map[string]any)["phone"] = "+44 20 7946 0321"
	})
	waitFor(t, "the failed payment's ticket", func() bool { return len(b.tickets(t)) == 1 })
	tk := b.tickets(t)[0]
	if tk.Subject != "Payment failed for order #1251" || tk.Customer.Email != "tom.okafor@example.org" || tk.Customer.Name != "Tom Okafor" {
		t.Errorf("ticket %q is under %+v, want Tom", tk.Subject, tk.Customer)
	}
}
