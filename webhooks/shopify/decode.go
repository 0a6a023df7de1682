package shopify

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"hub/connectors/shopify"
	"hub/enrich"
	"hub/tickets"
	"hub/webhooks"
)

// Opening reasons: the order events that open a ticket by themselves
// (SHOPIFY_OPEN_TICKETS). All are on by default.
const (
	OpenCancelled = "cancelled" // the customer cancelled the order
	OpenRefund    = "refund"    // a refund was issued
	OpenFraud     = "fraud"     // Shopify rates the order a high fraud risk
)

// ParseOpenTickets reads SHOPIFY_OPEN_TICKETS: "" means all reasons,
// "none" none, else a comma-separated list of cancelled, refund, fraud.
func ParseOpenTickets(s string) (map[string]bool, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	out := map[string]bool{}
	switch s {
	case "":
		return map[string]bool{OpenCancelled: true, OpenRefund: true, OpenFraud: true}, nil
	case "none":
		return out, nil
	}
	for _, r := range strings.Split(s, ",") {
		switch r = strings.TrimSpace(r); r {
		case OpenCancelled, OpenRefund, OpenFraud:
			out[r] = true
		case "":
		default:
			return nil, fmt.Errorf("unknown reason %q (want cancelled, refund, fraud or none)", r)
		}
	}
	return out, nil
}

// Profiles tells the decoder which version of a customer's profile the hub
// has, to drop stale customers/update deliveries. *postgres.Store
// implements it.
type Profiles interface {
	StoreCustomerUpdatedAt(ctx context.Context, store, customerID string) (time.Time, error)
}

// Decoder turns Shopify deliveries into ticket commands.
type Decoder struct {
	shops    *Shops
	profiles Profiles
	open     map[string]bool
	log      *slog.Logger
}

// NewDecoder returns the decoder; open are the reasons that open tickets
// (see ParseOpenTickets). profiles and log may be nil.
func NewDecoder(shops *Shops, profiles Profiles, open map[string]bool, log *slog.Logger) *Decoder {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Decoder{shops: shops, profiles: profiles, open: open, log: log}
}

// Decode implements webhooks.Decoder.
func (dc *Decoder) Decode(ctx context.Context, d tickets.Delivery) (webhooks.Decoded, error) {
	shop := d.Tenant
	store := StoreKey(shop)
	switch d.Topic {
	case "orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled":
		o, err := shopify.ParseOrder(shop, d.Body)
		if err != nil {
			return webhooks.Decoded{}, webhooks.Permanent(err)
		}
		return dc.order(ctx, d, o)
	case "refunds/create":
		return dc.refund(ctx, d)
	case "customers/create", "customers/update":
		return dc.customer(ctx, d)
	case "customers/redact":
		c, err := shopify.ParseCompliance(d.Body)
		if err != nil {
			return webhooks.Decoded{}, webhooks.Permanent(err)
		}
		return decoded(tickets.RedactCustomer{Store: store, StoreCustomerID: c.CustomerID, Email: c.Email, Phone: c.Phone, OrderIDs: c.OrderIDs}), nil
	case "shop/redact":
		return decoded(tickets.EraseStore{Store: store}), nil
	case "customers/data_request":
		return dc.dataRequest(d)
	case "app/uninstalled":
		// The one topic that changes no ticket: the connection is marked
		// inactive, unless the shop was reinstalled after the event fired.
		// No API call: the token is likely revoked already.
		at := triggeredAt(d)
		done, err := dc.shops.Uninstall(ctx, shop, at)
		if err != nil {
			return webhooks.Decoded{}, err
		}
		dc.log.Info("shopify app uninstalled", "shop", shop, "triggered_at", at, "deactivated", done)
		return webhooks.Decoded{}, nil
	}
	return webhooks.Decoded{Ignore: "topic " + d.Topic + " is not used by the hub"}, nil
}

func decoded(cmds ...tickets.Command) webhooks.Decoded { return webhooks.Decoded{Commands: cmds} }

// triggeredAt is when Shopify says the event fired (retries carry the
// original), else when the hub received it.
func triggeredAt(d tickets.Delivery) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, d.Headers["X-Shopify-Triggered-At"]); err == nil {
		return t
	}
	return d.ReceivedAt
}

// order decodes an order topic into an OrderChanged: the snapshot for
// every ticket linked to the order, a timeline line for the topics that
// say something happened, and a ticket of its own when a rule asks.
func (dc *Decoder) order(ctx context.Context, d tickets.Delivery, o shopify.Order) (webhooks.Decoded, error) {
	ch := tickets.OrderChanged{
		Order:    enrich.ShopifyOrderRef(d.Tenant, o),
		Customer: buyer(d.Tenant, o),
		Timeline: timeline(d.Topic, o),
	}
	if dc.open[OpenFraud] && (d.Topic == "orders/create" || d.Topic == "orders/paid") && o.CancelledAt == nil {
		// REST payloads carry no risk assessment; GraphQL has it. It is
		// asked in a task of its own, so that the order is recorded (and a
		// cancellation's ticket opened) whether or not the API answers.
		ch.Followups = append(ch.Followups, fraudFollowup(d.Tenant, o.ID))
	}
	ch.Open = opening(dc.open, d.Tenant, o)
	return decoded(ch), nil
}

// opening is the ticket an order opens by itself, if a rule asks; its
// ExternalRef is stable per order and reason, so repeats open nothing.
func opening(open map[string]bool, shop string, o shopify.Order) *tickets.NewTicket {
	var reason, subject, desc string
	var pr tickets.Priority = tickets.PriorityMedium
	switch {
	case open[OpenFraud] && o.FraudRisk == "high" && o.CancelledAt == nil:
		reason, pr = OpenFraud, tickets.PriorityHigh
		subject = fmt.Sprintf("Order #%s flagged as high fraud risk", o.Number)
		desc = fmt.Sprintf("Shopify rates order #%s (%s %s) a high fraud risk. Review it before fulfilling: %s", o.Number, o.Total, o.Currency, o.AdminURL)
	case open[OpenCancelled] && o.CancelledAt != nil && o.CancelReason == "customer":
		reason = OpenCancelled
		subject = fmt.Sprintf("Order #%s cancelled by the customer", o.Number)
		desc = fmt.Sprintf("The customer cancelled order #%s (%s %s). %s", o.Number, o.Total, o.Currency, o.AdminURL)
	case open[OpenRefund] && len(o.Refunds) > 0:
		reason = OpenRefund
		r := o.Refunds[len(o.Refunds)-1]
		subject = fmt.Sprintf("Refund of %s %s on order #%s", r.Amount, r.Currency, o.Number)
		desc = fmt.Sprintf("A refund of %s %s was issued on order #%s. %s %s", r.Amount, r.Currency, o.Number, r.Reason, o.AdminURL)
	default:
		return nil
	}
	return &tickets.NewTicket{
		Subject: subject, Description: strings.TrimSpace(desc), Priority: pr,
		Tags: []string{"shopify", reason}, Source: tickets.SourceShopify,
		ExternalRef: StoreKey(shop) + "/orders/" + o.ID + "/" + reason,
		Customer:    buyer(shop, o), Store: StoreKey(shop),
	}
}

// refund decodes refunds/create. Its body is the refund alone, so the
// order is fetched for its number, buyer and version. The snapshot itself
// is left to orders/updated (which Shopify sends for the same change) and
// to look-ups: only the link facts and the version are sent, so the line
// "Refund of …" is written once per order version. A shop the hub cannot
// call still gets the line, and the refund ticket when that rule is on.
func (dc *Decoder) refund(ctx context.Context, d tickets.Delivery) (webhooks.Decoded, error) {
	rf, err := shopify.ParseRefund(d.Body)
	if err != nil {
		return webhooks.Decoded{}, webhooks.Permanent(err)
	}
	if rf.Zero() {
		// A restock, or a line taken off: nothing was paid back, so there is
		// nothing to tell the customer or open a ticket about.
		return webhooks.Decoded{Ignore: "the refund moved no money"}, nil
	}
	o := shopify.Order{ID: rf.OrderID, AdminURL: shopify.AdminOrderURL(d.Tenant, rf.OrderID)}
	if c, err := dc.shops.Client(ctx, d.Tenant); err == nil {
		full, err := c.Order(ctx, rf.OrderID)
		switch {
		case err == nil:
			o = full
		case shopify.IsNotFound(err), shopify.IsUnauthorized(err):
			dc.log.Info("shopify: refund's order not readable", "shop", d.Tenant, "order_id", rf.OrderID, "err", err)
		case shopify.IsQueryCost(err):
			return webhooks.Decoded{}, webhooks.Permanent(err) // refused again on every retry
		default:
			return webhooks.Decoded{}, err
		}
	}
	if rf.Currency == "" {
		rf.Currency = o.Currency
	}
	if !hasRefund(o.Refunds, rf) {
		o.Refunds = append(o.Refunds, rf)
	}
	ref := tickets.OrderRef{Store: StoreKey(d.Tenant), OrderID: o.ID, SourceUpdatedAt: o.UpdatedAt}
	if !o.UpdatedAt.IsZero() {
		ref.OrderNumber, ref.FinancialStatus, ref.FulfillmentStatus = o.Number, o.FinancialStatus, o.FulfillmentStatus
		ref.Total, ref.Currency, ref.CustomerEmail = o.Total, o.Currency, o.Email
	}
	label := "#" + o.Number
	if o.Number == "" {
		label = "id " + o.ID // the order could not be read: its id is all there is
		o.Number = o.ID
	}
	ch := tickets.OrderChanged{
		Order:    ref,
		Customer: buyer(d.Tenant, o),
		Timeline: fmt.Sprintf("Refund of %s %s on order %s", rf.Amount, rf.Currency, label),
		Open:     opening(dc.open, d.Tenant, o),
	}
	return decoded(ch), nil
}

func hasRefund(list []shopify.Refund, r shopify.Refund) bool {
	for _, x := range list {
		if (r.ID != "" && x.ID == r.ID) || (x.Amount == r.Amount && x.CreatedAt.Equal(r.CreatedAt)) {
			return true
		}
	}
	return false
}

// customer decodes customers/create and customers/update into the shop's
// profile of the customer; an update older than the profile the hub has is
// stale and changes nothing.
func (dc *Decoder) customer(ctx context.Context, d tickets.Delivery) (webhooks.Decoded, error) {
	c, err := shopify.ParseCustomer(d.Tenant, d.Body)
	if err != nil {
		return webhooks.Decoded{}, webhooks.Permanent(err)
	}
	p := enrich.ShopifyProfile(d.Tenant, c)
	if dc.profiles != nil && !p.UpdatedAt.IsZero() {
		have, err := dc.profiles.StoreCustomerUpdatedAt(ctx, p.Store, p.CustomerID)
		if err != nil {
			return webhooks.Decoded{}, err
		}
		if have.After(p.UpdatedAt) {
			return webhooks.Decoded{Ignore: "stale: a newer profile of this customer is stored"}, nil
		}
	}
	return decoded(tickets.CustomerChanged{Profile: p}), nil
}

// dataRequest records a customers/data_request. The hub has no merchant
// screen to show the data on, so the request is logged for an operator
// (without the customer's email, which stays in the stored delivery):
// they look the customer up with GET /api/v1/customers?email= and the
// delivery with GET /api/v1/deliveries, and send the merchant the result.
func (dc *Decoder) dataRequest(d tickets.Delivery) (webhooks.Decoded, error) {
	c, err := shopify.ParseCompliance(d.Body)
	if err != nil {
		return webhooks.Decoded{}, webhooks.Permanent(err)
	}
	dc.log.Warn("shopify customer data request: an operator must send the merchant this customer's data",
		"shop", d.Tenant, "delivery_id", d.ID, "data_request_id", c.DataRequestID, "customer_id", c.CustomerID,
		"orders", len(c.OrderIDs), "how", "GET /api/v1/deliveries shows the request; GET /api/v1/customers?email= the customer's tickets")
	return webhooks.Decoded{}, nil
}

// buyer is the customer an order names.
func buyer(shop string, o shopify.Order) tickets.CustomerInput {
	in := tickets.CustomerInput{Email: o.Email, Phone: o.Phone}
	if c := o.Customer; c != nil {
		in.Name, in.Store, in.StoreCustomerID = c.Name(), StoreKey(shop), c.ID
		if in.Phone == "" {
			in.Phone = c.Phone
		}
	}
	return in
}

// timeline is the line a topic adds to linked tickets. orders/updated
// fires for nearly every change (tags, notes, merges) and adds none; the
// specific topics say what happened.
func timeline(topic string, o shopify.Order) string {
	money := strings.TrimSpace(o.Total + " " + o.Currency)
	switch topic {
	case "orders/create":
		n := 0
		for _, li := range o.LineItems {
			n += li.Quantity
		}
		return fmt.Sprintf("Order #%s placed — %d item%s, %s", o.Number, n, plural(n), money)
	case "orders/paid":
		return fmt.Sprintf("Order #%s paid — %s", o.Number, money)
	case "orders/fulfilled":
		line := fmt.Sprintf("Order #%s fulfilled", o.Number)
		for _, t := range o.Tracking {
			line += " — " + strings.TrimSpace(t.Company+" "+t.Number)
		}
		return line
	case "orders/cancelled":
		line := fmt.Sprintf("Order #%s cancelled", o.Number)
		if o.CancelReason != "" {
			line += " (" + o.CancelReason + ")"
		}
		return line
	}
	return ""
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
