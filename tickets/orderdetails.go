package tickets

import "time"

// OrderDetails is the snapshot of an order that every store's connector
// writes into OrderRef.Details as JSON, so that the Slack card, the API and
// Zapier show orders the same way whichever store they came from.
type OrderDetails struct {
	Number            string     `json:"number"`
	CreatedAt         time.Time  `json:"created_at"`
	FinancialStatus   string     `json:"financial_status"`
	FulfillmentStatus string     `json:"fulfillment_status"`
	Total             string     `json:"total"`
	Currency          string     `json:"currency"`
	LineItems         []LineItem `json:"line_items"`
	ShippingCity      string     `json:"shipping_city,omitempty"`
	ShippingCountry   string     `json:"shipping_country,omitempty"`
	Tracking          []Tracking `json:"tracking,omitempty"`
	CancelledAt       *time.Time `json:"cancelled_at,omitempty"`
	CancelReason      string     `json:"cancel_reason,omitempty"`
	Refunds           []Refund   `json:"refunds,omitempty"`
	AdminURL          string     `json:"admin_url,omitempty"`
	// FraudRisk is "high", "medium", "low" or "" when the store does not say.
	FraudRisk string `json:"fraud_risk,omitempty"`
}

// LineItem is one line of an order.
type LineItem struct {
	Title    string `json:"title"`
	SKU      string `json:"sku,omitempty"`
	Quantity int    `json:"quantity"`
	Price    string `json:"price"`
}

// Tracking is one shipment's tracking.
type Tracking struct {
	Company string `json:"company,omitempty"`
	Number  string `json:"number"`
	URL     string `json:"url,omitempty"`
}

// Refund is one refund on an order.
type Refund struct {
	Amount    string    `json:"amount"`
	Currency  string    `json:"currency"`
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}
