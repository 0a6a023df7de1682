package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

const redacted = "[redacted]"

// redactCustomer erases a customer's personal data everywhere the hub keeps
// it. What identifies them (emails, phones, names) is scrubbed from free
// text too: subjects, messages, audit entries, order snapshots, pending
// outbox payloads and the raw deliveries stored in the inbox, including the
// redaction request itself.
func (s *Store) redactCustomer(ctx context.Context, tx pgx.Tx, actor tickets.Actor, c tickets.RedactCustomer) error {
	email, phone := tickets.NormaliseEmail(c.Email), tickets.NormalisePhone(c.Phone)
	rows, err := tx.Query(ctx, `
		select c.id from customers c
		where ($1 <> '' and c.email = $1) or ($2 <> '' and c.phone = $2)
			or c.id in (select customer_id from customer_stores where $3 <> '' and store = $3 and customer_id_in_store = $4 and $4 <> '')
			or c.email in (select customer_email from orders where $3 <> '' and store = $3 and order_id = any($5) and customer_email <> '')
		for update`, email, phone, c.Store, c.StoreCustomerID, c.OrderIDs)
	if err != nil {
		return dbError("find customer to redact", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return dbError("find customer to redact", err)
	}

	// Everything that names them, longest first so that an email is
	// replaced before a name inside it.
	idents := map[string]bool{}
	add := func(v string) {
		if v = strings.TrimSpace(v); len([]rune(v)) >= 3 {
			idents[v] = true
		}
	}
	add(c.Email)
	add(email)
	add(c.Phone)
	add(phone)
	rows, err = tx.Query(ctx, `
		select c.email, c.phone, c.name from customers c where c.id = any($1::uuid[])
		union all
		select cs.email, cs.phone, cs.name from customer_stores cs where cs.customer_id = any($1::uuid[])
		union all
		select o.customer_email, '', '' from orders o where $2 <> '' and o.store = $2 and o.order_id = any($3)`,
		ids, c.Store, c.OrderIDs)
	if err != nil {
		return dbError("collect customer data", err)
	}
	for rows.Next() {
		var e, p, n string
		if err := rows.Scan(&e, &p, &n); err != nil {
			rows.Close()
			return dbError("collect customer data", err)
		}
		add(e)
		add(p)
		add(n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return dbError("collect customer data", err)
	}

	// Their tickets lose subject and description, and their own words.
	rows, err = tx.Query(ctx, `
		update tickets set subject = $2, description = '' where customer_id = any($1::uuid[]) returning id`,
		ids, redacted)
	if err != nil {
		return dbError("redact tickets", err)
	}
	ticketIDs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return dbError("redact tickets", err)
	}
	identList := make([]string, 0, len(idents))
	for v := range idents {
		identList = append(identList, v)
	}
	steps := []struct {
		op, sql string
		args    []any
	}{
		{"redact customer messages", `update messages set body = '` + redacted + `' where ticket_id = any($1::uuid[]) and kind = 'customer'`, []any{ticketIDs}},
		{"redact ticket events", `update events set before = before - 'subject', after = after - 'subject' where ticket_id = any($1::uuid[])`, []any{ticketIDs}},
		{"forget store ids", `delete from customer_stores where customer_id = any($1::uuid[])`, []any{ids}},
		{"redact customer", `update customers set email = '', phone = '', name = 'Redacted customer' where id = any($1::uuid[])`, []any{ids}},
		{"redact orders", `update orders set customer_email = '', details = null
			where customer_email = any($1) or ($2 <> '' and store = $2 and order_id = any($3))`, []any{identList, c.Store, c.OrderIDs}},
	}
	for _, st := range steps {
		if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
			return dbError(st.op, err)
		}
	}
	if err := s.scrub(ctx, tx, identList); err != nil {
		return err
	}
	for _, id := range ticketIDs {
		t, err := s.loadTicket(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if _, err := s.writeEvent(ctx, tx, t, tickets.EventRedacted, actor, nil, map[string]any{"customer": "redacted"}); err != nil {
			return err
		}
	}
	return nil
}

// scrub replaces each identifier wherever free text may hold it.
func (s *Store) scrub(ctx context.Context, tx pgx.Tx, idents []string) error {
	// Longest first: an email goes before a name it contains.
	for i := range idents {
		for j := i + 1; j < len(idents); j++ {
			if len(idents[j]) > len(idents[i]) {
				idents[i], idents[j] = idents[j], idents[i]
			}
		}
	}
	for _, v := range idents {
		for _, st := range []struct{ op, sql string }{
			{"scrub subjects", `update tickets set subject = replace(subject, $1, $2), description = replace(description, $1, $2)
				where strpos(subject, $1) > 0 or strpos(description, $1) > 0`},
			{"scrub messages", `update messages set body = replace(body, $1, $2) where strpos(body, $1) > 0`},
			{"scrub events", `update events set before = replace(before::text, $1, $2)::jsonb, after = replace(after::text, $1, $2)::jsonb
				where strpos(before::text, $1) > 0 or strpos(after::text, $1) > 0`},
			{"scrub orders", `update orders set details = null, customer_email = '' where strpos(details::text, $1) > 0`},
			// Raw payloads are not edited but dropped: a partly scrubbed
			// vendor payload could still identify the person.
			{"scrub deliveries", `update deliveries set body = convert_to('{"redacted":true}', 'UTF8'), headers = '{}'
				where position(convert_to($1, 'UTF8') in body) > 0`},
			{"scrub outbox", `update outbox set payload = convert_to(replace(convert_from(payload, 'UTF8'), $1, $2), 'UTF8')
				where position(convert_to($1, 'UTF8') in payload) > 0`},
		} {
			args := []any{v, redacted}
			if !strings.Contains(st.sql, "$2") {
				args = args[:1]
			}
			if _, err := tx.Exec(ctx, st.sql, args...); err != nil {
				return dbError(st.op, err)
			}
		}
	}
	return nil
}

// eraseStore removes a store's data: shop/redact, 48 hours after uninstall.
func (s *Store) eraseStore(ctx context.Context, tx pgx.Tx, c tickets.EraseStore) error {
	store := strings.TrimSpace(c.Store)
	kind, key, ok := strings.Cut(store, ":")
	if !ok || kind == "" || key == "" {
		return tickets.Invalid("store", "store %q is not a store key like shopify:acme.myshopify.com", c.Store)
	}
	for _, st := range []struct {
		op, sql string
		args    []any
	}{
		{"erase store tickets", `delete from tickets where store = $1`, []any{store}},
		{"erase order links", `delete from ticket_orders where store = $1`, []any{store}},
		{"erase orders", `delete from orders where store = $1`, []any{store}},
		{"erase store customers", `delete from customer_stores where store = $1`, []any{store}},
		{"erase deliveries", `delete from deliveries where source = $1 and tenant = $2`, []any{kind, key}},
		{"erase connection", `delete from connections where kind = $1 and key = $2`, []any{kind, key}},
		// Customers the store alone knew, with nothing left, go too.
		{"erase orphan customers", `delete from customers c where not exists (select 1 from tickets t where t.customer_id = c.id)
			and not exists (select 1 from customer_stores cs where cs.customer_id = c.id)`, nil},
	} {
		if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
			return dbError(st.op, err)
		}
	}
	return nil
}

// editMessage applies an edit or deletion made at the message's source.
func (s *Store) editMessage(ctx context.Context, tx pgx.Tx, actor tickets.Actor, c tickets.EditMessage) error {
	if c.ExternalRef == "" {
		return tickets.Invalid("external_ref", "an edit needs the message's reference at its source")
	}
	rows, err := tx.Query(ctx, `select `+messageColumns+` from messages m where source = $1 and external_ref = $2 for update`,
		c.Source, c.ExternalRef)
	if err != nil {
		return dbError("find message", err)
	}
	msgs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (tickets.Message, error) { return scanMessage(row) })
	if err != nil {
		return dbError("find message", err)
	}
	now := s.now()
	for _, m := range msgs {
		if m.DeletedAt != nil || (!c.Deleted && m.Body == c.Body) {
			continue // already so: a repeated edit changes nothing
		}
		t, err := s.loadTicket(ctx, tx, m.TicketID, true)
		if err != nil {
			return err
		}
		typ, before, after := tickets.EventMessageEdited, map[string]any{"message_id": m.ID, "body": m.Body}, map[string]any{"message_id": m.ID, "body": c.Body}
		sql, args := `update messages set body = $2, edited_at = $3 where id = $1`, []any{m.ID, c.Body, now}
		if c.Deleted {
			typ, after = tickets.EventMessageDeleted, map[string]any{"message_id": m.ID, "deleted": true}
			sql, args = `update messages set deleted_at = $2 where id = $1`, []any{m.ID, now}
		} else if err := validateMessage(tickets.NewMessage{Kind: m.Kind, Body: c.Body}); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			return dbError("edit message", err)
		}
		if _, err := s.writeEvent(ctx, tx, t, typ, actor, before, after); err != nil {
			return err
		}
	}
	return nil
}
