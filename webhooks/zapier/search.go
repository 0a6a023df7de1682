package zapier

import (
	"net/http"
	"strings"

	"hub/tickets"
	"hub/tickets/api"
)

// maxSearch caps what a search returns: Zapier uses the first result.
const maxSearch = 10

// searchTickets is Find Ticket: by number (T-1042 or 1042), customer email
// or order number, newest first; the criteria given must all match. It
// answers an array, [] when nothing matches, and never a whole table: at
// least one criterion is required.
func (s *Service) searchTickets(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	number := strings.TrimSpace(q.Get("number"))
	f := tickets.Filter{
		Email: strings.TrimSpace(q.Get("email")),
		Order: strings.TrimSpace(q.Get("order_number")),
		Limit: maxSearch,
	}
	if number == "" && f.Email == "" && f.Order == "" {
		return tickets.Invalid("number", "give a ticket number, a customer email or an order number to search by")
	}
	var found []tickets.Ticket
	if number != "" {
		if _, ok := tickets.ParseNumber(number); !ok {
			return tickets.Invalid("number", "number must be a ticket number such as T-1042 or 1042 (got %q)", number)
		}
		t, err := s.cfg.Store.GetTicket(r.Context(), number)
		switch {
		case tickets.ErrorCode(err) == tickets.ENOTFOUND:
		case err != nil:
			return err
		case matches(t, f):
			found = append(found, t)
		}
	} else {
		list, _, err := s.cfg.Store.ListTickets(r.Context(), f)
		if err != nil {
			return err
		}
		found = list
	}
	now := s.cfg.Now()
	out := make([]api.Ticket, 0, len(found))
	for _, t := range found {
		out = append(out, api.TicketJSON(t, s.cfg.Policy.State(t, now)))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// matches applies the email and order criteria to a ticket found by number.
func matches(t tickets.Ticket, f tickets.Filter) bool {
	if f.Email != "" && tickets.NormaliseEmail(f.Email) != t.Customer.Email {
		return false
	}
	if f.Order == "" {
		return true
	}
	want := strings.TrimLeft(f.Order, "#")
	for _, o := range t.Orders {
		if strings.TrimLeft(o.OrderNumber, "#") == want || strings.TrimLeft(o.OrderID, "#") == want {
			return true
		}
	}
	return false
}

// searchCustomers is Find Customer: by email, an array of at most one.
func (s *Service) searchCustomers(w http.ResponseWriter, r *http.Request) error {
	email := strings.TrimSpace(r.URL.Query().Get("email"))
	if email == "" {
		return tickets.Invalid("email", "email is required: GET /api/v1/search/customers?email=...")
	}
	c, list, err := s.cfg.Store.CustomerByEmail(r.Context(), email)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		writeJSON(w, http.StatusOK, []any{})
		return nil
	}
	if err != nil {
		return err
	}
	type customer struct {
		api.CustomerDetail
		TicketCount int          `json:"ticket_count"`
		Tickets     []api.Ticket `json:"tickets"`
	}
	now := s.cfg.Now()
	out := customer{CustomerDetail: api.CustomerJSON(c), TicketCount: len(list), Tickets: make([]api.Ticket, 0, maxSearch)}
	for i, t := range list {
		if i == maxSearch {
			break
		}
		out.Tickets = append(out.Tickets, api.TicketJSON(t, s.cfg.Policy.State(t, now)))
	}
	writeJSON(w, http.StatusOK, []customer{out})
	return nil
}
