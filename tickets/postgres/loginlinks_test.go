package postgres_test

import (
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"hub/tickets"
)

func TestLoginLinks(t *testing.T) {
	b := setup(t)
	if _, err := b.store.CreateAccount(b.ctx, tickets.Account{Email: "ana@example.com", Name: "Ana", PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	hash := func(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }
	now := start
	for _, tok := range []string{"fresh", "race", "old"} {
		if err := b.store.CreateLoginLink(b.ctx, "Ana@Example.com", hash(tok), now, now.Add(15*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.store.CreateLoginLink(b.ctx, "nobody@example.com", hash("x"), now, now.Add(time.Minute)); err == nil {
		t.Error("a link for an email without an agent was stored")
	}

	check := func(name, tok string, at time.Time, use bool, wantEmail string, wantCode tickets.Code) {
		t.Helper()
		f := b.store.CheckLoginLink
		if use {
			f = b.store.UseLoginLink
		}
		email, err := f(b.ctx, hash(tok), at)
		if email != wantEmail || tickets.ErrorCode(err) != wantCode {
			t.Errorf("%s: %q %v, want %q %q", name, email, err, wantEmail, wantCode)
		}
	}
	check("unknown", "never", now, false, "", tickets.ENOTFOUND)
	check("unknown, used", "never", now, true, "", tickets.ENOTFOUND)
	check("fresh, checked", "fresh", now.Add(time.Minute), false, "ana@example.com", "")
	check("fresh, checked again", "fresh", now.Add(time.Minute), false, "ana@example.com", "")
	check("fresh, used", "fresh", now.Add(time.Minute), true, "ana@example.com", "")
	check("spent, checked", "fresh", now.Add(time.Minute), false, "", tickets.ECONFLICT)
	check("spent, used", "fresh", now.Add(time.Minute), true, "", tickets.ECONFLICT)
	check("expired, checked", "old", now.Add(15*time.Minute), false, "", tickets.ECONFLICT)
	check("expired, used", "old", now.Add(15*time.Minute), true, "", tickets.ECONFLICT)

	// Two uses at once: exactly one signs in.
	var wg sync.WaitGroup
	wins := make(chan string, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if email, err := b.store.UseLoginLink(b.ctx, hash("race"), now.Add(time.Minute)); err == nil {
				wins <- email
			} else if tickets.ErrorCode(err) != tickets.ECONFLICT {
				t.Errorf("racing use: %v", err)
			}
		}()
	}
	wg.Wait()
	close(wins)
	if n := len(wins); n != 1 {
		t.Errorf("%d racing uses signed in, want 1", n)
	}

	// Links that ended more than a day ago are dropped on the next one.
	later := now.Add(48 * time.Hour)
	if err := b.store.CreateLoginLink(b.ctx, "ana@example.com", hash("new"), later, later.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := b.count(t, `select count(*) from login_links`); n != 1 {
		t.Errorf("%d links kept, want the new one", n)
	}
}
