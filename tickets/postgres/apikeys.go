package postgres

import (
	"context"
	"time"
)

// APIKey is an API key's identity; the secret is stored only as a hash.
type APIKey struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// CreateAPIKey makes a key and returns its plaintext, shown once.
func (s *Store) CreateAPIKey(ctx context.Context, name string) (plaintext string, k APIKey, err error) {
	return "", k, errTODO
}

// AuthenticateAPIKey returns the key's identity, or an EUNAUTHORIZED error.
func (s *Store) AuthenticateAPIKey(ctx context.Context, plaintext string) (APIKey, error) {
	return APIKey{}, errTODO
}
