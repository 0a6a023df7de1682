package woocommerce

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	wc "hub/connectors/woocommerce"
	"hub/tickets"
	"hub/webhooks"
)

// Path is where stores deliver webhooks.
const Path = "/webhooks/woocommerce"

// StoreFinder finds a connected store by its normalised key (*Stores).
type StoreFinder interface {
	Get(ctx context.Context, key string) (Store, error)
}

// Receiver serves POST /webhooks/woocommerce for every connected store.
type Receiver struct {
	Pipeline webhooks.Accepter
	Stores   StoreFinder
	Metrics  webhooks.Rejections
	Log      *slog.Logger
}

// supported reports whether the hub acts on a topic; others are
// acknowledged and dropped (a store owner may point any webhook at the hub).
func supported(topic string) bool {
	for _, t := range wc.Topics {
		if t == topic {
			return true
		}
	}
	return false
}

// ServeHTTP verifies, records and acknowledges one delivery. It never
// answers with a redirect: WooCommerce counts 3xx as delivered.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const src = tickets.SourceWooCommerce
	body, err := webhooks.ReadBody(w, r, webhooks.MaxShopBody)
	if err != nil {
		if errors.Is(err, webhooks.ErrTooLarge) {
			rc.reject(w, http.StatusRequestEntityTooLarge, "too_large", "request body is too large")
		} else {
			rc.reject(w, http.StatusBadRequest, "unreadable", "could not read the request body")
		}
		return
	}
	sigs := r.Header.Values(wc.HeaderSignature)
	if len(sigs) == 0 {
		if wc.IsPing(body) {
			// The ping sent when a webhook is created: exactly 200, nothing
			// recorded, since nothing about it can be trusted.
			webhooks.WriteJSON(w, http.StatusOK, map[string]bool{"ok": true})
			return
		}
		rc.reject(w, http.StatusUnauthorized, "unsigned", "a valid X-WC-Webhook-Signature is required")
		return
	}
	st, ok := rc.verify(w, r, body, sigs)
	if !ok {
		return
	}
	topic := strings.ToLower(strings.TrimSpace(r.Header.Get(wc.HeaderTopic)))
	if !supported(topic) {
		rc.log().Info("woocommerce topic not handled", "store", st.Key, "topic", topic)
		webhooks.WriteJSON(w, http.StatusOK, map[string]string{"ignored": "topic not handled"})
		return
	}
	resource, event, _ := strings.Cut(topic, ".")
	deliveryID := firstHeader(r, wc.HeaderDeliveryID, wc.HeaderDeliveryIDDocs)
	var key string
	if id, err := wc.ParseIdentity(body, resource); err == nil {
		key = BusinessKey(st.Key, resource, int64(id.ID), id.Modified.Time, event, deliveryID, body)
	} else {
		// Signed by the store but not a usable payload (a REST error object
		// after the webhook's user lost access, say). WooCommerce never
		// retries and disables webhooks that fail, so it is recorded: the
		// worker marks it failed with the reason, visible and replayable,
		// and reconciliation fetches the real state.
		rc.log().Warn("malformed woocommerce payload recorded as failed", "store", st.Key, "topic", topic, "err", err)
		sum := sha256.Sum256(body)
		key = st.Key + "|" + resource + "|malformed:" + hex.EncodeToString(sum[:16])
	}
	d := &tickets.Delivery{
		Source: src,
		Tenant: st.Key,
		Topic:  topic,
		Key:    key,
		Headers: map[string]string{
			wc.HeaderTopic:      topic,
			wc.HeaderSource:     r.Header.Get(wc.HeaderSource),
			wc.HeaderWebhookID:  r.Header.Get(wc.HeaderWebhookID),
			wc.HeaderDeliveryID: deliveryID,
		},
		Body: body,
	}
	// On a 503 WooCommerce will not retry: reconciliation picks it up.
	dup, ok := webhooks.Record(w, r, rc.Pipeline, d, rc.log())
	if !ok {
		return
	}
	webhooks.WriteJSON(w, http.StatusAccepted, map[string]any{"delivery_id": d.ID, "duplicate": dup})
}

// verify picks the store by X-WC-Webhook-Source and checks the signature
// with that store's secret only. Every failure is a bare 401.
func (rc *Receiver) verify(w http.ResponseWriter, r *http.Request, body []byte, sigs []string) (Store, bool) {
	if len(sigs) != 1 || len(r.Header.Values(wc.HeaderSource)) != 1 {
		rc.reject(w, http.StatusUnauthorized, "bad_signature", "a valid X-WC-Webhook-Signature is required")
		return Store{}, false
	}
	key, err := wc.NormaliseStoreURL(r.Header.Get(wc.HeaderSource))
	if err != nil {
		rc.reject(w, http.StatusUnauthorized, "unknown_store", "a valid X-WC-Webhook-Signature is required")
		return Store{}, false
	}
	st, err := rc.Stores.Get(r.Context(), key)
	switch {
	case tickets.ErrorCode(err) == tickets.ENOTFOUND:
		rc.reject(w, http.StatusUnauthorized, "unknown_store", "a valid X-WC-Webhook-Signature is required")
		return st, false
	case err != nil:
		rc.log().Error("woocommerce: look up store", "store", key, "err", err)
		w.Header().Set("Retry-After", "5")
		webhooks.WriteError(w, http.StatusServiceUnavailable, "unavailable", "could not check the signature; retry later")
		return st, false
	}
	if !wc.Verify(st.WebhookSecret, body, sigs[0]) {
		rc.reject(w, http.StatusUnauthorized, "bad_signature", "a valid X-WC-Webhook-Signature is required")
		return st, false
	}
	return st, true
}

func (rc *Receiver) reject(w http.ResponseWriter, status int, reason, msg string) {
	if rc.Metrics != nil {
		rc.Metrics.Rejected(tickets.SourceWooCommerce, reason)
	}
	code := map[int]string{http.StatusUnauthorized: "unauthorized", http.StatusRequestEntityTooLarge: "too_large"}[status]
	if code == "" {
		code = "invalid"
	}
	webhooks.WriteError(w, status, code, msg)
}

func (rc *Receiver) log() *slog.Logger {
	if rc.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return rc.Log
}

func firstHeader(r *http.Request, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(r.Header.Get(n)); v != "" {
			return v
		}
	}
	return ""
}

// BusinessKey is a delivery's dedupe key: one per version of a resource, so
// the same version delivered twice, delivered as order.created and
// order.updated, or found again by reconciliation is recorded once.
// WooCommerce's delivery id cannot serve: one second's deliveries share it.
// A deletion has no version; it is keyed by its delivery id (or body).
func BusinessKey(store, resource string, id int64, modified time.Time, event, deliveryID string, body []byte) string {
	base := store + "|" + resource + "|" + itoa(id) + "|"
	switch {
	case event == "deleted" && deliveryID != "":
		return base + "deleted:" + deliveryID
	case event == "deleted" || modified.IsZero():
		sum := sha256.Sum256(body)
		return base + event + ":" + deliveryID + ":" + hex.EncodeToString(sum[:8])
	}
	return base + modified.UTC().Format(time.RFC3339)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
