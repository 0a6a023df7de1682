package shopifytest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Purchase describes an order of a new customer, for stories that need one
// beyond the recorded ones (the demo, benchmarks).
type Purchase struct {
	OrderID    int64 // e.g. 5843223900001
	Number     int   // 1005
	CustomerID int64
	Email      string
	FirstName  string
	LastName   string
	Item       string
	Quantity   int
	Price      string // unit price, e.g. "17.50"
	Currency   string
	PlacedAt   time.Time
	Carrier    string // used once fulfilled
	Tracking   string
	Risk       string // Shopify's risk level: LOW (default), MEDIUM, HIGH
}

// Hooks are the webhook bodies of a purchase, as the shop would send them.
type Hooks struct {
	Create    []byte // orders/create, paid and unfulfilled
	Fulfilled []byte // orders/fulfilled, a day later
}

// AddPurchase adds the purchase to the shop (its customer with one order,
// and the order as the API shows it once fulfilled) and returns the
// webhook bodies that tell its story.
func (s *Server) AddPurchase(domain string, p Purchase) Hooks {
	p = p.norm()
	total := multiply(p.Price, p.Quantity)
	created := p.PlacedAt.UTC()
	fulfilled := created.Add(24 * time.Hour)
	ts := func(t time.Time) string { return t.Format(time.RFC3339) }
	trackURL := p.trackingURL()
	customer := map[string]any{
		"id": gid("Customer", p.CustomerID), "firstName": p.FirstName, "lastName": p.LastName,
		"defaultEmailAddress": map[string]any{"emailAddress": p.Email}, "defaultPhoneNumber": nil,
	}
	money := func(a string) map[string]any {
		return map[string]any{"shopMoney": map[string]any{"amount": a, "currencyCode": p.Currency}}
	}
	node := map[string]any{
		"id": gid("Order", p.OrderID), "name": "#" + strconv.Itoa(p.Number), "email": p.Email, "phone": nil,
		"createdAt": ts(created), "updatedAt": ts(fulfilled), "cancelledAt": nil, "cancelReason": nil,
		"displayFinancialStatus": "PAID", "displayFulfillmentStatus": "FULFILLED", "totalPriceSet": money(total),
		"lineItems":       map[string]any{"nodes": []any{map[string]any{"title": p.Item, "sku": "", "quantity": p.Quantity, "originalUnitPriceSet": money(p.Price)}}},
		"shippingAddress": map[string]any{"city": "Berlin", "country": "Germany"},
		"fulfillments":    []any{map[string]any{"status": "SUCCESS", "trackingInfo": []any{map[string]any{"company": p.Carrier, "number": p.Tracking, "url": trackURL}}}},
		"refunds":         []any{}, "risk": map[string]any{"recommendation": recommendation[p.Risk], "assessments": []any{map[string]any{"riskLevel": p.Risk}}},
		"customer": customer,
	}
	cust := map[string]any{}
	for k, v := range customer {
		cust[k] = v
	}
	cust["numberOfOrders"], cust["amountSpent"] = "1", map[string]any{"amount": total, "currencyCode": p.Currency}
	cust["createdAt"], cust["updatedAt"], cust["tags"], cust["note"] = ts(created.Add(-time.Minute)), ts(fulfilled), []string{}, nil
	cust["orders"] = map[string]any{"nodes": []any{map[string]any{"createdAt": ts(created)}}}
	nb, _ := json.Marshal(node)
	cb, _ := json.Marshal(cust)
	s.mu.Lock()
	sh := s.ensureShop(domain)
	sh.orders = append(sh.orders, nb)
	sh.customers = append(sh.customers, cb)
	s.mu.Unlock()
	return p.Hooks()
}

var recommendation = map[string]string{"LOW": "ACCEPT", "MEDIUM": "INVESTIGATE", "HIGH": "CANCEL"}

func (p Purchase) norm() Purchase {
	if p.Quantity == 0 {
		p.Quantity = 1
	}
	if recommendation[p.Risk] == "" {
		p.Risk = "LOW"
	}
	return p
}

func (p Purchase) trackingURL() string {
	return "https://www.dhl.com/en/express/tracking.html?AWB=" + p.Tracking
}

func gid(kind string, id int64) string { return fmt.Sprintf("gid://shopify/%s/%d", kind, id) }

// Hooks returns the purchase's webhook bodies (without adding it to a shop).
func (p Purchase) Hooks() Hooks {
	p = p.norm()
	total := multiply(p.Price, p.Quantity)
	created := p.PlacedAt.UTC()
	fulfilled := created.Add(24 * time.Hour)
	ts := func(t time.Time) string { return t.Format(time.RFC3339) }
	trackURL := p.trackingURL()
	rest := func(updated time.Time, done bool) []byte {
		o := map[string]any{
			"id": p.OrderID, "admin_graphql_api_id": gid("Order", p.OrderID), "name": "#" + strconv.Itoa(p.Number), "order_number": p.Number,
			"email": p.Email, "contact_email": p.Email, "phone": nil, "created_at": ts(created), "updated_at": ts(updated),
			"cancelled_at": nil, "cancel_reason": nil, "financial_status": "paid", "fulfillment_status": nil, "currency": p.Currency,
			"total_price": total, "line_items": []any{map[string]any{"title": p.Item, "sku": nil, "quantity": p.Quantity, "price": p.Price}},
			"shipping_address": map[string]any{"city": "Berlin", "country": "Germany", "country_code": "DE"},
			"fulfillments":     []any{}, "refunds": []any{},
			"customer": map[string]any{"id": p.CustomerID, "email": p.Email, "first_name": p.FirstName, "last_name": p.LastName, "phone": nil},
		}
		if done {
			o["fulfillment_status"] = "fulfilled"
			o["fulfillments"] = []any{map[string]any{"status": "success", "tracking_company": p.Carrier, "tracking_number": p.Tracking,
				"tracking_numbers": []string{p.Tracking}, "tracking_url": trackURL, "tracking_urls": []string{trackURL}}}
		}
		b, _ := json.Marshal(o)
		return b
	}
	return Hooks{Create: rest(created.Add(time.Second), false), Fulfilled: rest(fulfilled, true)}
}

// multiply returns price × n for a decimal price with two places.
func multiply(price string, n int) string {
	f, err := strconv.ParseFloat(price, 64)
	if err != nil {
		return price
	}
	cents := int64(f*100+0.5) * int64(n)
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}
