package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"hub/tickets"
	"hub/tickets/api"
)

// Body caps per source (PROTOCOLS.md §5): large orders for the shops, less
// for chat and API calls.
const (
	MaxShopBody   = 8 << 20
	MaxSlackBody  = 1 << 20
	MaxZapierBody = 2 << 20
)

// RecordTimeout bounds recording and enqueueing one delivery.
const RecordTimeout = 3 * time.Second

// ErrTooLarge is ReadBody's error for a body over the limit (answer 413).
var ErrTooLarge = errors.New("body too large")

// Rejections counts requests a receiver refuses before recording them
// (hub_deliveries_rejected_total). *Metrics implements it; tests record.
type Rejections interface {
	Rejected(src tickets.Source, reason string)
}

// Accepter records a verified delivery durably; *Pipeline is one.
type Accepter interface {
	Accept(ctx context.Context, d *tickets.Delivery) (duplicate bool, err error)
}

// Record is durable intake as every receiver answers it: d is committed to
// the inbox (duplicate reports a repeat), or the sender is answered 503 with
// Retry-After, so that it retries, and ok is false.
func Record(w http.ResponseWriter, r *http.Request, a Accepter, d *tickets.Delivery, log *slog.Logger) (duplicate, ok bool) {
	// A database that hangs must not outlast the sender's patience
	// (Shopify gives up after 5 s and counts a failure): past the budget
	// the sender is told to retry.
	ctx, cancel := context.WithTimeout(r.Context(), RecordTimeout)
	defer cancel()
	dup, err := a.Accept(ctx, d)
	if errors.Is(err, ErrBacklog) {
		WriteError(w, http.StatusServiceUnavailable, "overloaded", "the hub is behind; retry later")
		return false, false
	}
	if err != nil {
		log.Error("delivery not recorded", "source", d.Source, "tenant", d.Tenant, "topic", d.Topic, "err", err)
		WriteError(w, http.StatusServiceUnavailable, "unavailable", "could not record the delivery; retry later")
		return false, false
	}
	return dup, true
}

// ReadBody reads the raw request body, at most limit bytes. Signatures must
// be checked on exactly these bytes, before anything parses them.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, ErrTooLarge
		}
		return nil, err
	}
	return body, nil
}

// WriteError answers with the hub's one error shape. The message must be
// safe to show: never a signature, a secret or a stack trace.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	api.SetRetryAfter(w, status)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": message}})
}

// WriteJSON answers status with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	api.SetRetryAfter(w, status)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readOr answers a body that could not be read and reports false.
func (p *Pipeline) readOr(w http.ResponseWriter, r *http.Request, src tickets.Source, limit int64) ([]byte, bool) {
	body, err := ReadBody(w, r, limit)
	switch {
	case err == nil:
		return body, true
	case errors.Is(err, ErrTooLarge):
		p.opt.Metrics.Rejected(src, "too_large")
		WriteError(w, http.StatusRequestEntityTooLarge, "too_large", "request body is too large")
	default:
		p.opt.Metrics.Rejected(src, "unreadable")
		p.opt.Logger.Info("unreadable webhook body", slog.String("source", string(src)), "err", err)
		WriteError(w, http.StatusBadRequest, "invalid", "could not read the request body")
	}
	return nil, false
}
