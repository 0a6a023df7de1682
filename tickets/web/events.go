package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"hub/tickets"
)

// events streams new tickets to the list page (server-sent events): each
// as an event "ticket" whose data is the row's HTML, rendered like the
// list renders it. The stream asks the store every PollEvery for tickets
// newer than the newest it has sent: any hub process may have created them,
// so there is nothing in-process to wait on.
func (s *Server) events(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	rc := http.NewResponseController(w)
	// The server's write timeout is for short requests; a stream lives on.
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 5000\n\n")
	if err := rc.Flush(); err != nil {
		return nil
	}
	// The page says how new its newest ticket is, so a ticket created
	// between rendering the page and opening the stream is not missed.
	since, err := time.Parse(time.RFC3339Nano, r.URL.Query().Get("since"))
	if err != nil {
		since = s.now()
	}
	seen := map[string]bool{}
	tick := time.NewTicker(s.cfg.PollEvery)
	defer tick.Stop()
	keepalive := time.NewTicker(25 * time.Second)
	defer keepalive.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-keepalive.C:
			fmt.Fprint(w, ": keepalive\n\n")
			if rc.Flush() != nil {
				return nil
			}
		case <-tick.C:
			list, _, err := s.store.ListTickets(ctx, tickets.Filter{Limit: 20, Rows: true})
			if err != nil {
				continue // the next tick tries again
			}
			now := s.now()
			for i := len(list) - 1; i >= 0; i-- {
				t := list[i]
				if !t.CreatedAt.After(since) || seen[t.ID] {
					continue
				}
				seen[t.ID] = true
				fmt.Fprintf(w, "event: ticket\nid: %s\ndata: %s\n\n", t.Ref(), strings.ReplaceAll(string(s.row(t, now).HTML()), "\n", "\ndata: "))
			}
			// Only tickets newer than the newest of this poll can be news next
			// time; seen guards against one arriving with an older timestamp.
			if len(list) > 0 && list[0].CreatedAt.After(since) {
				since = list[0].CreatedAt
			}
			if len(seen) > 1000 {
				clear(seen)
			}
			if rc.Flush() != nil {
				return nil
			}
		}
	}
}
