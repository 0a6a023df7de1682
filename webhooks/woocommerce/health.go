package woocommerce

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	wc "hub/connectors/woocommerce"
)

// TypeHealth is the periodic webhook health check of every store.
const TypeHealth = "woocommerce:health"

// NewHealthTask is the periodic health check task.
func NewHealthTask() *asynq.Task { return asynq.NewTask(TypeHealth, nil) }

// Health reads each store's webhooks, re-activates the ones WooCommerce
// disabled after failed deliveries (it never does so itself), and warns —
// once per incident, in the log, the metrics and through OnSilent — when a
// store is not delivering.
type Health struct {
	Stores *Stores
	// DeliveryURL is the hub's webhook address (HUB_PUBLIC_URL + Path);
	// empty matches any webhook whose address ends in Path.
	DeliveryURL string
	Metrics     *Metrics
	// OnSilent, if set, is told when a store is found not delivering (the
	// Slack alert hooks in here).
	OnSilent func(ctx context.Context, store, reason string)
	Now      func() time.Time
	Log      *slog.Logger
}

// Register adds the health check handler to mux.
func (h *Health) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TypeHealth, func(ctx context.Context, _ *asynq.Task) error {
		stores, err := h.Stores.All(ctx)
		if err != nil {
			return fmt.Errorf("woocommerce: health: list stores: %w", err)
		}
		for _, st := range stores {
			if _, err := h.Check(ctx, st); err != nil {
				h.log().Warn("woocommerce health check failed", "store", st.Key, "err", err)
			}
		}
		return nil
	})
}

// Report is what a health check found.
type Report struct {
	Reactivated []string // topics whose webhook was disabled and is active again
	Paused      []string // topics the store owner paused
	Missing     []string // topics with no webhook to the hub
}

// Check checks one store's webhooks and repairs what it can.
func (h *Health) Check(ctx context.Context, st Store) (Report, error) {
	var rep Report
	hooks, err := st.Client.ListWebhooks(ctx)
	if err != nil {
		return rep, err
	}
	for _, topic := range wc.Topics {
		var mine []wc.Webhook
		for _, w := range hooks {
			if w.Topic == topic && h.ours(w.DeliveryURL) {
				mine = append(mine, w)
			}
		}
		if len(mine) == 0 {
			rep.Missing = append(rep.Missing, topic)
			continue
		}
		active := false
		for _, w := range mine {
			switch w.Status {
			case "active":
				active = true
			case "disabled":
				if _, err := st.Client.UpdateWebhook(ctx, int64(w.ID), wc.Webhook{Status: "active"}); err != nil {
					return rep, fmt.Errorf("woocommerce: health: re-activate webhook %d: %w", w.ID, err)
				}
				h.Metrics.reactivated.WithLabelValues(st.Key).Inc()
				rep.Reactivated = append(rep.Reactivated, topic)
				active = true
			}
		}
		if !active {
			rep.Paused = append(rep.Paused, topic)
		}
	}
	if len(rep.Reactivated) > 0 {
		h.log().Warn("woocommerce disabled webhooks after failed deliveries; re-activated them (reconciliation catches what was missed)",
			"store", st.Key, "topics", strings.Join(rep.Reactivated, ","))
	}
	switch {
	case len(rep.Missing) > 0:
		h.silent(ctx, st, "no webhook to the hub for "+strings.Join(rep.Missing, ", ")+"; run hub connect woocommerce again")
	case len(rep.Paused) > 0:
		h.silent(ctx, st, "webhooks paused in the store for "+strings.Join(rep.Paused, ", "))
	default:
		h.healthy(ctx, st)
	}
	return rep, nil
}

func (h *Health) ours(url string) bool {
	if h.DeliveryURL != "" {
		return strings.TrimRight(url, "/") == strings.TrimRight(h.DeliveryURL, "/")
	}
	return strings.HasSuffix(strings.TrimRight(url, "/"), Path)
}

// silent records that st is not delivering; the first time (per incident)
// it warns.
func (h *Health) silent(ctx context.Context, st Store, reason string) {
	h.Metrics.delivering.WithLabelValues(st.Key).Set(0)
	if st.Settings[settingSilentSince] != "" {
		return
	}
	h.log().Warn("woocommerce store is not delivering webhooks", "store", st.Key, "reason", reason)
	if h.OnSilent != nil {
		h.OnSilent(ctx, st.Key, reason)
	}
	err := h.Stores.SaveSettings(ctx, st.Key, map[string]string{
		settingSilentSince: h.now().UTC().Format(time.RFC3339), settingSilentReason: reason,
	})
	if err != nil {
		h.log().Warn("woocommerce: save store health", "store", st.Key, "err", err)
	}
}

func (h *Health) healthy(ctx context.Context, st Store) {
	h.Metrics.delivering.WithLabelValues(st.Key).Set(1)
	if st.Settings[settingSilentSince] == "" {
		return
	}
	h.log().Info("woocommerce store's webhooks are all active again", "store", st.Key)
	if err := h.Stores.SaveSettings(ctx, st.Key, map[string]string{settingSilentSince: "", settingSilentReason: ""}); err != nil {
		h.log().Warn("woocommerce: save store health", "store", st.Key, "err", err)
	}
}

func (h *Health) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Health) log() *slog.Logger {
	if h.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Log
}
