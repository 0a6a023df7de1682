package postgres

import (
	"context"
	"time"

	"hub/tickets"
)

// RecordDelivery inserts a verified delivery into the inbox. A delivery whose
// (Source, Key) or (Source, AltKey) is already there is a duplicate: nothing is
// written and created is false; d.ID is set either way.
func (s *Store) RecordDelivery(ctx context.Context, d *tickets.Delivery) (created bool, err error) {
	return false, errTODO
}

// GetDelivery loads one delivery.
func (s *Store) GetDelivery(ctx context.Context, id int64) (tickets.Delivery, error) {
	return tickets.Delivery{}, errTODO
}

// ListDeliveries lists deliveries newest first, optionally by status.
func (s *Store) ListDeliveries(ctx context.Context, status tickets.DeliveryStatus, limit int) ([]tickets.Delivery, error) {
	return nil, errTODO
}

// ApplyDelivery applies the commands decoded from a delivery and marks it
// processed, in one transaction that locks the delivery row. A delivery that
// is no longer "received" is left alone and applied=false: this is what makes
// processing exactly-once under duplicate tasks and crashed workers.
func (s *Store) ApplyDelivery(ctx context.Context, id int64, actor tickets.Actor, cmds []tickets.Command) (applied bool, err error) {
	return false, errTODO
}

// FailDelivery marks a received delivery failed with its reason.
func (s *Store) FailDelivery(ctx context.Context, id int64, reason string) error { return errTODO }

// IgnoreDelivery marks a received delivery ignored (nothing to do, e.g. an
// unknown topic) with the reason.
func (s *Store) IgnoreDelivery(ctx context.Context, id int64, reason string) error { return errTODO }

// ReplayDelivery puts a failed or ignored delivery back to received.
func (s *Store) ReplayDelivery(ctx context.Context, id int64) (tickets.Delivery, error) {
	return tickets.Delivery{}, errTODO
}

// StaleDeliveries returns ids of deliveries still "received" that arrived
// before the cutoff: the sweeper re-enqueues them.
func (s *Store) StaleDeliveries(ctx context.Context, before time.Time, limit int) ([]int64, error) {
	return nil, errTODO
}

// PendingOutbox returns outbox items not done whose run time is before the
// cutoff, oldest first.
func (s *Store) PendingOutbox(ctx context.Context, before time.Time, limit int) ([]tickets.OutboxItem, error) {
	return nil, errTODO
}

// CompleteOutbox marks an outbox item done.
func (s *Store) CompleteOutbox(ctx context.Context, id int64) error { return errTODO }
