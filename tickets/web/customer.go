package web

import (
	"net/http"
	"strings"

	"hub/tickets"
)

type customerView struct {
	C       tickets.Customer
	Tickets []ticketRow
	Orders  []orderView
	// Spent is the total of the orders the hub has seen, per currency
	// (stores' own lifetime totals are in C.Stores).
	Spent []money
}

func (v customerView) PageTitle() string {
	if v.C.Name != "" {
		return v.C.Name
	}
	return v.C.Email
}

type money struct {
	Currency string
	Amount   string
}

// customerPage is one customer across every store and channel: their
// profile in each store, their orders and their tickets.
func (s *Server) customerPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	email := strings.TrimSpace(r.URL.Query().Get("email"))
	c, list, err := s.store.CustomerByEmail(ctx, email)
	if err != nil {
		return err
	}
	v := customerView{C: c}
	now := s.now()
	for _, t := range list {
		v.Tickets = append(v.Tickets, s.row(t, now))
	}
	orders, err := s.store.CustomerOrders(ctx, c.ID, c.Email)
	if err != nil {
		return err
	}
	for _, o := range orders {
		v.Orders = append(v.Orders, orderViewOf(o))
	}
	v.Spent = totals(orders)
	return s.render(w, r, "customer", v)
}

// totals adds up order totals per currency in cents, exactly (totals are
// decimal text; a total that does not parse is left out).
func totals(orders []tickets.OrderRef) []money {
	cents := map[string]int64{}
	var order []string
	for _, o := range orders {
		c, ok := parseCents(o.Total)
		if !ok || strings.HasPrefix(o.FinancialStatus, "refunded") || o.FinancialStatus == "voided" {
			continue
		}
		if _, seen := cents[o.Currency]; !seen {
			order = append(order, o.Currency)
		}
		cents[o.Currency] += c
	}
	var out []money
	for _, cur := range order {
		out = append(out, money{Currency: cur, Amount: formatCents(cents[cur])})
	}
	return out
}

func parseCents(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	var n int64
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int64(r-'0')
	}
	return n, true
}

func formatCents(c int64) string {
	s := make([]byte, 0, 16)
	s = append(s, []byte(itoa(c/100))...)
	s = append(s, '.')
	if c%100 < 10 {
		s = append(s, '0')
	}
	s = append(s, []byte(itoa(c%100))...)
	return string(s)
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
