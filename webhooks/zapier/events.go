package zapier

import (
	"net/http"
	"strconv"
	"strings"

	"hub/tickets"
)

// Sample list sizes: Zapier's editor asks for 3; a page is kept small.
const (
	defaultEventLimit = 10
	maxEventLimit     = 50
)

// listEvents is performList: the newest events of one type, newest first,
// in exactly the shape hooks receive (a bare array, as Zapier wants).
func (s *Service) listEvents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	typ := strings.TrimSpace(q.Get("event"))
	if !isEvent(typ) {
		return tickets.Invalid("event", "event must be one of %s (got %q)", strings.Join(Events, ", "), typ)
	}
	kind := strings.TrimSpace(q.Get("message_kind"))
	if kind != "" && (typ != tickets.EventMessageCreated || !validKind(kind)) {
		return tickets.Invalid("message_kind", "message_kind is one of customer, reply, note, system, for ticket.message_created only")
	}
	limit := clampLimit(q.Get("limit"))
	events, err := s.cfg.Store.RecentEvents(r.Context(), typ, kind, limit)
	if err != nil {
		return err
	}
	out := make([]Payload, 0, len(events))
	for _, e := range events {
		p, err := s.Render(r.Context(), e)
		if tickets.ErrorCode(err) == tickets.ENOTFOUND {
			continue // its ticket or message was erased
		}
		if err != nil {
			return err
		}
		out = append(out, p)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// clampLimit reads a page size leniently (Zapier passes whatever it has):
// non-numbers get the default, others are clamped to 1..maxEventLimit.
func clampLimit(v string) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return defaultEventLimit
	}
	return min(max(n, 1), maxEventLimit)
}
