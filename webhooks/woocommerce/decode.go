package woocommerce

import (
	"context"
	"fmt"
	"strings"

	wc "hub/connectors/woocommerce"
	"hub/enrich"
	"hub/tickets"
	"hub/webhooks"
)

// DefaultOpenOn are the order statuses that open a ticket by themselves:
// the customer paid and something went wrong, or did not manage to pay.
var DefaultOpenOn = []string{wc.StatusFailed, wc.StatusCancelled, wc.StatusRefunded}

// Decoder turns a recorded WooCommerce delivery (a webhook, or a version
// found by reconciliation) into domain commands.
type Decoder struct {
	Stores interface {
		Get(ctx context.Context, key string) (Store, error)
	}
	// OpenOn are the statuses whose orders open a ticket (DefaultOpenOn if nil).
	OpenOn []string
}

// Decode implements webhooks.Decoder.
func (dec *Decoder) Decode(ctx context.Context, d tickets.Delivery) (webhooks.Decoded, error) {
	st, err := dec.Stores.Get(ctx, d.Tenant)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return webhooks.Decoded{Ignore: "store " + d.Tenant + " is no longer connected"}, nil
	}
	if err != nil {
		return webhooks.Decoded{}, err
	}
	resource, event, _ := strings.Cut(d.Topic, ".")
	switch resource {
	case "order":
		return dec.order(ctx, st, d, event)
	case "customer":
		return dec.customer(ctx, st, d, event)
	}
	return webhooks.Decoded{Ignore: "topic " + d.Topic + " is not handled"}, nil
}

func (dec *Decoder) order(ctx context.Context, st Store, d tickets.Delivery, event string) (webhooks.Decoded, error) {
	if event == "deleted" {
		id, err := wc.ParseIdentity(d.Body, "order")
		if err != nil {
			return webhooks.Decoded{}, webhooks.Permanent(err)
		}
		return webhooks.Decoded{Commands: []tickets.Command{deleted(st, int64(id.ID), d)}}, nil
	}
	o, err := wc.ParseOrder(d.Body)
	if err != nil {
		return webhooks.Decoded{}, webhooks.Permanent(err)
	}
	if len(o.LineItems) == 0 {
		// Some payloads come without their lines (subscriptions, orders
		// saved before their items): the order itself is the truth.
		fresh, err := st.Client.GetOrder(ctx, int64(o.ID))
		switch {
		case wc.IsNotFound(err):
			return webhooks.Decoded{Ignore: fmt.Sprintf("order %d no longer exists in the store", o.ID)}, nil
		case err != nil:
			return webhooks.Decoded{}, err
		}
		if !fresh.DateModifiedGMT.Before(o.DateModifiedGMT.Time) {
			o = fresh
		}
	}
	status := wc.NormaliseStatus(o.Status)
	if wc.IsDraft(status) {
		return webhooks.Decoded{Ignore: fmt.Sprintf("order %d is a draft (%q), not an order yet", o.ID, o.Status)}, nil
	}
	if status == wc.StatusTrash {
		return webhooks.Decoded{Commands: []tickets.Command{deleted(st, int64(o.ID), d)}}, nil
	}
	ref := enrich.WooCommerceOrderRef(st.Key, st.URL, o)
	change := tickets.OrderChanged{Order: ref, Customer: buyer(st, o), Timeline: timeline(o, event)}
	if dec.opens(status) {
		change.Open = openTicket(st, o, ref)
	}
	return webhooks.Decoded{Commands: []tickets.Command{change}}, nil
}

// deleted reports an order deleted (or trashed) in the store. The deletion
// has no version of its own, so it is stamped with when the hub heard of it.
func deleted(st Store, id int64, d tickets.Delivery) tickets.OrderChanged {
	return tickets.OrderChanged{
		Order: tickets.OrderRef{
			Store: st.Key, OrderID: itoa(id), FinancialStatus: "deleted", SourceUpdatedAt: d.ReceivedAt.UTC(),
		},
		Timeline: fmt.Sprintf("Order %d was deleted in the store.", id),
	}
}

func buyer(st Store, o wc.Order) tickets.CustomerInput {
	in := tickets.CustomerInput{Email: o.Billing.Email, Name: o.Billing.Name(), Phone: string(o.Billing.Phone)}
	if o.CustomerID > 0 {
		in.Store, in.StoreCustomerID = st.Key, itoa(int64(o.CustomerID))
	}
	return in
}

func (dec *Decoder) opens(status string) bool {
	open := dec.OpenOn
	if open == nil {
		open = DefaultOpenOn
	}
	for _, s := range open {
		if wc.NormaliseStatus(s) == status {
			return true
		}
	}
	return false
}

// timeline is the entry linked tickets get for this version of the order.
func timeline(o wc.Order, event string) string {
	n := o.DisplayNumber()
	money := strings.TrimSpace(string(o.Total) + " " + o.Currency)
	switch {
	case event == "created":
		return fmt.Sprintf("Order #%s placed: %s, %s.", n, money, statusText(o))
	case event == "restored":
		return fmt.Sprintf("Order #%s was restored in the store: %s.", n, statusText(o))
	}
	return fmt.Sprintf("Order #%s %s.", n, statusText(o))
}

func statusText(o wc.Order) string {
	switch wc.NormaliseStatus(o.Status) {
	case wc.StatusPending:
		return "is awaiting payment"
	case wc.StatusOnHold:
		return "is on hold (awaiting payment confirmation)"
	case wc.StatusProcessing:
		if o.RefundedTotal().Sign() > 0 {
			return "is being processed; " + wc.Money(o.RefundedTotal()) + " " + o.Currency + " refunded"
		}
		return "is paid and being processed"
	case wc.StatusCompleted:
		if s := o.Shipments(); len(s) > 0 {
			return "is completed — " + strings.TrimSpace(s[0].Provider+" "+s[0].Number)
		}
		return "is completed"
	case wc.StatusCancelled:
		return "was cancelled"
	case wc.StatusRefunded:
		return "was refunded"
	case wc.StatusFailed:
		return "failed: the payment did not go through"
	}
	return "is now " + o.Status
}

// openTicket is the ticket an order opens by itself. Its ExternalRef names
// the order version, so a replay opens nothing new while a later failure of
// the same order (once the first ticket is closed) does.
func openTicket(st Store, o wc.Order, ref tickets.OrderRef) *tickets.NewTicket {
	n := o.DisplayNumber()
	status := wc.NormaliseStatus(o.Status)
	subject, tag, prio := fmt.Sprintf("Order #%s is %s", n, status), status, tickets.PriorityMedium
	switch status {
	case wc.StatusFailed:
		subject, tag, prio = fmt.Sprintf("Payment failed for order #%s", n), "payment-failed", tickets.PriorityHigh
	case wc.StatusCancelled:
		subject = fmt.Sprintf("Order #%s was cancelled", n)
	case wc.StatusRefunded:
		subject = fmt.Sprintf("Order #%s was refunded", n)
	}
	money := strings.TrimSpace(string(o.Total) + " " + o.Currency)
	if o.PaymentMethodTitle != "" {
		money += ", " + o.PaymentMethodTitle
	}
	desc := fmt.Sprintf("WooCommerce order #%s at %s (%s) %s.", n, strings.TrimPrefix(st.Key, KeyPrefix), money, statusText(o))
	if note := strings.TrimSpace(o.CustomerNote); note != "" {
		desc += "\nCustomer's note on the order: " + note
	}
	return &tickets.NewTicket{
		Subject:     subject,
		Description: desc,
		Priority:    prio,
		Tags:        []string{"woocommerce", tag},
		Source:      tickets.SourceWooCommerce,
		ExternalRef: "order:" + ref.Key() + ":" + status + "@" + ref.SourceUpdatedAt.UTC().Format("2006-01-02T15:04:05Z"),
		Store:       st.Key,
	}
}

func (dec *Decoder) customer(ctx context.Context, st Store, d tickets.Delivery, event string) (webhooks.Decoded, error) {
	if event == "deleted" {
		return webhooks.Decoded{Ignore: "customer account deleted in the store; the hub keeps their tickets"}, nil
	}
	c, err := wc.ParseCustomer(d.Body)
	if err != nil {
		return webhooks.Decoded{}, webhooks.Permanent(err)
	}
	// The webhook has no order history; the profile the hub keeps has, so
	// it is read here rather than zeroed.
	page, err := st.Client.ListOrders(ctx, wc.OrderQuery{Customer: int64(c.ID), PerPage: 100, OrderBy: "date", Order: "asc"})
	switch {
	case wc.IsNotFound(err):
		page.Total = -1 // not listed: the counts are unknown
	case err != nil:
		return webhooks.Decoded{}, err
	}
	p := enrich.WooCommerceProfile(st.Key, st.URL, c, page.Orders, page.Total)
	return webhooks.Decoded{Commands: []tickets.Command{tickets.CustomerChanged{Profile: p}}}, nil
}
