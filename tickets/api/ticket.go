package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"hub/tickets"
)

// maxRef caps idempotency keys and external ids.
const maxRef = 255

type createTicketBody struct {
	Subject     string        `json:"subject"`
	Description string        `json:"description"`
	Customer    *customerBody `json:"customer"`
	Priority    string        `json:"priority"`
	Tags        []string      `json:"tags"`
	OrderNumber idString      `json:"order_number"`
	Store       string        `json:"store"`
	ExternalID  string        `json:"external_id"`
	Assignee    string        `json:"assignee"`
	Team        string        `json:"team"`
}

type customerBody struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// createTicket opens a ticket, idempotently by Idempotency-Key (which wins)
// or external_id: a replay answers 200 with the ticket the first call made.
func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) error {
	var b createTicketBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	in := tickets.NewTicket{
		Subject:     strings.TrimSpace(b.Subject),
		Description: strings.TrimSpace(b.Description),
		Tags:        b.Tags,
		Assignee:    strings.TrimSpace(b.Assignee),
		Team:        strings.TrimSpace(b.Team),
		Source:      tickets.SourceAPI,
		ExternalRef: strings.TrimSpace(b.ExternalID),
		OrderNumber: strings.TrimSpace(string(b.OrderNumber)),
		Store:       strings.TrimSpace(b.Store),
	}
	// Webhooks get a long subject cut (they cannot be asked for a shorter
	// one); an API caller can, and would not expect the cut.
	if n := utf8.RuneCountInString(strings.Join(strings.Fields(in.Subject), " ")); n > tickets.MaxSubjectRunes {
		return tickets.Invalid("subject", "subject is %d characters; the limit is %d", n, tickets.MaxSubjectRunes)
	}
	p, err := tickets.ParsePriority(b.Priority)
	if err != nil {
		return err
	}
	in.Priority = p
	if b.Customer != nil {
		in.Customer = tickets.CustomerInput{
			Email: strings.TrimSpace(b.Customer.Email),
			Name:  strings.TrimSpace(b.Customer.Name),
			Phone: strings.TrimSpace(b.Customer.Phone),
		}
	}
	key, err := text("Idempotency-Key", r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	if key != "" {
		in.ExternalRef = key
		// A replay must be the same request: the key with another body
		// is a caller's bug, answered 409 rather than with the first ticket.
		in.RequestHash = requestHash(b)
	}
	if len(in.ExternalRef) > maxRef {
		return tickets.Invalid("external_id", "Idempotency-Key and external_id must be at most %d bytes", maxRef)
	}
	t, created, err := s.store.CreateTicket(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return s.reply(w, r, status, s.ticketJSON(t, s.now()))
}

type ticketList struct {
	Tickets    []Ticket `json:"tickets"`
	NextCursor *string  `json:"next_cursor"`
}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) error {
	f, err := ticketFilter(r)
	if err != nil {
		return err
	}
	list, next, err := s.store.ListTickets(r.Context(), f)
	if err != nil {
		return err
	}
	return s.reply(w, r, http.StatusOK, ticketList{Tickets: s.ticketsJSON(list), NextCursor: optString(next)})
}

// ticketFilter reads GET /tickets's query.
func ticketFilter(r *http.Request) (tickets.Filter, error) {
	q := r.URL.Query()
	var f tickets.Filter
	var err error
	for _, p := range []struct {
		name string
		dst  *string
	}{
		{"tag", &f.Tag}, {"assignee", &f.Assignee}, {"email", &f.Email},
		{"order", &f.Order}, {"q", &f.Query}, {"cursor", &f.Cursor},
	} {
		if *p.dst, err = text(p.name, q.Get(p.name)); err != nil {
			return f, err
		}
	}
	if v := q.Get("status"); v != "" {
		if f.Status, err = tickets.ParseStatus(v); err != nil {
			return f, err
		}
	}
	if v := q.Get("priority"); v != "" {
		if f.Priority, err = tickets.ParsePriority(v); err != nil {
			return f, err
		}
	}
	f.Limit, err = limit(q.Get("limit"))
	return f, err
}

// Listing sizes: the default and the largest page.
const (
	defaultLimit = 25
	maxLimit     = 100
)

// limit reads a page size. One outside 1..maxLimit is refused rather than
// clamped: a caller asking for 1000 and silently getting 100 would take the
// short page for the whole list.
func limit(v string) (int, error) {
	if v == "" {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > maxLimit {
		return 0, tickets.Invalid("limit", "limit must be an integer from 1 to %d (got %q)", maxLimit, v)
	}
	return n, nil
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) error {
	ref := chi.URLParam(r, "id")
	t, err := s.store.GetTicket(r.Context(), ref)
	if err != nil {
		return err
	}
	return s.reply(w, r, http.StatusOK, s.ticketJSON(t, s.now()))
}

// patchTicketBody changes a ticket; absent fields are unchanged, and so are
// null ones except the assignee: "assignee": null (or "") unassigns. An
// empty tags list clears the tags.
type patchTicketBody struct {
	Status   *string   `json:"status"`
	Priority *string   `json:"priority"`
	Assignee nullable  `json:"assignee"`
	Tags     *[]string `json:"tags"`
	Team     *string   `json:"team"`
}

func (s *Server) patchTicket(w http.ResponseWriter, r *http.Request) error {
	ref := chi.URLParam(r, "id")
	var b patchTicketBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	var p tickets.Patch
	if b.Status != nil {
		st, err := tickets.ParseStatus(*b.Status)
		if err != nil {
			return err
		}
		p.Status = &st
	}
	if b.Priority != nil {
		// ParsePriority reads "" as medium, which suits creation, not a
		// change.
		if strings.TrimSpace(*b.Priority) == "" {
			return tickets.Invalid("priority", "priority must be one of urgent, high, medium, low (got \"\")")
		}
		pr, err := tickets.ParsePriority(*b.Priority)
		if err != nil {
			return err
		}
		p.Priority = &pr
	}
	if b.Assignee.Set {
		a := strings.TrimSpace(b.Assignee.Value) // null is ""
		p.Assignee = &a
	}
	if b.Team != nil {
		t := strings.TrimSpace(*b.Team)
		p.Team = &t
	}
	p.Tags = b.Tags

	var (
		t   tickets.Ticket
		err error
	)
	if p == (tickets.Patch{}) {
		// Nothing to change: answer with the ticket, write no event.
		t, err = s.store.GetTicket(r.Context(), ref)
	} else {
		t, err = s.store.UpdateTicket(r.Context(), actor(r), ref, p)
	}
	if err != nil {
		return err
	}
	return s.reply(w, r, http.StatusOK, s.ticketJSON(t, s.now()))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// requestHash fingerprints a create request as decoded, so that whitespace
// and key order do not make two sends of one request differ.
func requestHash(b createTicketBody) string {
	raw, err := json.Marshal(b)
	if err != nil {
		// A decoded body always encodes; fall back to no check.
		return ""
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}
