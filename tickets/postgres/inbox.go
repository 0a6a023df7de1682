package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

const deliveryColumns = `id, source, tenant, topic, key, alt_key, headers, body, status, error, attempts, retry_at, received_at, processed_at`

func scanDelivery(row pgx.Row) (tickets.Delivery, error) {
	var d tickets.Delivery
	err := row.Scan(&d.ID, &d.Source, &d.Tenant, &d.Topic, &d.Key, &d.AltKey, &d.Headers, &d.Body,
		&d.Status, &d.Error, &d.Attempts, &d.RetryAt, &d.ReceivedAt, &d.ProcessedAt)
	return d, err
}

// RecordDelivery inserts a verified delivery into the inbox. A delivery whose
// (Source, Key) or (Source, AltKey) is already there is a duplicate: nothing is
// written and created is false; d.ID is set either way.
func (s *Store) RecordDelivery(ctx context.Context, d *tickets.Delivery) (created bool, err error) {
	if strings.TrimSpace(d.Key) == "" {
		return false, tickets.Invalid("key", "a delivery needs a dedupe key")
	}
	headers := d.Headers
	if headers == nil {
		headers = map[string]string{}
	}
	body := d.Body
	if body == nil {
		body = []byte{}
	}
	now := s.now()
	// Without a conflict target, DO NOTHING covers both unique keys; a racing
	// identical insert waits for the first to commit and then does nothing.
	err = s.pool.QueryRow(ctx, `
		insert into deliveries (source, tenant, topic, key, alt_key, headers, body, status, received_at, sweep_at)
		values ($1, $2, $3, $4, $5, $6, $7, 'received', $8, $8)
		on conflict do nothing
		returning id`,
		d.Source, d.Tenant, d.Topic, d.Key, d.AltKey, headers, body, now).Scan(&d.ID)
	if err == nil {
		d.Status, d.Error, d.Attempts, d.RetryAt, d.ReceivedAt, d.ProcessedAt = tickets.DeliveryReceived, "", 0, nil, now, nil
		return true, nil
	}
	if !isNoRows(err) {
		return false, dbError("record delivery", err)
	}
	err = s.pool.QueryRow(ctx, `
		select id from deliveries
		where source = $1 and (key = $2 or (alt_key = $3 and $3 <> ''))
		order by id limit 1`,
		d.Source, d.Key, d.AltKey).Scan(&d.ID)
	if err != nil {
		return false, dbError("record delivery: find duplicate", err)
	}
	return false, nil
}

// GetDelivery loads one delivery.
func (s *Store) GetDelivery(ctx context.Context, id int64) (tickets.Delivery, error) {
	d, err := scanDelivery(s.pool.QueryRow(ctx, `select `+deliveryColumns+` from deliveries where id = $1`, id))
	if isNoRows(err) {
		return d, deliveryNotFound(id)
	}
	return d, dbError("get delivery", err)
}

func deliveryNotFound(id int64) error {
	return tickets.Errorf(tickets.ENOTFOUND, "delivery %d not found", id)
}

// ListDeliveries lists deliveries newest first, optionally by status.
func (s *Store) ListDeliveries(ctx context.Context, status tickets.DeliveryStatus, limit int) ([]tickets.Delivery, error) {
	rows, err := s.pool.Query(ctx, `
		select `+deliveryColumns+` from deliveries
		where $1 = '' or status = $1
		order by received_at desc, id desc
		limit $2`, string(status), clamp(limit, 50, 500))
	if err != nil {
		return nil, dbError("list deliveries", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (tickets.Delivery, error) { return scanDelivery(row) })
	return list, dbError("list deliveries", err)
}

// ApplyDelivery applies the commands decoded from a delivery and marks it
// processed, in one transaction that locks the delivery row. A delivery that
// is no longer "received" is left alone and applied=false: this is what makes
// processing exactly-once under duplicate tasks and crashed workers.
func (s *Store) ApplyDelivery(ctx context.Context, id int64, actor tickets.Actor, cmds []tickets.Command) (applied bool, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var status tickets.DeliveryStatus
		err := tx.QueryRow(ctx, `select status from deliveries where id = $1 for update`, id).Scan(&status)
		if isNoRows(err) {
			return deliveryNotFound(id)
		}
		if err != nil {
			return dbError("lock delivery", err)
		}
		if status != tickets.DeliveryReceived {
			return nil
		}
		for i, cmd := range cmds {
			if err := s.apply(ctx, tx, actor, cmd); err != nil {
				return fmt.Errorf("delivery %d: command %d (%T): %w", id, i, cmd, err)
			}
		}
		_, err = tx.Exec(ctx, `
			update deliveries set status = 'processed', error = '', processed_at = $2, attempts = attempts + 1, retry_at = null
			where id = $1`, id, s.now())
		if err != nil {
			return dbError("mark delivery processed", err)
		}
		applied = true
		return nil
	})
	if err != nil {
		return false, err
	}
	return applied, nil
}

// apply runs one command through the same code as the public methods.
func (s *Store) apply(ctx context.Context, tx pgx.Tx, actor tickets.Actor, cmd tickets.Command) error {
	var err error
	switch c := cmd.(type) {
	case tickets.NewTicket:
		_, _, err = s.createTicket(ctx, tx, actor, c, "")
	case *tickets.NewTicket:
		_, _, err = s.createTicket(ctx, tx, actor, *c, "")
	case tickets.UpdateTicket:
		_, err = s.updateTicket(ctx, tx, actor, c.Ref, c.Patch)
	case *tickets.UpdateTicket:
		_, err = s.updateTicket(ctx, tx, actor, c.Ref, c.Patch)
	case tickets.AddMessage:
		_, _, err = s.addMessage(ctx, tx, actor, c.Ref, c.Message)
	case *tickets.AddMessage:
		_, _, err = s.addMessage(ctx, tx, actor, c.Ref, c.Message)
	case tickets.LinkOrder:
		_, err = s.linkOrder(ctx, tx, actor, c.Ref, c.Order)
	case *tickets.LinkOrder:
		_, err = s.linkOrder(ctx, tx, actor, c.Ref, c.Order)
	case tickets.OrderChanged:
		err = s.orderChanged(ctx, tx, actor, c)
	case tickets.CustomerChanged:
		err = s.customerChanged(ctx, tx, c)
	case tickets.RedactCustomer:
		err = s.redactCustomer(ctx, tx, actor, c)
	case tickets.EraseStore:
		err = s.eraseStore(ctx, tx, c)
	case tickets.EditMessage:
		err = s.editMessage(ctx, tx, actor, c)
	default:
		err = fmt.Errorf("postgres: unknown command %T", cmd)
	}
	return err
}

// FailDelivery marks a received delivery failed with its reason.
func (s *Store) FailDelivery(ctx context.Context, id int64, reason string) error {
	return s.finishDelivery(ctx, id, tickets.DeliveryFailed, reason)
}

// IgnoreDelivery marks a received delivery ignored (nothing to do, e.g. an
// unknown topic) with the reason.
func (s *Store) IgnoreDelivery(ctx context.Context, id int64, reason string) error {
	return s.finishDelivery(ctx, id, tickets.DeliveryIgnored, reason)
}

func (s *Store) finishDelivery(ctx context.Context, id int64, to tickets.DeliveryStatus, reason string) error {
	var status tickets.DeliveryStatus
	var updated bool
	err := s.pool.QueryRow(ctx, `
		with upd as (
			update deliveries set status = $2, error = $3, processed_at = $4, attempts = attempts + 1, retry_at = null
			where id = $1 and status = 'received'
			returning status
		)
		select true, status from upd
		union all
		select false, status from deliveries where id = $1 and not exists (select 1 from upd)`,
		id, string(to), reason, s.now()).Scan(&updated, &status)
	if isNoRows(err) {
		return deliveryNotFound(id)
	}
	if err != nil {
		return dbError("mark delivery "+string(to), err)
	}
	if !updated {
		return tickets.Errorf(tickets.ECONFLICT, "delivery %d is %s, not received", id, status)
	}
	return nil
}

// ReplayDelivery puts a failed or ignored delivery back to received, with
// a fresh set of retries.
func (s *Store) ReplayDelivery(ctx context.Context, id int64) (tickets.Delivery, error) {
	d, err := scanDelivery(s.pool.QueryRow(ctx, `
		update deliveries set status = 'received', error = '', processed_at = null,
			attempts = 0, retry_at = null, sweep_at = $2
		where id = $1 and status in ('failed', 'ignored')
		returning `+deliveryColumns, id, s.now()))
	if err == nil {
		return d, nil
	}
	if !isNoRows(err) {
		return d, dbError("replay delivery", err)
	}
	cur, err := s.GetDelivery(ctx, id)
	if err != nil {
		return cur, err
	}
	return cur, tickets.Errorf(tickets.ECONFLICT, "delivery %d is %s; only failed or ignored deliveries can be replayed", id, cur.Status)
}

// RetryDelivery records that a received delivery's try did not succeed
// and when the next one is due. counted says whether the try uses up one
// of its retries (a vendor's rate limit does not). It returns the tries
// used so far.
func (s *Store) RetryDelivery(ctx context.Context, id int64, reason string, at time.Time, counted bool) (attempts int, err error) {
	at = at.UTC().Truncate(time.Microsecond)
	err = s.pool.QueryRow(ctx, `
		update deliveries
		set attempts = attempts + case when $4 then 1 else 0 end, error = $2, retry_at = $3, sweep_at = $3
		where id = $1 and status = 'received'
		returning attempts`, id, reason, at, counted).Scan(&attempts)
	if isNoRows(err) {
		return 0, tickets.Errorf(tickets.ECONFLICT, "delivery %d is no longer received", id)
	}
	return attempts, dbError("note delivery retry", err)
}

// ClaimStaleDeliveries returns up to limit deliveries still "received"
// whose task was due before cutoff, oldest first, and marks them as due
// again at claimed, so that the next claim (by this sweeper or one in
// another process) moves on to the ones behind them. Rows another sweeper
// is claiming at the same moment are skipped.
func (s *Store) ClaimStaleDeliveries(ctx context.Context, cutoff, claimed time.Time, limit int) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `
		update deliveries set sweep_at = $2
		where id in (
			select id from deliveries
			where status = 'received' and sweep_at < $1
			order by sweep_at
			limit $3
			for update skip locked)
		returning id`, cutoff, claimed.UTC().Truncate(time.Microsecond), clamp(limit, 500, 5000))
	if err != nil {
		return nil, dbError("claim stale deliveries", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return ids, dbError("claim stale deliveries", err)
}

// DeliveryStatuses reads the status of many deliveries in one query; ids
// not found are left out.
func (s *Store) DeliveryStatuses(ctx context.Context, ids []int64) (map[int64]tickets.DeliveryStatus, error) {
	rows, err := s.pool.Query(ctx, `select id, status from deliveries where id = any($1)`, ids)
	if err != nil {
		return nil, dbError("delivery statuses", err)
	}
	defer rows.Close()
	out := make(map[int64]tickets.DeliveryStatus, len(ids))
	for rows.Next() {
		var id int64
		var st tickets.DeliveryStatus
		if err := rows.Scan(&id, &st); err != nil {
			return nil, dbError("delivery statuses", err)
		}
		out[id] = st
	}
	return out, dbError("delivery statuses", rows.Err())
}
