package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

const orderColumns = `o.store, o.order_id, o.order_number, o.financial_status, o.fulfillment_status,
	o.total, o.currency, o.customer_email, o.source_updated_at, o.details`

// scanOrder scans orderColumns, after any extra leading destinations.
func scanOrder(row pgx.Row, extra ...any) (tickets.OrderRef, error) {
	var o tickets.OrderRef
	var updated *time.Time
	dest := append(extra, &o.Store, &o.OrderID, &o.OrderNumber, &o.FinancialStatus, &o.FulfillmentStatus,
		&o.Total, &o.Currency, &o.CustomerEmail, &updated, &o.Details)
	if err := row.Scan(dest...); err != nil {
		return o, err
	}
	o.SourceUpdatedAt = deref(updated)
	return o, nil
}

// LinkOrder links an order to a ticket (idempotent).
func (s *Store) LinkOrder(ctx context.Context, actor tickets.Actor, ref string, o tickets.OrderRef) (tickets.Ticket, error) {
	var t tickets.Ticket
	err := s.inTx(ctx, func(tx pgx.Tx) (err error) {
		t, err = s.linkOrder(ctx, tx, actor, ref, o)
		return err
	})
	return t, err
}

func (s *Store) linkOrder(ctx context.Context, tx pgx.Tx, actor tickets.Actor, ref string, o tickets.OrderRef) (tickets.Ticket, error) {
	o, err := normaliseOrder(o)
	if err != nil {
		return tickets.Ticket{}, err
	}
	t, err := s.loadTicket(ctx, tx, ref, true)
	if err != nil {
		return t, err
	}
	linked, o, err := s.attachOrder(ctx, tx, t.ID, o)
	if err != nil {
		return t, err
	}
	if !linked {
		// Already linked: the snapshot may have been refreshed, nothing else.
		return s.loadTicket(ctx, tx, t.ID, false)
	}
	if _, err := tx.Exec(ctx, `update tickets set updated_at = $2 where id = $1`, t.ID, s.now()); err != nil {
		return t, dbError("link order", err)
	}
	if t, err = s.loadTicket(ctx, tx, t.ID, false); err != nil {
		return t, err
	}
	_, err = s.writeEvent(ctx, tx, t, tickets.EventOrderLinked, actor, nil, orderEvent(o))
	return t, err
}

// attachOrder saves the order's snapshot and links it to the ticket;
// linked is false when it was linked already.
func (s *Store) attachOrder(ctx context.Context, tx pgx.Tx, ticketID string, o tickets.OrderRef) (linked bool, _ tickets.OrderRef, err error) {
	if o.OrderID, err = s.upsertOrder(ctx, tx, o); err != nil {
		return false, o, err
	}
	tag, err := tx.Exec(ctx, `
		insert into ticket_orders (ticket_id, store, order_id, linked_at) values ($1, $2, $3, $4)
		on conflict do nothing`, ticketID, o.Store, o.OrderID, s.now())
	if err != nil {
		return false, o, dbError("link order", err)
	}
	return tag.RowsAffected() == 1, o, nil
}

func orderEvent(o tickets.OrderRef) map[string]any {
	return map[string]any{"store": o.Store, "order_id": o.OrderID, "order_number": o.OrderNumber}
}

func normaliseOrder(o tickets.OrderRef) (tickets.OrderRef, error) {
	o.Store = strings.TrimSpace(o.Store)
	o.OrderID = strings.TrimSpace(o.OrderID)
	o.OrderNumber = strings.TrimSpace(o.OrderNumber)
	o.CustomerEmail = tickets.NormaliseEmail(o.CustomerEmail)
	if o.Store == "" {
		return o, tickets.Invalid("store", "an order needs its store")
	}
	if o.OrderID == "" && o.OrderNumber == "" {
		return o, tickets.Invalid("order_number", "an order needs an order number or id")
	}
	if len(o.Details) == 0 {
		o.Details = nil
	}
	return o, nil
}

// provisionalID keys an order known only by its number until its id is
// known; the enrichment's snapshot (with the id) then takes the row over.
func provisionalID(number string) string { return "#" + strings.TrimLeft(number, "#") }

// upsertOrder saves the order's snapshot unless a newer one is stored, and
// returns the order's id (found by number when the caller knew only that).
func (s *Store) upsertOrder(ctx context.Context, tx pgx.Tx, o tickets.OrderRef) (string, error) {
	if o.OrderID == "" {
		err := tx.QueryRow(ctx, `
			select order_id from orders where store = $1 and ltrim(order_number, '#') = ltrim($2, '#')
			order by order_id like '#%', order_id limit 1`, o.Store, o.OrderNumber).Scan(&o.OrderID)
		if err != nil && !isNoRows(err) {
			return "", dbError("find order", err)
		}
		if o.OrderID == "" {
			o.OrderID = provisionalID(o.OrderNumber)
		}
	} else if o.OrderNumber != "" && !strings.HasPrefix(o.OrderID, "#") {
		// The real id of an order linked by number has arrived: re-key the
		// provisional row (its links follow by ON UPDATE CASCADE).
		_, err := tx.Exec(ctx, `
			update orders set order_id = $2
			where store = $1 and order_id = $3
				and not exists (select 1 from orders where store = $1 and order_id = $2)`,
			o.Store, o.OrderID, provisionalID(o.OrderNumber))
		if err != nil {
			return "", dbError("save order", err)
		}
	}
	now := s.now()
	// A snapshot without a timestamp (a bare link) only fills in blanks, and
	// never replaces a timestamped one; an older snapshot changes nothing.
	_, err := tx.Exec(ctx, `
		insert into orders as o (store, order_id, order_number, financial_status, fulfillment_status,
			total, currency, customer_email, source_updated_at, details, created_at, updated_at)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
		on conflict (store, order_id) do update set
			order_number = coalesce(nullif(excluded.order_number, ''), o.order_number),
			financial_status = coalesce(nullif(excluded.financial_status, ''), o.financial_status),
			fulfillment_status = coalesce(nullif(excluded.fulfillment_status, ''), o.fulfillment_status),
			total = coalesce(nullif(excluded.total, ''), o.total),
			currency = coalesce(nullif(excluded.currency, ''), o.currency),
			customer_email = coalesce(nullif(excluded.customer_email, ''), o.customer_email),
			source_updated_at = coalesce(excluded.source_updated_at, o.source_updated_at),
			details = coalesce(excluded.details, o.details),
			updated_at = excluded.updated_at
		where o.source_updated_at is null or excluded.source_updated_at >= o.source_updated_at`,
		o.Store, o.OrderID, o.OrderNumber, o.FinancialStatus, o.FulfillmentStatus,
		o.Total, o.Currency, o.CustomerEmail, nullTime(o.SourceUpdatedAt), jsonBytes(o.Details), now)
	if err != nil {
		return "", dbError("save order", err)
	}
	return o.OrderID, nil
}

// jsonBytes passes raw JSON to a jsonb parameter (nil is NULL).
func jsonBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}
