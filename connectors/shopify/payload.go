package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// The webhook payloads are decoded into these minimal structs rather than
// go-shopify's full Order: upstream schema drift (empty-string decimals,
// properties as an object, string ids) must not turn a webhook into a
// failure. flex accepts a string, a number or null for any scalar.
type flex string

func (f *flex) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flex(s)
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		*f = flex(b) // a number's exact digits: ids can exceed float64
	case bytes.Equal(b, []byte("true")), bytes.Equal(b, []byte("false")):
		*f = flex(b)
	default:
		return fmt.Errorf("want a string or a number, got %.20s", b)
	}
	return nil
}

func (f flex) int() int {
	n, _ := strconv.Atoi(string(f))
	return n
}

// intPtr is the number, or nil when the field was absent or null.
func (f flex) intPtr() *int {
	n, err := strconv.Atoi(string(f))
	if err != nil {
		return nil
	}
	return &n
}

func (f flex) time() time.Time {
	t, _ := time.Parse(time.RFC3339, string(f))
	return t.UTC()
}

func (f flex) timePtr() *time.Time {
	if t := f.time(); !t.IsZero() {
		return &t
	}
	return nil
}

type restOrder struct {
	ID                flex `json:"id"`
	Name              flex `json:"name"`
	OrderNumber       flex `json:"order_number"`
	Email             flex `json:"email"`
	ContactEmail      flex `json:"contact_email"`
	Phone             flex `json:"phone"`
	CreatedAt         flex `json:"created_at"`
	UpdatedAt         flex `json:"updated_at"`
	CancelledAt       flex `json:"cancelled_at"`
	CancelReason      flex `json:"cancel_reason"`
	FinancialStatus   flex `json:"financial_status"`
	FulfillmentStatus flex `json:"fulfillment_status"`
	Currency          flex `json:"currency"`
	TotalPrice        flex `json:"total_price"`
	LineItems         []struct {
		Title    flex `json:"title"`
		Name     flex `json:"name"`
		SKU      flex `json:"sku"`
		Quantity flex `json:"quantity"`
		Price    flex `json:"price"`
	} `json:"line_items"`
	ShippingAddress *struct {
		City    flex `json:"city"`
		Country flex `json:"country"`
	} `json:"shipping_address"`
	Fulfillments []struct {
		TrackingCompany flex   `json:"tracking_company"`
		TrackingNumber  flex   `json:"tracking_number"`
		TrackingNumbers []flex `json:"tracking_numbers"`
		TrackingURL     flex   `json:"tracking_url"`
		TrackingURLs    []flex `json:"tracking_urls"`
		Status          flex   `json:"status"`
	} `json:"fulfillments"`
	Refunds  []restRefund `json:"refunds"`
	Customer *struct {
		ID        flex `json:"id"`
		Email     flex `json:"email"`
		Phone     flex `json:"phone"`
		FirstName flex `json:"first_name"`
		LastName  flex `json:"last_name"`
	} `json:"customer"`
}

type restRefund struct {
	ID           flex `json:"id"`
	OrderID      flex `json:"order_id"`
	CreatedAt    flex `json:"created_at"`
	Note         flex `json:"note"`
	Transactions []struct {
		Amount   flex `json:"amount"`
		Currency flex `json:"currency"`
		Kind     flex `json:"kind"`
		Status   flex `json:"status"`
	} `json:"transactions"`
}

// ParseOrder reads an order webhook's body (orders/create, orders/updated,
// orders/paid, orders/cancelled, orders/fulfilled) for the given shop.
func ParseOrder(shop string, body []byte) (Order, error) {
	var r restOrder
	if err := json.Unmarshal(body, &r); err != nil {
		return Order{}, fmt.Errorf("shopify: order payload: %w", err)
	}
	if r.ID == "" {
		return Order{}, fmt.Errorf("shopify: order payload has no id")
	}
	o := Order{
		ID:                NumericID(string(r.ID)),
		Name:              string(r.Name),
		Number:            orderNumber(string(r.Name)),
		Email:             string(r.Email),
		Phone:             string(r.Phone),
		CreatedAt:         r.CreatedAt.time(),
		UpdatedAt:         r.UpdatedAt.time(),
		FinancialStatus:   financialStatus(string(r.FinancialStatus)),
		FulfillmentStatus: fulfillmentStatus(string(r.FulfillmentStatus)),
		Total:             string(r.TotalPrice),
		Currency:          string(r.Currency),
		CancelledAt:       r.CancelledAt.timePtr(),
		CancelReason:      string(r.CancelReason),
		AdminURL:          AdminOrderURL(shop, NumericID(string(r.ID))),
		LineItems:         []LineItem{},
	}
	if o.Number == "" {
		o.Number = string(r.OrderNumber)
	}
	if o.Email == "" {
		o.Email = string(r.ContactEmail)
	}
	for _, li := range r.LineItems {
		title := string(li.Title)
		if title == "" {
			title = string(li.Name)
		}
		o.LineItems = append(o.LineItems, LineItem{Title: title, SKU: string(li.SKU), Quantity: li.Quantity.int(), Price: string(li.Price)})
	}
	if a := r.ShippingAddress; a != nil {
		o.ShippingCity, o.ShippingCountry = string(a.City), string(a.Country)
	}
	for _, f := range r.Fulfillments {
		if !shipped(string(f.Status)) {
			continue
		}
		numbers := f.TrackingNumbers
		if len(numbers) == 0 && f.TrackingNumber != "" {
			numbers = []flex{f.TrackingNumber}
		}
		for i, n := range numbers {
			t := Tracking{Company: string(f.TrackingCompany), Number: string(n)}
			if i < len(f.TrackingURLs) {
				t.URL = string(f.TrackingURLs[i])
			} else if i == 0 {
				t.URL = string(f.TrackingURL)
			}
			o.Tracking = append(o.Tracking, t)
		}
	}
	for _, rf := range r.Refunds {
		if x := rf.refund(o.Currency); !x.Zero() {
			o.Refunds = append(o.Refunds, x)
		}
	}
	if c := r.Customer; c != nil && c.ID != "" {
		o.Customer = &CustomerRef{ID: string(c.ID), Email: string(c.Email), Phone: string(c.Phone),
			FirstName: string(c.FirstName), LastName: string(c.LastName)}
		if o.Email == "" {
			o.Email = o.Customer.Email
		}
	}
	return o, nil
}

// ParseRefund reads a refunds/create body. Amount is the sum of its
// successful refund transactions.
func ParseRefund(body []byte) (Refund, error) {
	var r restRefund
	if err := json.Unmarshal(body, &r); err != nil {
		return Refund{}, fmt.Errorf("shopify: refund payload: %w", err)
	}
	if r.OrderID == "" {
		return Refund{}, fmt.Errorf("shopify: refund payload has no order_id")
	}
	return r.refund(""), nil
}

func (r restRefund) refund(currency string) Refund {
	var cents int64
	var amounts []string
	for _, t := range r.Transactions {
		if t.Kind != "refund" || (t.Status != "" && t.Status != "success") {
			continue
		}
		amounts = append(amounts, string(t.Amount))
		cents += toCents(string(t.Amount))
		if t.Currency != "" {
			currency = string(t.Currency)
		}
	}
	amount := fromCents(cents)
	if len(amounts) == 1 {
		amount = amounts[0] // exactly as Shopify wrote it, whatever its decimals
	}
	return Refund{
		ID: string(r.ID), OrderID: NumericID(string(r.OrderID)),
		Amount: amount, Currency: currency, Reason: string(r.Note), CreatedAt: r.CreatedAt.time(),
	}
}

// toCents reads a decimal amount such as "25.00" or "25.5"; amounts are
// summed exactly, never as floats.
func toCents(s string) int64 {
	whole, frac, _ := bytes.Cut([]byte(s), []byte("."))
	w, err := strconv.ParseInt(string(whole), 10, 64)
	if err != nil {
		return 0
	}
	f := string(frac) + "00"
	c, _ := strconv.ParseInt(f[:2], 10, 64)
	if w < 0 || (len(whole) > 0 && whole[0] == '-') {
		return w*100 - c
	}
	return w*100 + c
}

func fromCents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

type restCustomer struct {
	ID          flex `json:"id"`
	Email       flex `json:"email"`
	Phone       flex `json:"phone"`
	FirstName   flex `json:"first_name"`
	LastName    flex `json:"last_name"`
	OrdersCount flex `json:"orders_count"`
	TotalSpent  flex `json:"total_spent"`
	Currency    flex `json:"currency"`
	Tags        flex `json:"tags"`
	Note        flex `json:"note"`
	CreatedAt   flex `json:"created_at"`
	UpdatedAt   flex `json:"updated_at"`
}

// ParseCustomer reads a customers/create or customers/update body.
func ParseCustomer(shop string, body []byte) (Customer, error) {
	var r restCustomer
	if err := json.Unmarshal(body, &r); err != nil {
		return Customer{}, fmt.Errorf("shopify: customer payload: %w", err)
	}
	if r.ID == "" {
		return Customer{}, fmt.Errorf("shopify: customer payload has no id")
	}
	id := NumericID(string(r.ID))
	return Customer{
		ID: id, FirstName: string(r.FirstName), LastName: string(r.LastName),
		Email: string(r.Email), Phone: string(r.Phone),
		OrdersCount: r.OrdersCount.intPtr(), TotalSpent: string(r.TotalSpent), Currency: string(r.Currency),
		Tags: splitTags(string(r.Tags)), Note: string(r.Note),
		CreatedAt: r.CreatedAt.time(), UpdatedAt: r.UpdatedAt.time(),
		AdminURL: AdminCustomerURL(shop, id),
	}, nil
}

// Compliance is the body of the mandatory compliance topics
// (customers/data_request, customers/redact, shop/redact).
type Compliance struct {
	ShopID        string
	ShopDomain    string
	CustomerID    string
	Email         string
	Phone         string
	OrderIDs      []string // orders_to_redact or orders_requested
	DataRequestID string
}

// ParseCompliance reads a compliance topic's body.
func ParseCompliance(body []byte) (Compliance, error) {
	var r struct {
		ShopID     flex `json:"shop_id"`
		ShopDomain flex `json:"shop_domain"`
		Customer   *struct {
			ID    flex `json:"id"`
			Email flex `json:"email"`
			Phone flex `json:"phone"`
		} `json:"customer"`
		OrdersToRedact  []flex `json:"orders_to_redact"`
		OrdersRequested []flex `json:"orders_requested"`
		DataRequest     *struct {
			ID flex `json:"id"`
		} `json:"data_request"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return Compliance{}, fmt.Errorf("shopify: compliance payload: %w", err)
	}
	c := Compliance{ShopID: string(r.ShopID), ShopDomain: string(r.ShopDomain)}
	if r.Customer != nil {
		c.CustomerID, c.Email, c.Phone = string(r.Customer.ID), string(r.Customer.Email), string(r.Customer.Phone)
	}
	for _, id := range append(r.OrdersToRedact, r.OrdersRequested...) {
		c.OrderIDs = append(c.OrderIDs, string(id))
	}
	if r.DataRequest != nil {
		c.DataRequestID = string(r.DataRequest.ID)
	}
	return c, nil
}
