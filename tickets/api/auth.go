package api

import (
	"context"
	"net/http"
	"strings"

	"hub/tickets"
)

// Identity is the API key a request was made with.
type Identity struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Actor is the identity as the audit trail records it.
func (id Identity) Actor() tickets.Actor {
	return tickets.Actor{Kind: tickets.ActorAPIKey, ID: id.ID, Name: id.Name}
}

// Authenticator checks a plaintext API key. A bad key is an EUNAUTHORIZED
// error.
type Authenticator interface {
	Authenticate(ctx context.Context, key string) (Identity, error)
}

// AuthenticatorFunc adapts a function to Authenticator, e.g. around
// (*postgres.Store).AuthenticateAPIKey in cmd/hub.
type AuthenticatorFunc func(ctx context.Context, key string) (Identity, error)

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(ctx context.Context, key string) (Identity, error) {
	return f(ctx, key)
}

type identityKey struct{}

// IdentityFrom returns the identity RequireKey put in ctx.
func IdentityFrom(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok
}

// actor is the audit actor of the request's key.
func actor(r *http.Request) tickets.Actor {
	id, _ := IdentityFrom(r.Context())
	return id.Actor()
}

// RequireKey lets through requests that carry a valid API key, in
// "Authorization: Bearer <key>" or "X-API-Key: <key>", with the key's identity
// in the context (IdentityFrom). Others get 401 in the API's error shape.
func (s *Server) RequireKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := RequestKey(r)
		if key == "" {
			s.writeError(w, r, tickets.Errorf(tickets.EUNAUTHORIZED, "missing API key: send Authorization: Bearer <key> or X-API-Key"))
			return
		}
		id, err := s.keys.Authenticate(r.Context(), key)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), identityKey{}, id)))
	})
}

// RequestKey reads the API key from "Authorization: Bearer" or X-API-Key:
// the one rule for every route that takes a key.
func RequestKey(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, key, ok := strings.Cut(strings.TrimSpace(h), " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(key)
		}
	}
	return strings.TrimSpace(r.Header.Get("X-API-Key"))
}
