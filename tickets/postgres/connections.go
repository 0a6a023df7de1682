package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

const connectionColumns = `kind, key, name, secrets, settings, active, installed_at, uninstalled_at, updated_at`

func (s *Store) scanConnection(row pgx.Row) (tickets.Connection, error) {
	var c tickets.Connection
	var sealed []byte
	if err := row.Scan(&c.Kind, &c.Key, &c.Name, &sealed, &c.Settings, &c.Active, &c.InstalledAt, &c.UninstalledAt, &c.UpdatedAt); err != nil {
		return c, err
	}
	secrets, err := s.seal.open(sealed, c.StoreKey())
	if err != nil {
		return c, tickets.Errorf(tickets.EINTERNAL, "connection %s: %v", c.StoreKey(), err)
	}
	c.Secrets = secrets
	if c.Settings == nil {
		c.Settings = map[string]string{}
	}
	return c, nil
}

// SaveConnection inserts or updates a connection (by Kind and Key), sealing
// its secrets with Options.SecretKey. Saving secrets without a secret key is
// refused with an EINVALID error naming HUB_SECRET_KEY. A zero InstalledAt
// means now; saving an active connection clears UninstalledAt.
func (s *Store) SaveConnection(ctx context.Context, c tickets.Connection) (tickets.Connection, error) {
	c.Key = strings.TrimSpace(c.Key)
	if c.Kind == "" || c.Key == "" {
		return c, tickets.Invalid("key", "a connection needs a kind and a key")
	}
	sealed, err := s.seal.seal(c.Secrets, c.StoreKey())
	if err != nil {
		return c, err
	}
	now := s.now()
	if c.InstalledAt.IsZero() {
		c.InstalledAt = now
	}
	if c.Settings == nil {
		c.Settings = map[string]string{}
	}
	if c.Active {
		c.UninstalledAt = nil
	}
	saved, err := s.scanConnection(s.pool.QueryRow(ctx, `
		insert into connections (kind, key, name, secrets, settings, active, installed_at, uninstalled_at, updated_at)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		on conflict (kind, key) do update set name = excluded.name, secrets = excluded.secrets,
			settings = excluded.settings, active = excluded.active, installed_at = excluded.installed_at,
			uninstalled_at = excluded.uninstalled_at, updated_at = excluded.updated_at
		returning `+connectionColumns,
		c.Kind, c.Key, c.Name, sealed, c.Settings, c.Active, c.InstalledAt.UTC(), c.UninstalledAt, now))
	if err != nil {
		return c, dbError("save connection", err)
	}
	return saved, nil
}

// GetConnection loads one connection with its secrets opened; ENOTFOUND if
// there is none.
func (s *Store) GetConnection(ctx context.Context, kind tickets.Source, key string) (tickets.Connection, error) {
	c, err := s.scanConnection(s.pool.QueryRow(ctx,
		`select `+connectionColumns+` from connections where kind = $1 and key = $2`, kind, strings.TrimSpace(key)))
	if isNoRows(err) {
		return c, tickets.Errorf(tickets.ENOTFOUND, "no %s connection %q", kind, key)
	}
	return c, dbError("get connection", err)
}

// ListConnections lists the connections of a kind ("" for all), active or
// not, with their secrets opened.
func (s *Store) ListConnections(ctx context.Context, kind tickets.Source) ([]tickets.Connection, error) {
	rows, err := s.pool.Query(ctx, `select `+connectionColumns+` from connections
		where $1 = '' or kind = $1 order by kind, key`, kind)
	if err != nil {
		return nil, dbError("list connections", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (tickets.Connection, error) { return s.scanConnection(row) })
	return list, dbError("list connections", err)
}

// SetConnectionSettings merges settings into a connection's (e.g. the last
// reconciliation time) without touching its secrets.
func (s *Store) SetConnectionSettings(ctx context.Context, kind tickets.Source, key string, settings map[string]string) error {
	tag, err := s.pool.Exec(ctx, `update connections set settings = settings || $3, updated_at = $4
		where kind = $1 and key = $2`, kind, key, settings, s.now())
	if err != nil {
		return dbError("save connection settings", err)
	}
	if tag.RowsAffected() == 0 {
		return tickets.Errorf(tickets.ENOTFOUND, "no %s connection %q", kind, key)
	}
	return nil
}

// DeactivateConnection marks a connection inactive, unless it was
// (re)installed after asOf: an app/uninstalled that fired before a reinstall
// must not undo it. deactivated reports whether it did.
func (s *Store) DeactivateConnection(ctx context.Context, kind tickets.Source, key string, asOf time.Time) (deactivated bool, err error) {
	tag, err := s.pool.Exec(ctx, `update connections set active = false, uninstalled_at = $3, updated_at = $4
		where kind = $1 and key = $2 and active and installed_at <= $3`, kind, key, asOf.UTC(), s.now())
	if err != nil {
		return false, dbError("deactivate connection", err)
	}
	return tag.RowsAffected() == 1, nil
}

// DeleteConnection removes a connection and its secrets.
func (s *Store) DeleteConnection(ctx context.Context, kind tickets.Source, key string) error {
	_, err := s.pool.Exec(ctx, `delete from connections where kind = $1 and key = $2`, kind, key)
	return dbError("delete connection", err)
}
