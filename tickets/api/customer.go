package api

import (
	"net/http"

	"hub/tickets"
)

// CustomerDetail is a customer with their ids in each connected store.
type CustomerDetail struct {
	Customer
	Stores []StoreCustomer `json:"stores"`
}

// StoreCustomer is a customer's id in one store.
type StoreCustomer struct {
	Store      string `json:"store"`
	CustomerID string `json:"customer_id"`
}

// CustomerJSON renders c.
func CustomerJSON(c tickets.Customer) CustomerDetail {
	out := CustomerDetail{
		Customer: Customer{ID: c.ID, Email: c.Email, Name: c.Name, Phone: c.Phone},
		Stores:   make([]StoreCustomer, 0, len(c.Stores)),
	}
	for _, sc := range c.Stores {
		out.Stores = append(out.Stores, StoreCustomer{Store: sc.Store, CustomerID: sc.CustomerID})
	}
	return out
}

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
