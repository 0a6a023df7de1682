package shopify

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"hub/connectors/shopify"
	"hub/tickets"
	"hub/webhooks"
)

// Intake records a verified delivery. *webhooks.Pipeline implements it.
type Intake interface {
	Accept(ctx context.Context, d *tickets.Delivery) (duplicate bool, err error)
}

// Rejections counts requests refused before they were recorded.
type Rejections = webhooks.Rejections

// Receiver serves POST /webhooks/shopify for every connected shop.
type Receiver struct {
	intake  Intake
	shops   *Shops
	metrics Rejections
	log     *slog.Logger
}

// NewReceiver returns the receiver. metrics and log may be nil.
func NewReceiver(intake Intake, shops *Shops, metrics Rejections, log *slog.Logger) *Receiver {
	if metrics == nil {
		metrics = webhooks.NewMetrics(nil)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Receiver{intake: intake, shops: shops, metrics: metrics, log: log}
}

// headersKept are the delivery headers stored with the body: the decoder
// needs the topic and trigger time, and the ids explain a delivery later.
var headersKept = []string{
	"X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id", "X-Shopify-Event-Id",
	"X-Shopify-Triggered-At", "X-Shopify-API-Version", "X-Shopify-Sub-Topic",
}

// ServeHTTP verifies and records one delivery. Nothing beyond that happens
// here: Shopify allows 5 seconds. Every refusal is a bare status with a
// log line and a metric; none says which check failed beyond its class.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const src = tickets.SourceShopify
	body, err := webhooks.ReadBody(w, r, webhooks.MaxShopBody)
	if err != nil {
		if errors.Is(err, webhooks.ErrTooLarge) {
			rc.refuse(w, r, http.StatusRequestEntityTooLarge, "too_large")
		} else {
			rc.refuse(w, r, http.StatusBadRequest, "unreadable")
		}
		return
	}
	topic := strings.TrimSpace(r.Header.Get("X-Shopify-Topic"))
	shop := r.Header.Get("X-Shopify-Shop-Domain")
	macs := r.Header.Values("X-Shopify-Hmac-Sha256")
	if len(macs) == 0 || macs[0] == "" {
		rc.refuse(w, r, http.StatusUnauthorized, "unsigned")
		return
	}
	if len(macs) != 1 {
		// Two signatures: which one would the sender stand by? Neither.
		rc.refuse(w, r, http.StatusUnauthorized, "bad_signature")
		return
	}
	mac := macs[0]
	// The shop header only picks which secrets to try, and is whitelisted
	// before even that.
	if !shopify.ValidShop(shop) {
		rc.refuse(w, r, http.StatusUnauthorized, "bad_shop")
		return
	}
	conn, found, err := rc.shops.Lookup(r.Context(), shop)
	if err != nil {
		rc.log.Error("shopify webhook: shop lookup failed", "shop", shop, "err", err)
		w.Header().Set("Retry-After", "5")
		webhooks.WriteError(w, http.StatusServiceUnavailable, "unavailable", "could not check the shop; retry later")
		return
	}
	var secrets []string
	switch {
	case found && (conn.Active || isCompliance(topic) || topic == "app/uninstalled"):
		secrets = rc.shops.WebhookSecrets(conn)
	case isCompliance(topic):
		// shop/redact comes 48 hours after an uninstall, possibly after the
		// shop's data (connection included) is gone; the app's own secret
		// still proves it is Shopify's.
		secrets = rc.shops.AppSecrets()
	default:
		rc.refuse(w, r, http.StatusUnauthorized, "unknown_shop")
		return
	}
	if len(secrets) == 0 {
		rc.log.Warn("shopify webhook: no secret to verify with (set SHOPIFY_API_SECRET)", "shop", shop)
		rc.refuse(w, r, http.StatusUnauthorized, "no_secret")
		return
	}
	if !shopify.VerifyWebhook(body, mac, secrets...) {
		rc.refuse(w, r, http.StatusUnauthorized, "bad_signature")
		return
	}
	webhookID := strings.TrimSpace(r.Header.Get("X-Shopify-Webhook-Id"))
	if topic == "" || webhookID == "" || len(webhookID) > 200 || len(topic) > 100 {
		rc.refuse(w, r, http.StatusBadRequest, "no_topic_or_id")
		return
	}
	// A signed body that is not a JSON object is still Shopify's: it is
	// recorded, the worker marks it failed with the reason, and it can be
	// replayed; refusing it would only make Shopify retry it for hours.
	d := &tickets.Delivery{
		Source:  src,
		Tenant:  shop,
		Topic:   topic,
		Key:     shop + ":" + webhookID,
		Headers: map[string]string{},
		Body:    body,
	}
	// Shopify's docs name both ids as the dedupe key; both are kept, each
	// unique in the inbox.
	if ev := strings.TrimSpace(r.Header.Get("X-Shopify-Event-Id")); ev != "" && len(ev) <= 200 {
		d.AltKey = shop + ":" + topic + ":" + ev
	}
	for _, h := range headersKept {
		if v := r.Header.Get(h); v != "" {
			d.Headers[h] = v
		}
	}
	dup, ok := webhooks.Record(w, r, rc.intake, d, rc.log)
	if !ok {
		return
	}
	webhooks.WriteJSON(w, http.StatusOK, map[string]any{"delivery_id": d.ID, "duplicate": dup})
}

func (rc *Receiver) refuse(w http.ResponseWriter, r *http.Request, status int, reason string) {
	rc.metrics.Rejected(tickets.SourceShopify, reason)
	// The shop header is logged only once it has the shape of a shop name,
	// never the body or the signature.
	shop := r.Header.Get("X-Shopify-Shop-Domain")
	if !shopify.ValidShop(shop) {
		shop = "(invalid)"
	}
	rc.log.Info("shopify webhook refused", "status", status, "reason", reason, "shop", shop,
		"topic", cutHeader(r.Header.Get("X-Shopify-Topic")))
	code := map[int]string{401: "unauthorized", 400: "invalid", 413: "too_large"}[status]
	webhooks.WriteError(w, status, code, http.StatusText(status))
}

func cutHeader(s string) string {
	if len(s) > 60 {
		return s[:60]
	}
	return s
}
