package postgres

import (
	"context"
	"time"
)

// StoreCustomerUpdatedAt returns the version (the store's updated_at, as
// saved by CustomerChanged) of the profile the hub keeps of a store's
// customer; zero when it has none. The Shopify decoder uses it to drop a
// customers/update older than what is stored.
func (s *Store) StoreCustomerUpdatedAt(ctx context.Context, store, customerID string) (time.Time, error) {
	var at *time.Time
	err := s.pool.QueryRow(ctx, `select updated_at from customer_stores where store = $1 and customer_id_in_store = $2`,
		store, customerID).Scan(&at)
	if isNoRows(err) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, dbError("get store customer version", err)
	}
	return deref(at), nil
}
