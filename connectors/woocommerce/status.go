package woocommerce

import (
	"encoding/json"
	"math/big"
	"strings"
)

// Order statuses (without WooCommerce's internal "wc-" prefix).
const (
	StatusPending       = "pending"
	StatusProcessing    = "processing"
	StatusOnHold        = "on-hold"
	StatusCompleted     = "completed"
	StatusCancelled     = "cancelled"
	StatusRefunded      = "refunded"
	StatusFailed        = "failed"
	StatusTrash         = "trash"
	StatusCheckoutDraft = "checkout-draft"
)

// NormaliseStatus trims and lower-cases a status and drops the "wc-" prefix
// that some plugins leak.
func NormaliseStatus(s string) string {
	return strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "wc-")
}

// IsDraft reports whether an order is not a real order yet: the Checkout
// Block's checkout-draft, and the draft states older stores fire
// order.created for (woocommerce#37958).
func IsDraft(status string) bool {
	switch NormaliseStatus(status) {
	case StatusCheckoutDraft, "draft", "auto-draft", "new", "":
		return true
	}
	return false
}

// FinancialStatus says where the money is, in the words the hub uses for
// every store: pending, on_hold, paid, partially_refunded, refunded, voided,
// failed.
func (o Order) FinancialStatus() string {
	switch NormaliseStatus(o.Status) {
	case StatusPending:
		return "pending"
	case StatusOnHold:
		return "on_hold"
	case StatusProcessing, StatusCompleted:
		if o.RefundedTotal().Sign() > 0 {
			return "partially_refunded"
		}
		return "paid"
	case StatusRefunded:
		return "refunded"
	case StatusCancelled:
		return "voided"
	case StatusFailed:
		return "failed"
	}
	return NormaliseStatus(o.Status) // a custom status: show it as it is
}

// FulfillmentStatus says whether the goods went out: fulfilled once the
// order is completed, unfulfilled while it is open; "" when the status does
// not say (refunded, trashed, custom).
func (o Order) FulfillmentStatus() string {
	switch NormaliseStatus(o.Status) {
	case StatusCompleted:
		return "fulfilled"
	case StatusPending, StatusOnHold, StatusProcessing, StatusFailed, StatusCancelled:
		return "unfulfilled"
	}
	return ""
}

// RefundedTotal is the sum of the order's refunds, positive and exact
// (money is never a float).
func (o Order) RefundedTotal() *big.Rat {
	sum := new(big.Rat)
	for _, r := range o.Refunds {
		if d, ok := new(big.Rat).SetString(string(r.Total)); ok {
			sum.Add(sum, d.Abs(d))
		}
	}
	return sum
}

// Money formats an exact amount with two decimals, as WooCommerce does.
func Money(r *big.Rat) string { return r.FloatString(2) }

// Positive returns a refund line's amount without its minus sign.
func (r RefundLine) Positive() string {
	return strings.TrimPrefix(strings.TrimSpace(string(r.Total)), "-")
}

// DisplayNumber is the order number customers see: "number", which
// sequential-numbering plugins change, else the id.
func (o Order) DisplayNumber() string {
	if n := strings.TrimPrefix(strings.TrimSpace(string(o.Number)), "#"); n != "" {
		return n
	}
	return strings.TrimSpace(jsonInt(o.ID))
}

func jsonInt(n Int) string {
	b, _ := json.Marshal(int64(n))
	return string(b)
}

// Shipment is one tracked parcel, as the Shipment Tracking extension keeps
// it in the order's meta data.
type Shipment struct {
	Provider string
	Number   string
	URL      string
}

// Shipments reads the tracking numbers WooCommerce Shipment Tracking (and
// compatible plugins) store under "_wc_shipment_tracking_items".
func (o Order) Shipments() []Shipment {
	var out []Shipment
	for _, m := range o.MetaData {
		if m.Key != "_wc_shipment_tracking_items" {
			continue
		}
		var items []struct {
			Provider       Text `json:"tracking_provider"`
			CustomProvider Text `json:"custom_tracking_provider"`
			Number         Text `json:"tracking_number"`
			Link           Text `json:"custom_tracking_link"`
		}
		if json.Unmarshal(m.Value, &items) != nil {
			continue
		}
		for _, it := range items {
			if it.Number == "" {
				continue
			}
			p := string(it.Provider)
			if p == "" {
				p = string(it.CustomProvider)
			}
			out = append(out, Shipment{Provider: p, Number: string(it.Number), URL: string(it.Link)})
		}
	}
	return out
}
