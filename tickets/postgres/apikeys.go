package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"

	"hub/tickets"
)

// APIKey is an API key's identity; the secret is stored only as a hash.
type APIKey struct {
	ID        string
	Name      string
	Prefix    string // the key's first characters, for telling keys apart
	CreatedAt time.Time
	RevokedAt *time.Time
}

// keyPrefix is how much of a key is kept in clear for display.
const keyPrefix = 8

// CreateAPIKey makes a key and returns its plaintext, shown once.
func (s *Store) CreateAPIKey(ctx context.Context, name string) (plaintext string, k APIKey, err error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return "", k, err
	}
	plaintext = "hub_" + base64.RawURLEncoding.EncodeToString(secret)
	k, err = s.insertAPIKey(ctx, name, plaintext)
	if err != nil {
		return "", k, err
	}
	return plaintext, k, nil
}

// EnsureAPIKey registers a key whose plaintext is given (the HUB_API_KEY
// setting), idempotently: a key already registered is returned as it is. A
// key that was revoked stays revoked and is an ECONFLICT error.
func (s *Store) EnsureAPIKey(ctx context.Context, name, plaintext string) (APIKey, error) {
	k, err := s.insertAPIKey(ctx, name, plaintext)
	if err != nil {
		return k, err
	}
	if k.RevokedAt != nil {
		return k, tickets.Errorf(tickets.ECONFLICT, "API key %s… was revoked", k.Prefix)
	}
	return k, nil
}

// insertAPIKey stores the key's hash unless it is there, and returns the row.
func (s *Store) insertAPIKey(ctx context.Context, name, plaintext string) (APIKey, error) {
	var k APIKey
	name = strings.TrimSpace(name)
	if name == "" {
		return k, tickets.Invalid("name", "an API key needs a name")
	}
	if plaintext == "" {
		return k, tickets.Invalid("key", "an API key cannot be empty")
	}
	prefix := plaintext
	if len(prefix) > keyPrefix {
		prefix = prefix[:keyPrefix]
	}
	err := s.pool.QueryRow(ctx, `
		with ins as (
			insert into api_keys (name, hash, prefix, created_at) values ($1, $2, $3, $4)
			on conflict (hash) do nothing
			returning id, name, prefix, created_at, revoked_at
		)
		select * from ins
		union all
		select id, name, prefix, created_at, revoked_at from api_keys where hash = $2 and not exists (select 1 from ins)`,
		name, hashKey(plaintext), prefix, s.now(),
	).Scan(&k.ID, &k.Name, &k.Prefix, &k.CreatedAt, &k.RevokedAt)
	return k, dbError("create API key", err)
}

// AuthenticateAPIKey returns the key's identity, or an EUNAUTHORIZED error.
func (s *Store) AuthenticateAPIKey(ctx context.Context, plaintext string) (APIKey, error) {
	var k APIKey
	if plaintext == "" {
		return k, tickets.Errorf(tickets.EUNAUTHORIZED, "invalid API key")
	}
	err := s.pool.QueryRow(ctx, `
		select id, name, prefix, created_at, revoked_at from api_keys
		where hash = $1 and revoked_at is null`, hashKey(plaintext),
	).Scan(&k.ID, &k.Name, &k.Prefix, &k.CreatedAt, &k.RevokedAt)
	if isNoRows(err) {
		return APIKey{}, tickets.Errorf(tickets.EUNAUTHORIZED, "invalid API key")
	}
	return k, dbError("authenticate API key", err)
}

// RevokeAPIKey revokes a key by id; revoking twice is a no-op.
func (s *Store) RevokeAPIKey(ctx context.Context, id string) error {
	uid, ok := canonicalUUID(id)
	if !ok {
		return tickets.Errorf(tickets.ENOTFOUND, "API key %s not found", id)
	}
	tag, err := s.pool.Exec(ctx, `update api_keys set revoked_at = coalesce(revoked_at, $2) where id = $1`, uid, s.now())
	if err != nil {
		return dbError("revoke API key", err)
	}
	if tag.RowsAffected() == 0 {
		return tickets.Errorf(tickets.ENOTFOUND, "API key %s not found", id)
	}
	return nil
}

// ListAPIKeys lists every key, revoked ones included, oldest first.
func (s *Store) ListAPIKeys(ctx context.Context) ([]APIKey, error) {
	rows, err := s.pool.Query(ctx, `select id, name, prefix, created_at, revoked_at from api_keys order by created_at, id`)
	if err != nil {
		return nil, dbError("list API keys", err)
	}
	defer rows.Close()
	var keys []APIKey
	for rows.Next() {
		var k APIKey
		if err := rows.Scan(&k.ID, &k.Name, &k.Prefix, &k.CreatedAt, &k.RevokedAt); err != nil {
			return nil, dbError("list API keys", err)
		}
		keys = append(keys, k)
	}
	return keys, dbError("list API keys", rows.Err())
}

func hashKey(plaintext string) []byte {
	h := sha256.Sum256([]byte(plaintext))
	return h[:]
}
