package postgres

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"hub/tickets"
)

// ListTickets lists tickets newest first; next is "" on the last page.
func (s *Store) ListTickets(ctx context.Context, f tickets.Filter) (list []tickets.Ticket, next string, err error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}

	if f.Status != "" {
		st, err := tickets.ParseStatus(string(f.Status))
		if err != nil {
			return nil, "", err
		}
		where = append(where, "t.status = "+arg(st))
	}
	if f.Priority != "" {
		pr, err := tickets.ParsePriority(string(f.Priority))
		if err != nil {
			return nil, "", err
		}
		where = append(where, "t.priority = "+arg(pr))
	}
	if tag := strings.ToLower(strings.TrimSpace(f.Tag)); tag != "" {
		where = append(where, "t.tags @> array["+arg(tag)+"::text]")
	}
	if a := tickets.NormaliseEmail(f.Assignee); a != "" {
		where = append(where, "t.assignee = "+arg(a))
	}
	if e := tickets.NormaliseEmail(f.Email); e != "" {
		where = append(where, "c.email = "+arg(e))
	}
	if o := strings.TrimLeft(strings.TrimSpace(f.Order), "#"); o != "" {
		p := arg(o)
		where = append(where, `exists (
			select 1 from ticket_orders x join orders o on o.store = x.store and o.order_id = x.order_id
			where x.ticket_id = t.id and (o.order_id = `+p+` or ltrim(o.order_id, '#') = `+p+` or ltrim(o.order_number, '#') = `+p+`))`)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		p := arg(q)
		where = append(where, `(t.search @@ websearch_to_tsquery('simple', `+p+`) or t.id in (
			select m.ticket_id from messages m
			where m.search @@ websearch_to_tsquery('simple', `+p+`) and m.deleted_at is null))`)
	}
	now := f.Now
	if now.IsZero() {
		now = s.now()
	}
	if cond, err := viewWhere(f.View, f.Me, now, arg); err != nil {
		return nil, "", err
	} else if cond != "" {
		where = append(where, cond)
	}
	order := "t.created_at desc, t.id desc"
	if f.Sort == tickets.SortDue {
		// Tickets without a due time come last: their key is +infinity.
		order = nextDueSQL + " asc, t.id asc"
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		if f.Sort == tickets.SortDue {
			where = append(where, "("+nextDueSQL+", t.id) > ("+arg(at)+", "+arg(id)+"::uuid)")
		} else {
			where = append(where, "(t.created_at, t.id) < ("+arg(at)+", "+arg(id)+"::uuid)")
		}
	}

	limit := clamp(f.Limit, 25, 100)
	sql := ticketSelect
	if len(where) > 0 {
		sql += "\n\twhere " + strings.Join(where, "\n\tand ")
	}
	sql += "\n\torder by " + order + " limit " + arg(limit+1)

	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, "", dbError("list tickets", err)
	}
	if f.Rows {
		list, err = collectTicketRows(rows)
	} else {
		list, err = s.collectTickets(ctx, s.pool, rows)
	}
	if err != nil {
		return nil, "", err
	}
	if len(list) > limit {
		list = list[:limit]
		last := list[limit-1]
		if f.Sort == tickets.SortDue {
			next = encodeCursor(dueKey(last), last.ID)
		} else {
			next = encodeCursor(last.CreatedAt, last.ID)
		}
	}
	return list, next, nil
}

// A cursor is the (created_at, id) of the last ticket of a page, opaque to
// callers: base64url of "<unix microseconds>.<uuid>".
func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d.%s", at.UnixMicro(), id))
}

func decodeCursor(c string) (time.Time, string, error) {
	bad := tickets.Invalid("cursor", "cursor is not valid; use next_cursor from the previous page")
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", bad
	}
	micros, id, ok := strings.Cut(string(b), ".")
	if !ok {
		return time.Time{}, "", bad
	}
	n, err := strconv.ParseInt(micros, 10, 64)
	if err != nil {
		return time.Time{}, "", bad
	}
	id, ok = canonicalUUID(id)
	if !ok {
		return time.Time{}, "", bad
	}
	return time.UnixMicro(n).UTC(), id, nil
}
