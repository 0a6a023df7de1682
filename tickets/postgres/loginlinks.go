package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

// CreateLoginLink stores the hash of a one-time sign-in token for the agent
// with that email, valid until expires, and drops links that ended more
// than a day ago (nothing looks at them after that).
func (s *Store) CreateLoginLink(ctx context.Context, email string, tokenHash []byte, now, expires time.Time) error {
	return dbError("create sign-in link", s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `insert into login_links (token_hash, email, created_at, expires_at) values ($1, $2, $3, $4)`,
			tokenHash, tickets.NormaliseEmail(email), now, expires); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `delete from login_links where expires_at < $1`, now.Add(-24*time.Hour))
		return err
	}))
}

// CheckLoginLink returns the email a sign-in link is for without spending
// it: ENOTFOUND for a token never issued (or long gone), ECONFLICT for one
// used already or expired.
func (s *Store) CheckLoginLink(ctx context.Context, tokenHash []byte, now time.Time) (string, error) {
	var email string
	var expires time.Time
	var used *time.Time
	err := s.pool.QueryRow(ctx, `select email, expires_at, used_at from login_links where token_hash = $1`, tokenHash).
		Scan(&email, &expires, &used)
	if isNoRows(err) {
		return "", tickets.Errorf(tickets.ENOTFOUND, "no such sign-in link")
	}
	if err != nil {
		return "", dbError("find sign-in link", err)
	}
	if used != nil {
		return "", tickets.Errorf(tickets.ECONFLICT, "this sign-in link was used already")
	}
	if !now.Before(expires) {
		return "", tickets.Errorf(tickets.ECONFLICT, "this sign-in link has expired")
	}
	return email, nil
}

// UseLoginLink spends a sign-in link and returns the email it is for. The
// update is the check, so of two uses at once only one wins. Errors as
// CheckLoginLink's.
func (s *Store) UseLoginLink(ctx context.Context, tokenHash []byte, now time.Time) (string, error) {
	var email string
	err := s.pool.QueryRow(ctx, `update login_links set used_at = $2
		where token_hash = $1 and used_at is null and expires_at > $2 returning email`, tokenHash, now).Scan(&email)
	if isNoRows(err) {
		// Not spent now: say why (unknown, used or expired).
		_, err := s.CheckLoginLink(ctx, tokenHash, now)
		if err == nil {
			err = tickets.Errorf(tickets.ECONFLICT, "this sign-in link was used already")
		}
		return "", err
	}
	return email, dbError("use sign-in link", err)
}
