package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	wc "hub/connectors/woocommerce"
	"hub/tickets"
	"hub/webhooks"
)

// Task types of reconciliation: the periodic one fans out to one task per
// store, so a slow or failing store holds up no other.
const (
	TypeReconcile      = "woocommerce:reconcile"
	TypeReconcileStore = "woocommerce:reconcile_store"
)

// NewReconcileTask is the periodic task that reconciles every store.
func NewReconcileTask() *asynq.Task { return asynq.NewTask(TypeReconcile, nil) }

type reconcilePayload struct {
	Store string `json:"store"`
}

// NewReconcileStoreTask reconciles one store now.
func NewReconcileStoreTask(store string) *asynq.Task {
	b, _ := json.Marshal(reconcilePayload{Store: store})
	return asynq.NewTask(TypeReconcileStore, b)
}

// Reconciler lists each store's recently modified orders and records every
// version the hub has not seen as a delivery, under the same business key a
// webhook would have had: versions already delivered are duplicates, so
// each change is processed exactly once whichever way it arrived.
type Reconciler struct {
	Stores   *Stores
	Pipeline webhooks.Accepter
	Queue    interface {
		EnqueueContext(ctx context.Context, t *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
	}
	QueueName string
	Every     time.Duration // the period; a first run looks back this far
	Health    *Health       // told what reconciliation found missing
	Metrics   *Metrics
	Now       func() time.Time
	Log       *slog.Logger
}

// overlap re-reads a little before the cursor: an order saved in the same
// second as the last one seen, or committed late, is not skipped. Re-reads
// are duplicates and cost nothing.
const overlap = 2 * time.Minute

// lateAfter is how old a change must be before its absence from the
// webhooks counts as missed (WooCommerce sends through Action Scheduler,
// which can lag by a minute or two).
const lateAfter = 2 * time.Minute

// maxPages bounds one run (10,000 changes); the cursor carries on next time.
const maxPages = 100

// Register adds the reconciliation handlers to mux.
func (rc *Reconciler) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TypeReconcile, rc.handleAll)
	mux.HandleFunc(TypeReconcileStore, rc.handleStore)
}

func (rc *Reconciler) handleAll(ctx context.Context, _ *asynq.Task) error {
	stores, err := rc.Stores.All(ctx)
	if err != nil {
		return fmt.Errorf("woocommerce: reconcile: list stores: %w", err)
	}
	slot := rc.now().Unix() / int64(max(rc.Every/time.Second, 1))
	var errs []error
	for _, st := range stores {
		_, err := rc.Queue.EnqueueContext(ctx, NewReconcileStoreTask(st.Key), asynq.Queue(rc.QueueName),
			asynq.TaskID(fmt.Sprintf("%s:%s:%d", TypeReconcileStore, st.Key, slot)), asynq.MaxRetry(3), asynq.Timeout(10*time.Minute))
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (rc *Reconciler) handleStore(ctx context.Context, t *asynq.Task) error {
	var p reconcilePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.Store == "" {
		return fmt.Errorf("woocommerce: reconcile: bad payload: %w", asynq.SkipRetry)
	}
	_, err := rc.Store(ctx, p.Store)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return fmt.Errorf("woocommerce: reconcile %s: %w: %w", p.Store, err, asynq.SkipRetry)
	}
	return err
}

// Store reconciles one store and returns how many changes it recorded that
// the webhooks had not delivered.
func (rc *Reconciler) Store(ctx context.Context, key string) (recorded int, err error) {
	st, err := rc.Stores.Settings(ctx, key)
	if err != nil {
		return 0, err
	}
	now := rc.now().UTC()
	through, _ := time.Parse(time.RFC3339, st.Settings[settingThrough])
	if through.IsZero() {
		through = now.Add(-rc.Every)
	}
	newest, missed := through, 0
	for page := 1; page <= maxPages; page++ {
		res, err := st.Client.ListOrders(ctx, wc.OrderQuery{
			ModifiedAfter: through.Add(-overlap), OrderBy: "modified", Order: "asc", PerPage: 100, Page: page,
		})
		if err != nil {
			rc.save(ctx, st.Key, newest, now) // keep what was done
			return recorded, fmt.Errorf("woocommerce: reconcile %s: %w", st.Key, err)
		}
		for i, o := range res.Orders {
			if wc.IsDraft(o.Status) || o.DateModifiedGMT.IsZero() {
				continue
			}
			fresh, err := rc.record(ctx, st, o, res.Raw[i])
			if err != nil {
				rc.save(ctx, st.Key, newest, now)
				return recorded, err
			}
			if fresh {
				recorded++
				if now.Sub(o.DateModifiedGMT.Time) > lateAfter {
					missed++
				}
			}
			if o.DateModifiedGMT.After(newest) {
				newest = o.DateModifiedGMT.Time
			}
		}
		if page >= res.TotalPages {
			break
		}
	}
	if err := rc.save(ctx, st.Key, newest, now); err != nil {
		return recorded, err
	}
	if missed > 0 {
		rc.Metrics.missed.WithLabelValues(st.Key).Add(float64(missed))
		if rc.Health != nil {
			rc.Health.silent(ctx, st, fmt.Sprintf("reconciliation found %d order changes its webhooks did not deliver", missed))
		}
	}
	if recorded > 0 {
		rc.log().Info("woocommerce reconciliation recorded changes", "store", st.Key, "recorded", recorded, "missed", missed)
	}
	return recorded, nil
}

// record feeds one order version through the webhook path.
func (rc *Reconciler) record(ctx context.Context, st Store, o wc.Order, raw []byte) (fresh bool, err error) {
	d := &tickets.Delivery{
		Source:  tickets.SourceWooCommerce,
		Tenant:  st.Key,
		Topic:   "order.updated",
		Key:     BusinessKey(st.Key, "order", int64(o.ID), o.DateModifiedGMT.Time, "updated", "", raw),
		Headers: map[string]string{wc.HeaderTopic: "order.updated", "X-Hub-Origin": "reconciliation"},
		Body:    raw,
	}
	dup, err := rc.Pipeline.Accept(ctx, d)
	if err != nil {
		return false, fmt.Errorf("woocommerce: reconcile %s: order %d: %w", st.Key, o.ID, err)
	}
	return !dup, nil
}

func (rc *Reconciler) save(ctx context.Context, key string, through, now time.Time) error {
	err := rc.Stores.SaveSettings(ctx, key, map[string]string{
		settingThrough: through.UTC().Format(time.RFC3339), settingReconciledAt: now.Format(time.RFC3339),
	})
	if err != nil {
		return fmt.Errorf("woocommerce: reconcile %s: save cursor: %w", key, err)
	}
	return nil
}

func (rc *Reconciler) now() time.Time {
	if rc.Now != nil {
		return rc.Now()
	}
	return time.Now()
}

func (rc *Reconciler) log() *slog.Logger {
	if rc.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return rc.Log
}
