package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

const replyColumns = `name, body, updated_by, created_at, updated_at`

func scanReply(row pgx.Row) (tickets.SavedReply, error) {
	var r tickets.SavedReply
	err := row.Scan(&r.Name, &r.Body, &r.UpdatedBy, &r.CreatedAt, &r.UpdatedAt)
	return r, err
}

func replyNotFound(name string) error {
	return tickets.Errorf(tickets.ENOTFOUND, "no saved reply named %q", name)
}

// ListReplies lists the saved replies by name.
func (s *Store) ListReplies(ctx context.Context) ([]tickets.SavedReply, error) {
	rows, err := s.pool.Query(ctx, `select `+replyColumns+` from saved_replies order by name`)
	if err != nil {
		return nil, dbError("list saved replies", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (tickets.SavedReply, error) { return scanReply(row) })
	if list == nil {
		list = []tickets.SavedReply{}
	}
	return list, dbError("list saved replies", err)
}

// GetReply returns the saved reply named name.
func (s *Store) GetReply(ctx context.Context, name string) (tickets.SavedReply, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	r, err := scanReply(s.pool.QueryRow(ctx, `select `+replyColumns+` from saved_replies where name = $1`, name))
	if isNoRows(err) {
		return r, replyNotFound(name)
	}
	return r, dbError("get saved reply", err)
}

// CreateReply saves a new reply; a name already taken is ECONFLICT.
func (s *Store) CreateReply(ctx context.Context, by, name, body string) (tickets.SavedReply, error) {
	name, err := tickets.ParseReplyName(name)
	if err != nil {
		return tickets.SavedReply{}, err
	}
	if body, err = tickets.CheckReplyBody(body); err != nil {
		return tickets.SavedReply{}, err
	}
	now := s.now()
	r, err := scanReply(s.pool.QueryRow(ctx, `
		insert into saved_replies (name, body, updated_by, created_at, updated_at) values ($1, $2, $3, $4, $4)
		on conflict (name) do nothing
		returning `+replyColumns, name, body, by, now))
	if isNoRows(err) {
		return r, tickets.Errorf(tickets.ECONFLICT, "a saved reply named %q exists; edit it instead", name)
	}
	return r, dbError("create saved reply", err)
}

// EditReply changes the saved reply named name.
func (s *Store) EditReply(ctx context.Context, by, name string, e tickets.ReplyEdit) (tickets.SavedReply, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	var r tickets.SavedReply
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := scanReply(tx.QueryRow(ctx, `select `+replyColumns+` from saved_replies where name = $1 for update`, name))
		if isNoRows(err) {
			return replyNotFound(name)
		}
		if err != nil {
			return dbError("edit saved reply", err)
		}
		next := cur
		if e.Name != nil {
			if next.Name, err = tickets.ParseReplyName(*e.Name); err != nil {
				return err
			}
		}
		if e.Body != nil {
			if next.Body, err = tickets.CheckReplyBody(*e.Body); err != nil {
				return err
			}
		}
		r, err = scanReply(tx.QueryRow(ctx, `
			update saved_replies set name = $2, body = $3, updated_by = $4, updated_at = $5 where name = $1
			returning `+replyColumns, name, next.Name, next.Body, by, s.now()))
		if hasCode(err, "23505") {
			return tickets.Errorf(tickets.ECONFLICT, "a saved reply named %q exists", next.Name)
		}
		return dbError("edit saved reply", err)
	})
	return r, err
}

// DeleteReply deletes the saved reply named name; gone already is ENOTFOUND.
func (s *Store) DeleteReply(ctx context.Context, name string) error {
	name = strings.ToLower(strings.TrimSpace(name))
	tag, err := s.pool.Exec(ctx, `delete from saved_replies where name = $1`, name)
	if err != nil {
		return dbError("delete saved reply", err)
	}
	if tag.RowsAffected() == 0 {
		return replyNotFound(name)
	}
	return nil
}
