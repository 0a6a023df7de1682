package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
	"hub/tickets/rules"
)

// Apply runs commands in one transaction, as ApplyDelivery does for a
// delivery's commands: the enrichment and scheduled work use it.
func (s *Store) Apply(ctx context.Context, actor tickets.Actor, cmds ...tickets.Command) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		for i, cmd := range cmds {
			if err := s.apply(ctx, tx, actor, cmd); err != nil {
				return fmt.Errorf("command %d (%T): %w", i, cmd, err)
			}
		}
		return nil
	})
}

// orderChanged keeps the newest snapshot of an order, tells every ticket
// linked to it, and opens a ticket about it when asked and none is open.
func (s *Store) orderChanged(ctx context.Context, tx pgx.Tx, actor tickets.Actor, c tickets.OrderChanged) error {
	o, err := normaliseOrder(c.Order)
	if err != nil {
		return err
	}
	if o.OrderID == "" {
		return tickets.Invalid("order_id", "an order event needs the order's id")
	}
	for _, f := range c.Followups {
		if err := s.enqueue(ctx, tx, f); err != nil {
			return err
		}
	}
	// Lock the order's row (if any) so two versions of one order apply one
	// after the other, and drop a version older than the stored one.
	var stored *time.Time
	err = tx.QueryRow(ctx, `select source_updated_at from orders where store = $1 and order_id = $2 for update`,
		o.Store, o.OrderID).Scan(&stored)
	if err != nil && !isNoRows(err) {
		return dbError("lock order", err)
	}
	if stored != nil && !o.SourceUpdatedAt.IsZero() && o.SourceUpdatedAt.Before(*stored) {
		return nil // stale: a newer version is already here
	}
	if c.Customer != (tickets.CustomerInput{}) {
		if c.Customer.Store == "" {
			c.Customer.Store = o.Store
		}
		if _, err := s.upsertCustomer(ctx, tx, c.Customer); err != nil {
			return err
		}
	}
	if o.OrderID, err = s.upsertOrder(ctx, tx, o); err != nil {
		return err
	}

	rows, err := tx.Query(ctx, `select ticket_id from ticket_orders where store = $1 and order_id = $2 order by linked_at`,
		o.Store, o.OrderID)
	if err != nil {
		return dbError("find tickets of order", err)
	}
	linked, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return dbError("find tickets of order", err)
	}
	version := o.Key()
	if !o.SourceUpdatedAt.IsZero() {
		version += "@" + o.SourceUpdatedAt.UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	openLinked := false
	for _, id := range linked {
		t, err := s.loadTicket(ctx, tx, id, true)
		if err != nil {
			return err
		}
		told, err := s.tellOrderChange(ctx, tx, actor, t, o, c.Timeline, version)
		if err != nil {
			return err
		}
		if t.Status == tickets.StatusClosed {
			continue
		}
		if openLinked = true; !told {
			continue // a version told already (a duplicate delivery) runs no rules again
		}
		if t, err = s.loadTicket(ctx, tx, id, false); err != nil {
			return err
		}
		if _, err := s.runRules(ctx, tx, t, rules.OrderChanged, func(rc *rules.Context) {
			for _, lo := range t.Orders {
				if lo.Key() == o.Key() {
					rc.Order = rules.OrderFromRef(lo) // the order that changed, as now stored
				}
			}
		}); err != nil {
			return err
		}
	}

	if c.Open == nil || openLinked {
		return nil
	}
	in := *c.Open
	if in.Customer == (tickets.CustomerInput{}) {
		in.Customer = c.Customer
	}
	if in.Store == "" {
		in.Store = o.Store
	}
	in.Orders = append(in.Orders, o)
	t, created, err := s.createTicket(ctx, tx, actor, in, "")
	if err != nil || !created || c.Timeline == "" {
		return err
	}
	note := tickets.NewMessage{Kind: tickets.MessageSystem, Body: c.Timeline, Source: in.Source, ExternalRef: "order:" + version}
	_, err = s.insertSystemNote(ctx, tx, actor, t, note)
	return err
}

// insertSystemNote adds a timeline entry. It is a message like any other,
// but written by the hub, so its event is the caller's to write.
func (s *Store) insertSystemNote(ctx context.Context, tx pgx.Tx, actor tickets.Actor, t tickets.Ticket, m tickets.NewMessage) (tickets.Message, error) {
	if err := validateMessage(m); err != nil {
		return tickets.Message{}, err
	}
	msg, err := scanMessage(tx.QueryRow(ctx, `
		insert into messages as m (ticket_id, kind, body, author_kind, author_id, author_name, source, external_ref, created_at)
		values ($1, 'system', $2, $3, $4, $5, $6, $7, $8)
		returning `+messageColumns,
		t.ID, m.Body, actor.Kind, actor.ID, actor.Name, m.Source, m.ExternalRef, s.now()))
	return msg, dbError("add timeline entry", err)
}

// customerChanged saves a store's profile of a customer, unless a newer
// profile (by UpdatedAt) is stored already. Counts the profile does not
// know (nil, "") leave the stored ones as they are.
func (s *Store) customerChanged(ctx context.Context, tx pgx.Tx, c tickets.CustomerChanged) error {
	p := c.Profile
	if p.Store == "" || p.CustomerID == "" {
		return tickets.Invalid("customer_id", "a store customer needs its store and id")
	}
	id, err := s.upsertCustomer(ctx, tx, tickets.CustomerInput{
		Email: p.Email, Name: p.Name, Phone: p.Phone, Store: p.Store, StoreCustomerID: p.CustomerID,
	})
	if err != nil {
		return err
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = s.now()
	}
	tags := p.Tags
	if tags == nil {
		tags = []string{}
	}
	_, err = tx.Exec(ctx, `
		update customer_stores set name = $3, email = $4, phone = $5,
			orders_count = coalesce($6, orders_count),
			total_spent = case when $7 = '' then total_spent else $7 end,
			currency = case when $7 = '' then currency else $8 end,
			first_order_at = $9, tags = $10, note = $11, admin_url = $12, updated_at = $13
		where store = $1 and customer_id_in_store = $2 and customer_id = $14
			and (updated_at is null or updated_at <= $13)`,
		p.Store, p.CustomerID, p.Name, tickets.NormaliseEmail(p.Email), tickets.NormalisePhone(p.Phone),
		p.OrdersCount, p.TotalSpent, p.Currency, p.FirstOrderAt, tags, p.Note, p.AdminURL, p.UpdatedAt.UTC(), id)
	return dbError("save store customer", err)
}

// storeKind is the kind part of a store key ("shopify:x" → "shopify").
func storeKind(store string) string {
	kind, _, _ := strings.Cut(store, ":")
	return kind
}

// tellOrderChange writes an order's new version into the timeline of t: a
// system note when the store's change reads as one, and the order.updated
// event. told is false when this version was told already.
func (s *Store) tellOrderChange(ctx context.Context, tx pgx.Tx, actor tickets.Actor, t tickets.Ticket, o tickets.OrderRef, timeline, version string) (told bool, err error) {
	if timeline == "" {
		// Nothing for people to read; the rules still look at the change.
		return true, nil
	}
	note := tickets.NewMessage{Kind: tickets.MessageSystem, Body: timeline, Source: tickets.Source(storeKind(o.Store)), ExternalRef: "order:" + version}
	if _, found, err := s.existingMessage(ctx, tx, t.ID, note); err != nil || found {
		return false, err
	}
	if _, err := tx.Exec(ctx, `update tickets set updated_at = $2 where id = $1`, t.ID, s.now()); err != nil {
		return false, dbError("touch ticket", err)
	}
	if t, err = s.loadTicket(ctx, tx, t.ID, false); err != nil {
		return false, err
	}
	if _, err := s.insertSystemNote(ctx, tx, actor, t, note); err != nil {
		return false, err
	}
	after := orderEvent(o)
	after["financial_status"], after["fulfillment_status"], after["timeline"] = o.FinancialStatus, o.FulfillmentStatus, timeline
	_, err = s.writeEvent(ctx, tx, t, tickets.EventOrderUpdated, actor, nil, after)
	return err == nil, err
}
