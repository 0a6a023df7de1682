package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

// SearchOrders finds orders the hub has seen, from every connected store,
// by number, id or customer email: what an agent types to link one.
func (s *Store) SearchOrders(ctx context.Context, q string, limit int) ([]tickets.OrderRef, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	n := strings.TrimLeft(q, "#")
	rows, err := s.pool.Query(ctx, `select `+orderColumns+` from orders o
		where ltrim(o.order_number, '#') = $1 or o.order_id = $1 or o.customer_email = $2
		order by o.source_updated_at desc nulls last limit $3`, n, tickets.NormaliseEmail(q), clamp(limit, 20, 100))
	if err != nil {
		return nil, dbError("search orders", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tickets.OrderRef, error) { return scanOrder(r) })
	return list, dbError("search orders", err)
}

// CustomerOrders lists the orders of a customer: bought with their email,
// or linked to one of their tickets. Newest first.
func (s *Store) CustomerOrders(ctx context.Context, customerID, email string) ([]tickets.OrderRef, error) {
	rows, err := s.pool.Query(ctx, `select `+orderColumns+` from orders o
		where (o.customer_email = $2 and $2 <> '') or exists (
			select 1 from ticket_orders x join tickets t on t.id = x.ticket_id
			where x.store = o.store and x.order_id = o.order_id and t.customer_id = $1::uuid)
		order by o.source_updated_at desc nulls last, o.created_at desc limit 200`, customerID, tickets.NormaliseEmail(email))
	if err != nil {
		return nil, dbError("customer orders", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tickets.OrderRef, error) { return scanOrder(r) })
	return list, dbError("customer orders", err)
}

// DeliveryHealth summarises the inbox per source and tenant since since.
func (s *Store) DeliveryHealth(ctx context.Context, since time.Time) ([]tickets.SourceHealth, error) {
	rows, err := s.pool.Query(ctx, `
		select source, tenant, max(received_at), count(*), count(*) filter (where status = 'failed')
		from deliveries where received_at >= $1 group by source, tenant order by source, tenant`, since)
	if err != nil {
		return nil, dbError("delivery health", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tickets.SourceHealth, error) {
		var h tickets.SourceHealth
		err := r.Scan(&h.Source, &h.Tenant, &h.LastReceived, &h.Received, &h.Failed)
		return h, err
	})
	return list, dbError("delivery health", err)
}

// AllHooks lists every Zapier hook, oldest first.
func (s *Store) AllHooks(ctx context.Context) ([]Hook, error) {
	rows, err := s.pool.Query(ctx, `select `+hookColumns+` from hooks h order by h.created_at, h.id`)
	if err != nil {
		return nil, dbError("list hooks", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Hook, error) { return scanHook(row) })
	return list, dbError("list hooks", err)
}

// ResponseBuckets are the upper bounds of the first-response histogram;
// the last bucket is everything slower.
var ResponseBuckets = []time.Duration{time.Hour, 4 * time.Hour, 8 * time.Hour, 24 * time.Hour, 72 * time.Hour}

// FirstResponseHistogram counts the tickets created in [from, to) by how
// long their first response took, in ResponseBuckets (len+1 counts).
func (s *Store) FirstResponseHistogram(ctx context.Context, from, to time.Time) ([]int, error) {
	bounds := make([]float64, len(ResponseBuckets))
	for i, b := range ResponseBuckets {
		bounds[i] = b.Seconds()
	}
	rows, err := s.pool.Query(ctx, `
		select width_bucket(extract(epoch from first_response_at - created_at)::float8, $3::float8[]), count(*)
		from tickets where created_at >= $1 and created_at < $2 and first_response_at is not null
		group by 1`, from, to, bounds)
	if err != nil {
		return nil, dbError("response histogram", err)
	}
	out := make([]int, len(ResponseBuckets)+1)
	for rows.Next() {
		var b, n int
		if err := rows.Scan(&b, &n); err != nil {
			rows.Close()
			return nil, dbError("response histogram", err)
		}
		if b >= 0 && b < len(out) {
			out[b] += n
		}
	}
	return out, dbError("response histogram", rows.Err())
}

// EmailReplyStatuses tells, per reply id on a ticket, where emailing it
// stands: "sending" (with the last temporary error), "sent" or "failed"
// (with the mail server's reason), with the recipient.
func (s *Store) EmailReplyStatuses(ctx context.Context, ticketID string) (map[int64]tickets.ReplyDelivery, error) {
	rows, err := s.pool.Query(ctx, `select reply_id, recipient, status, error, attempts from email_replies where ticket_id = $1::uuid`, ticketID)
	if err != nil {
		return nil, dbError("email reply statuses", err)
	}
	defer rows.Close()
	out := map[int64]tickets.ReplyDelivery{}
	for rows.Next() {
		var id int64
		var d tickets.ReplyDelivery
		if err := rows.Scan(&id, &d.To, &d.Status, &d.Error, &d.Attempts); err != nil {
			return nil, dbError("email reply statuses", err)
		}
		d.Channel = "email"
		out[id] = d
	}
	return out, dbError("email reply statuses", rows.Err())
}
