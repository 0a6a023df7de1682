package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"hub/tickets"
)

// IsUnavailable reports whether err means Postgres could not be reached (or
// did not answer in time), so the caller should answer "try again later"
// rather than blame the request.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	// An HTTP call that failed (a vendor's API, unreachable or slow) is a
	// net.Error too, and a deadline with it: it says nothing of Postgres.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return false
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case len(pgErr.Code) == 5 && pgErr.Code[:2] == "08": // connection_exception
			return true
		case pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03": // shutting down, starting up
			return true
		case pgErr.Code == "53300": // too_many_connections
			return true
		}
		return false
	}
	var netErr net.Error
	return errors.As(err, &netErr)
}

// dbError wraps an error from pgx with what the store was doing. Domain
// errors pass through; errors that are the caller's fault get a domain code.
func dbError(op string, err error) error {
	if err == nil {
		return nil
	}
	var de *tickets.Error
	if errors.As(err, &de) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			return &tickets.Error{Code: tickets.ECONFLICT, Message: op + ": already exists"}
		case "23514", "22P02", "22007", "22008", "22001", "23503": // check, bad text, bad datetime, too long, foreign key
			return &tickets.Error{Code: tickets.EINVALID, Message: op + ": " + pgErr.Message}
		}
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

func hasCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}
