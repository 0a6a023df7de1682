package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

// upsertCustomer finds the customer in names, by normalised email, else
// store id, else (only for a record without an email) phone, fills in what the stored customer lacks, records the
// store id, and returns the customer's id. A customer nothing identifies and
// nobody named is no customer: it returns "".
func (s *Store) upsertCustomer(ctx context.Context, tx pgx.Tx, in tickets.CustomerInput) (string, error) {
	in = in.Normalised()
	hasStoreID := in.Store != "" && in.StoreCustomerID != ""
	if in.Email == "" && in.Phone == "" && !hasStoreID && in.Name == "" {
		return "", nil
	}
	id, err := s.findOrInsertCustomer(ctx, tx, in)
	if err != nil {
		return "", err
	}
	if hasStoreID {
		_, err := tx.Exec(ctx, `
			insert into customer_stores (customer_id, store, customer_id_in_store) values ($1, $2, $3)
			on conflict do nothing`, id, in.Store, in.StoreCustomerID)
		if err != nil {
			return "", dbError("save customer store", err)
		}
	}
	return id, nil
}

func (s *Store) findOrInsertCustomer(ctx context.Context, tx pgx.Tx, in tickets.CustomerInput) (string, error) {
	anonymous := in.Email == "" && in.Phone == "" && (in.Store == "" || in.StoreCustomerID == "")
	// A concurrent transaction may insert the same customer between our
	// look-up and insert; the insert then does nothing and the next look-up
	// finds it.
	for attempt := 0; attempt < 3; attempt++ {
		if !anonymous {
			var id string
			// The email decides; the store's own id for its customer comes
			// next; a phone only speaks for a record without an email, so
			// that two buyers sharing one (a household, a shop's front
			// desk) stay two customers.
			err := tx.QueryRow(ctx, `
				with by_store as (
					select customer_id from customer_stores where $3 <> '' and $4 <> '' and store = $3 and customer_id_in_store = $4
				)
				select c.id from customers c
				where ($1 <> '' and c.email = $1)
					or c.id = (select customer_id from by_store)
					or ($1 = '' and $2 <> '' and c.phone = $2)
				order by ($1 <> '' and c.email = $1) desc, coalesce(c.id = (select customer_id from by_store), false) desc
				limit 1
				for update of c`, in.Email, in.Phone, in.Store, in.StoreCustomerID).Scan(&id)
			if err == nil {
				return id, s.fillCustomer(ctx, tx, id, in)
			}
			if !isNoRows(err) {
				return "", dbError("find customer", err)
			}
		}
		var id string
		// A phone that is another customer's already stays theirs.
		err := tx.QueryRow(ctx, `
			insert into customers (email, name, phone, created_at)
			values ($1, $2, case when $3 <> '' and not exists (select 1 from customers where phone = $3) then $3 else '' end, $4)
			on conflict do nothing
			returning id`, in.Email, in.Name, in.Phone, s.now()).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !isNoRows(err) {
			return "", dbError("save customer", err)
		}
	}
	return "", fmt.Errorf("postgres: save customer: gave up after concurrent inserts")
}

// fillCustomer fills in the name, email and phone a customer lacks. An email
// or phone that already belongs to another customer is left out.
func (s *Store) fillCustomer(ctx context.Context, tx pgx.Tx, id string, in tickets.CustomerInput) error {
	const fill = `
		update customers c set
			name = case when c.name = '' then $2 else c.name end,
			email = case when c.email = '' and $3 <> '' and not exists (select 1 from customers o where o.email = $3)
				then $3 else c.email end,
			phone = case when c.phone = '' and $4 <> '' and not exists (select 1 from customers o where o.phone = $4)
				then $4 else c.phone end
		where c.id = $1 and ((c.name = '' and $2 <> '') or (c.email = '' and $3 <> '') or (c.phone = '' and $4 <> ''))`
	// The email or phone may be taken by a customer inserted concurrently
	// (invisible to the NOT EXISTS); then only the name is filled in.
	sp, err := tx.Begin(ctx)
	if err != nil {
		return dbError("update customer", err)
	}
	_, err = sp.Exec(ctx, fill, id, in.Name, in.Email, in.Phone)
	if err == nil {
		return dbError("update customer", sp.Commit(ctx))
	}
	if rbErr := sp.Rollback(ctx); rbErr != nil || !hasCode(err, "23505") {
		return dbError("update customer", err)
	}
	_, err = tx.Exec(ctx, fill, id, in.Name, "", "")
	return dbError("update customer", err)
}

// CustomerByEmail returns the customer with that email and their tickets,
// newest first (at most 100).
func (s *Store) CustomerByEmail(ctx context.Context, email string) (tickets.Customer, []tickets.Ticket, error) {
	var c tickets.Customer
	email = tickets.NormaliseEmail(email)
	if email == "" {
		return c, nil, tickets.Errorf(tickets.ENOTFOUND, "customer %q not found", email)
	}
	err := s.pool.QueryRow(ctx, `select id, email, name, phone, created_at from customers where email = $1`, email).
		Scan(&c.ID, &c.Email, &c.Name, &c.Phone, &c.CreatedAt)
	if isNoRows(err) {
		return c, nil, tickets.Errorf(tickets.ENOTFOUND, "customer %s not found", email)
	}
	if err != nil {
		return c, nil, dbError("get customer", err)
	}
	stores, err := s.customerStores(ctx, s.pool, []string{c.ID})
	if err != nil {
		return c, nil, err
	}
	c.Stores = stores[c.ID]
	rows, err := s.pool.Query(ctx, ticketSelect+`
		where t.customer_id = $1 order by t.created_at desc, t.id desc limit 100`, c.ID)
	if err != nil {
		return c, nil, dbError("list customer tickets", err)
	}
	list, err := s.collectTickets(ctx, s.pool, rows)
	return c, list, err
}
