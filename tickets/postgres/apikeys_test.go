package postgres_test

import (
	"strings"
	"testing"

	"hub/tickets"
)

func TestAPIKeys(t *testing.T) {
	b := setup(t)
	plain, k, err := b.store.CreateAPIKey(b.ctx, "zapier")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(plain, "hub_") || len(plain) != 4+43 || k.Prefix != plain[:8] || k.Name != "zapier" || k.ID == "" {
		t.Errorf("key %q = %+v", plain, k)
	}
	if n := b.count(t, "select count(*) from api_keys where position($1::bytea in hash) > 0", []byte(plain)); n != 0 {
		t.Error("plaintext stored")
	}

	got, err := b.store.AuthenticateAPIKey(b.ctx, plain)
	if err != nil || got.ID != k.ID {
		t.Errorf("authenticate = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "hub_nope", plain + "x", strings.ToUpper(plain)} {
		_, err := b.store.AuthenticateAPIKey(b.ctx, bad)
		wantCode(t, err, tickets.EUNAUTHORIZED)
	}

	// HUB_API_KEY: registered once, whatever the number of restarts.
	env := "s3cret-admin-key-from-the-environment"
	e1, err := b.store.EnsureAPIKey(b.ctx, "env", env)
	if err != nil {
		t.Fatal(err)
	}
	e2, err := b.store.EnsureAPIKey(b.ctx, "env", env)
	if err != nil || e2.ID != e1.ID {
		t.Errorf("ensure again = %+v, %v; want %s", e2, err, e1.ID)
	}
	if got, err := b.store.AuthenticateAPIKey(b.ctx, env); err != nil || got.ID != e1.ID {
		t.Errorf("authenticate env key = %+v, %v", got, err)
	}

	if err := b.store.RevokeAPIKey(b.ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	_, err = b.store.AuthenticateAPIKey(b.ctx, plain)
	wantCode(t, err, tickets.EUNAUTHORIZED)
	wantCode(t, b.store.RevokeAPIKey(b.ctx, "00000000-0000-0000-0000-000000000000"), tickets.ENOTFOUND)
	wantCode(t, b.store.RevokeAPIKey(b.ctx, "nope"), tickets.ENOTFOUND)
	b.store.RevokeAPIKey(b.ctx, e1.ID)
	_, err = b.store.EnsureAPIKey(b.ctx, "env", env)
	wantCode(t, err, tickets.ECONFLICT)

	keys, err := b.store.ListAPIKeys(b.ctx)
	if err != nil || len(keys) != 2 || keys[0].RevokedAt == nil {
		t.Errorf("keys = %+v, %v", keys, err)
	}
	_, _, err = b.store.CreateAPIKey(b.ctx, " ")
	wantCode(t, err, tickets.EINVALID)
	_, err = b.store.EnsureAPIKey(b.ctx, "env", "")
	wantCode(t, err, tickets.EINVALID)
}
