package woocommerce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Order is an order as the REST API v3 (and a v3 webhook) shows it: only the
// fields the hub reads.
type Order struct {
	ID                 Int            `json:"id"`
	ParentID           Int            `json:"parent_id"`
	Number             Text           `json:"number"`
	Status             string         `json:"status"`
	Currency           string         `json:"currency"`
	DateCreatedGMT     Time           `json:"date_created_gmt"`
	DateModifiedGMT    Time           `json:"date_modified_gmt"`
	DatePaidGMT        Time           `json:"date_paid_gmt"`
	DateCompletedGMT   Time           `json:"date_completed_gmt"`
	Total              Text           `json:"total"`
	CustomerID         Int            `json:"customer_id"`
	CustomerNote       string         `json:"customer_note"`
	Billing            Address        `json:"billing"`
	Shipping           Address        `json:"shipping"`
	PaymentMethod      string         `json:"payment_method"`
	PaymentMethodTitle string         `json:"payment_method_title"`
	TransactionID      string         `json:"transaction_id"`
	LineItems          []LineItem     `json:"line_items"`
	ShippingLines      []ShippingLine `json:"shipping_lines"`
	Refunds            []RefundLine   `json:"refunds"`
	MetaData           []Meta         `json:"meta_data"`
}

// Address is a billing or shipping address.
type Address struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  Text   `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email"`
	Phone     Text   `json:"phone"`
}

// Name is "First Last", trimmed.
func (a Address) Name() string {
	return strings.TrimSpace(strings.TrimSpace(a.FirstName) + " " + strings.TrimSpace(a.LastName))
}

// LineItem is one product line. Its price is a JSON number in WooCommerce
// while totals are strings; Text keeps either exactly.
type LineItem struct {
	ID        Int    `json:"id"`
	Name      string `json:"name"`
	ProductID Int    `json:"product_id"`
	Quantity  Int    `json:"quantity"`
	SKU       Text   `json:"sku"`
	Price     Text   `json:"price"`
	Total     Text   `json:"total"`
}

// ShippingLine is one shipping method of an order.
type ShippingLine struct {
	MethodTitle string `json:"method_title"`
	Total       Text   `json:"total"`
}

// RefundLine is a refund as listed on an order: its total is negative.
type RefundLine struct {
	ID     Int    `json:"id"`
	Reason string `json:"reason"`
	Total  Text   `json:"total"`
}

// Meta is one meta_data entry; Value is any JSON.
type Meta struct {
	ID    Int             `json:"id"`
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// Customer is a registered customer (a WordPress user with the customer
// role). Guests have no Customer: their orders carry customer_id 0.
type Customer struct {
	ID              Int     `json:"id"`
	Email           string  `json:"email"`
	FirstName       string  `json:"first_name"`
	LastName        string  `json:"last_name"`
	Username        string  `json:"username"`
	Role            string  `json:"role"`
	DateCreatedGMT  Time    `json:"date_created_gmt"`
	DateModifiedGMT Time    `json:"date_modified_gmt"`
	Billing         Address `json:"billing"`
	Shipping        Address `json:"shipping"`
	IsPaying        Bool    `json:"is_paying_customer"`
	// Older API versions and some plugins include these; v3 usually not.
	OrdersCount *Int `json:"orders_count"`
	TotalSpent  Text `json:"total_spent"`
}

// Name is the customer's name, from the profile or else the billing address.
func (c Customer) Name() string {
	if n := strings.TrimSpace(strings.TrimSpace(c.FirstName) + " " + strings.TrimSpace(c.LastName)); n != "" {
		return n
	}
	return c.Billing.Name()
}

// Webhook is a webhook registered on the store.
type Webhook struct {
	ID          Int    `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	Status      string `json:"status,omitempty"` // active, paused, disabled
	Topic       string `json:"topic,omitempty"`
	DeliveryURL string `json:"delivery_url,omitempty"`
	Secret      string `json:"secret,omitempty"`
}

// Note is an order note; a customer note is emailed to the customer.
type Note struct {
	ID             Int    `json:"id"`
	Author         string `json:"author"`
	Note           string `json:"note"`
	CustomerNote   Bool   `json:"customer_note"`
	DateCreatedGMT Time   `json:"date_created_gmt"`
}

// ErrorPayload is a REST error object ({"code","message","data"}) found where
// a resource was expected: a webhook built as a user who has lost the
// permission to read it sends one of these instead of the order.
var ErrorPayload = errors.New("woocommerce: payload is a REST error object, not a resource")

// ParseOrder decodes an order from a webhook body or a REST response. It
// unwraps the legacy {"order": {...}} envelope and refuses REST error
// objects and bodies without an id.
func ParseOrder(body []byte) (Order, error) {
	var o Order
	raw, err := unwrap(body, "order")
	if err != nil {
		return o, err
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return o, fmt.Errorf("woocommerce: order payload: %w", err)
	}
	if o.ID <= 0 {
		return o, fmt.Errorf("woocommerce: order payload has no id")
	}
	return o, nil
}

// ParseCustomer decodes a customer like ParseOrder decodes an order.
func ParseCustomer(body []byte) (Customer, error) {
	var c Customer
	raw, err := unwrap(body, "customer")
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("woocommerce: customer payload: %w", err)
	}
	if c.ID <= 0 {
		return c, fmt.Errorf("woocommerce: customer payload has no id")
	}
	return c, nil
}

// Identity is what every resource payload has: its id and when it was last
// modified. A *.deleted payload is only {"id": N}, so Modified may be zero.
type Identity struct {
	ID       Int  `json:"id"`
	Modified Time `json:"date_modified_gmt"`
}

// ParseIdentity reads the id and modification time of a resource payload
// (legacy envelope named by resource unwrapped).
func ParseIdentity(body []byte, resource string) (Identity, error) {
	var id Identity
	raw, err := unwrap(body, resource)
	if err != nil {
		return id, err
	}
	if err := json.Unmarshal(raw, &id); err != nil {
		return id, fmt.Errorf("woocommerce: %s payload: %w", resource, err)
	}
	if id.ID <= 0 {
		return id, fmt.Errorf("woocommerce: %s payload has no id", resource)
	}
	return id, nil
}

// unwrap returns the resource object of body: the body itself, or the
// object under the legacy v3 envelope key.
func unwrap(body []byte, resource string) (json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, fmt.Errorf("woocommerce: payload is not a JSON object: %w", err)
	}
	if inner, ok := top[resource]; ok && len(top) == 1 && bytes.HasPrefix(bytes.TrimSpace(inner), []byte("{")) {
		return inner, unwrapError(inner)
	}
	return body, unwrapError(body)
}

func unwrapError(raw []byte) error {
	var e struct {
		ID      json.RawMessage `json:"id"`
		Code    *string         `json:"code"`
		Message *string         `json:"message"`
	}
	if json.Unmarshal(raw, &e) == nil && e.ID == nil && e.Code != nil && e.Message != nil {
		return fmt.Errorf("%w (%s)", ErrorPayload, truncate(*e.Code, 80))
	}
	return nil
}
