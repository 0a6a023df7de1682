package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

const accountColumns = `email, name, admin, password_hash, disabled_at, created_at`

func scanAccount(row pgx.Row) (tickets.Account, error) {
	var a tickets.Account
	err := row.Scan(&a.Email, &a.Name, &a.Admin, &a.PasswordHash, &a.DisabledAt, &a.CreatedAt)
	return a, err
}

// CreateAccount gives an agent a password (hashed by the caller) and a role,
// creating the agent if needed and enabling it again if it was disabled.
func (s *Store) CreateAccount(ctx context.Context, a tickets.Account) (tickets.Account, error) {
	email, err := normaliseAssignee(a.Email)
	if err != nil || email == "" {
		return a, tickets.Invalid("email", "agent email %q is not an email address", a.Email)
	}
	if a.PasswordHash == "" {
		return a, tickets.Invalid("password", "an account needs a password")
	}
	out, err := scanAccount(s.pool.QueryRow(ctx, `
		insert into agents (email, name, password_hash, admin, created_at) values ($1, $2, $3, $4, $5)
		on conflict (email) do update set
			name = coalesce(nullif(excluded.name, ''), agents.name),
			password_hash = excluded.password_hash, admin = excluded.admin, disabled_at = null
		returning `+accountColumns,
		email, strings.TrimSpace(a.Name), a.PasswordHash, a.Admin, s.now()))
	return out, dbError("create account", err)
}

// Account finds the agent with that email.
func (s *Store) Account(ctx context.Context, email string) (tickets.Account, error) {
	a, err := scanAccount(s.pool.QueryRow(ctx, `select `+accountColumns+` from agents where email = $1`,
		tickets.NormaliseEmail(email)))
	if isNoRows(err) {
		return a, tickets.Errorf(tickets.ENOTFOUND, "no agent %s", email)
	}
	return a, dbError("find account", err)
}

// ListAccounts lists every agent, those with a password and those known
// only as assignees, by email.
func (s *Store) ListAccounts(ctx context.Context) ([]tickets.Account, error) {
	rows, err := s.pool.Query(ctx, `select `+accountColumns+` from agents order by email`)
	if err != nil {
		return nil, dbError("list accounts", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tickets.Account, error) { return scanAccount(r) })
	return list, dbError("list accounts", err)
}

// DisableAccount stops an agent from signing in. Their sessions end at
// their next request (the dashboard checks the account on each one).
func (s *Store) DisableAccount(ctx context.Context, email string) error {
	tag, err := s.pool.Exec(ctx, `update agents set disabled_at = coalesce(disabled_at, $2) where email = $1`,
		tickets.NormaliseEmail(email), s.now())
	if err != nil {
		return dbError("disable account", err)
	}
	if tag.RowsAffected() == 0 {
		return tickets.Errorf(tickets.ENOTFOUND, "no agent %s", email)
	}
	return nil
}

// LoginFailures counts the failed sign-ins recorded under key since since.
func (s *Store) LoginFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `select count(*) from login_failures where key = $1 and at >= $2`, key, since).Scan(&n)
	return n, dbError("count sign-in failures", err)
}

// RecordLoginFailure counts one failed sign-in under each key, and drops
// records older than a day (nothing looks further back).
func (s *Store) RecordLoginFailure(ctx context.Context, at time.Time, keys ...string) error {
	return dbError("record sign-in failure", s.inTx(ctx, func(tx pgx.Tx) error {
		for _, k := range keys {
			if _, err := tx.Exec(ctx, `insert into login_failures (key, at) values ($1, $2)`, k, at); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `delete from login_failures where at < $1`, at.Add(-24*time.Hour))
		return err
	}))
}

// ClearLoginFailures forgets the failures under key after a good sign-in.
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := s.pool.Exec(ctx, `delete from login_failures where key = $1`, key)
	return dbError("clear sign-in failures", err)
}

// DeleteExpiredSessions removes dashboard sessions past their expiry (scs
// ignores them already; this keeps the table small) and returns how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	tag, err := s.pool.Exec(ctx, `delete from sessions where expiry < $1`, s.now())
	if err != nil {
		return 0, dbError("delete expired sessions", err)
	}
	return tag.RowsAffected(), nil
}
