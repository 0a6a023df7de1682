package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"hub/tickets"
)

// Delivery is a webhook delivery as the API shows it: never its body or
// headers, which may hold customers' data and secrets.
type Delivery struct {
	ID          int64      `json:"id"`
	Source      string     `json:"source"`
	Tenant      string     `json:"tenant"`
	Topic       string     `json:"topic"`
	Key         string     `json:"key"`
	Status      string     `json:"status"`
	Error       string     `json:"error"`
	Attempts    int        `json:"attempts"`
	NextAttempt *time.Time `json:"next_attempt_at"`
	ReceivedAt  time.Time  `json:"received_at"`
	ProcessedAt *time.Time `json:"processed_at"`
}

// DeliveryJSON renders d.
func DeliveryJSON(d tickets.Delivery) Delivery {
	return Delivery{
		ID:          d.ID,
		Source:      string(d.Source),
		Tenant:      d.Tenant,
		Topic:       d.Topic,
		Key:         d.Key,
		Status:      string(d.Status),
		Error:       d.Error,
		Attempts:    d.Attempts,
		NextAttempt: utc(d.RetryAt),
		ReceivedAt:  d.ReceivedAt.UTC(),
		ProcessedAt: utc(d.ProcessedAt),
	}
}

func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var status tickets.DeliveryStatus
	switch v := tickets.DeliveryStatus(strings.ToLower(strings.TrimSpace(q.Get("status")))); v {
	case "", tickets.DeliveryReceived, tickets.DeliveryProcessed, tickets.DeliveryFailed, tickets.DeliveryIgnored:
		status = v
	default:
		return tickets.Invalid("status", "status must be one of received, processed, failed, ignored (got %q)", q.Get("status"))
	}
	n, err := limit(q.Get("limit"))
	if err != nil {
		return err
	}
	list, err := s.store.ListDeliveries(r.Context(), status, n)
	if err != nil {
		return err
	}
	out := struct {
		Deliveries []Delivery `json:"deliveries"`
	}{make([]Delivery, 0, len(list))}
	for _, d := range list {
		out.Deliveries = append(out.Deliveries, DeliveryJSON(d))
	}
	return s.reply(w, r, http.StatusOK, out)
}

// replayDelivery puts a failed or ignored delivery back into the pipeline;
// 202 because the work happens later.
func (s *Server) replayDelivery(w http.ResponseWriter, r *http.Request) error {
	raw := chi.URLParam(r, "id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return tickets.Errorf(tickets.ENOTFOUND, "no delivery %q", truncate(raw, 64))
	}
	if s.replayer == nil {
		return tickets.Errorf(tickets.EUNAVAILABLE, "delivery replay is not available in this process")
	}
	d, err := s.replayer.Replay(r.Context(), id)
	if err != nil {
		return err
	}
	return s.reply(w, r, http.StatusAccepted, DeliveryJSON(d))
}
