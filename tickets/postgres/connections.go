package postgres

import (
	"context"
	"errors"
	"time"

	"hub/tickets"
)

var errTODO = errors.New("postgres: not implemented yet")

// SaveConnection inserts or updates a connection (by Kind and Key), sealing
// its secrets with Options.SecretKey. Saving secrets without a secret key is
// refused with an EINVALID error naming HUB_SECRET_KEY.
func (s *Store) SaveConnection(ctx context.Context, c tickets.Connection) (tickets.Connection, error) {
	return c, errTODO
}

// GetConnection loads one connection with its secrets opened; ENOTFOUND if
// there is none.
func (s *Store) GetConnection(ctx context.Context, kind tickets.Source, key string) (tickets.Connection, error) {
	return tickets.Connection{}, errTODO
}

// ListConnections lists the connections of a kind ("" for all), active or
// not, with their secrets opened.
func (s *Store) ListConnections(ctx context.Context, kind tickets.Source) ([]tickets.Connection, error) {
	return nil, errTODO
}

// DeactivateConnection marks a connection inactive, unless it was
// (re)installed after asOf: an app/uninstalled that fired before a reinstall
// must not undo it. deactivated reports whether it did.
func (s *Store) DeactivateConnection(ctx context.Context, kind tickets.Source, key string, asOf time.Time) (deactivated bool, err error) {
	return false, errTODO
}

// WarnSLA writes a ticket.sla_warning event (once per ticket and target) for
// every open ticket whose first response or resolution is at risk or
// breached at now, and returns how many it wrote. Safe to run from many
// workers at once.
func (s *Store) WarnSLA(ctx context.Context, now time.Time) (int, error) {
	return 0, errTODO
}
