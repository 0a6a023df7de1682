package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/hibiken/asynq"

	"hub/connectors/shopify"
	"hub/tickets"
)

// TypeFraudCheck is the task that asks the Admin API for a new order's
// fraud risk (REST webhooks carry none) and opens the fraud ticket when it
// is high. It follows orders/create and orders/paid through the outbox, so
// that recording the order never waits on the API: while Shopify is down
// the task is retried, and it catches up when the API is back.
const TypeFraudCheck = "shopify:fraud-check"

type fraudPayload struct {
	Shop    string `json:"shop"`
	OrderID string `json:"order_id"`
}

// fraudFollowup asks for the order's fraud check; pending checks of one
// order coalesce.
func fraudFollowup(shop, orderID string) tickets.Followup {
	b, _ := json.Marshal(fraudPayload{Shop: shop, OrderID: orderID})
	return tickets.Followup{Type: TypeFraudCheck, Payload: b, Unique: shop + "/" + orderID}
}

// Applier applies domain commands. *postgres.Store implements it.
type Applier interface {
	Apply(ctx context.Context, actor tickets.Actor, cmds ...tickets.Command) error
}

// FraudCheck runs TypeFraudCheck tasks.
type FraudCheck struct {
	shops *Shops
	store Applier
	log   *slog.Logger
}

// NewFraudCheck returns the task's handler; log may be nil.
func NewFraudCheck(shops *Shops, store Applier, log *slog.Logger) *FraudCheck {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &FraudCheck{shops: shops, store: store, log: log}
}

var fraudActor = tickets.Actor{Kind: tickets.ActorSystem, ID: "shopify-fraud-check", Name: "Shopify fraud check"}

// ProcessTask implements asynq.Handler. A shop the hub cannot call (token
// revoked, scope missing, order gone) has no say; an outage or a throttle
// is returned, so the task runs again.
func (f *FraudCheck) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p fraudPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || !shopify.ValidShop(p.Shop) || p.OrderID == "" {
		return fmt.Errorf("shopify: fraud check: bad payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	c, err := f.shops.Client(ctx, p.Shop)
	if err != nil {
		f.log.Info("shopify: no fraud check: the shop cannot be called", "shop", p.Shop, "order_id", p.OrderID, "err", err)
		return nil
	}
	o, err := c.Order(ctx, p.OrderID)
	switch {
	case shopify.IsNotFound(err), shopify.IsUnauthorized(err):
		f.log.Info("shopify: no fraud risk for order", "shop", p.Shop, "order_id", p.OrderID, "err", err)
		return nil
	case shopify.IsQueryCost(err):
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	case err != nil:
		return err
	}
	open := opening(map[string]bool{OpenFraud: true}, p.Shop, o)
	if open == nil {
		return nil // not high, or cancelled already
	}
	// The order as a bare link: its snapshot stays what its webhooks said
	// (a look-up older than the stored version must not replace it).
	ch := tickets.OrderChanged{
		Order:    tickets.OrderRef{Store: StoreKey(p.Shop), OrderID: o.ID, OrderNumber: o.Number},
		Customer: buyer(p.Shop, o),
		Open:     open,
	}
	if err := f.store.Apply(ctx, fraudActor, ch); err != nil {
		return fmt.Errorf("shopify: fraud check of order %s: %w", o.ID, err)
	}
	return nil
}
