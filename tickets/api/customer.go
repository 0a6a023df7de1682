package api

import (
	"net/http"

	"hub/tickets"
)

// CustomerDetail is a customer with what each connected store knows of
// them; the ticket JSON's customer carries the same.
type CustomerDetail = Customer

// CustomerJSON renders c.
func CustomerJSON(c tickets.Customer) CustomerDetail { return customerJSON(c) }

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) error {
	email, err := text("email", r.URL.Query().Get("email"))
	if err != nil {
		return err
	}
	if email == "" {
		return tickets.Invalid("email", "email is required: GET /customers?email=...")
	}
	c, list, err := s.store.CustomerByEmail(r.Context(), email)
	if err != nil {
		return err
	}
	return s.reply(w, r, http.StatusOK, struct {
		Customer CustomerDetail `json:"customer"`
		Tickets  []Ticket       `json:"tickets"`
	}{CustomerJSON(c), s.ticketsJSON(list)})
}
