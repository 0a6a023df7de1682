package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

// ticketSelect reads a ticket with its customer; stores and orders are
// loaded by loadRelations.
const ticketSelect = `
	select t.id, t.number, t.subject, t.description, t.status, t.priority, t.tags,
		t.assignee, t.team, t.source, t.external_ref, t.store, coalesce(t.follow_up_of::text, ''),
		t.first_response_due, t.resolution_due, t.clock_start, t.paused_at, t.paused_ns, t.paused_business_ns,
		t.first_response_risk_at, t.resolution_risk_at,
		t.slack_team, t.slack_channel, t.slack_ts, t.slack_error, t.slack_digest, t.reply_error,
		t.created_at, t.updated_at, t.first_response_at, t.resolved_at, t.closed_at,
		coalesce(c.id::text, ''), coalesce(c.email, ''), coalesce(c.name, ''), coalesce(c.phone, ''), c.created_at,
		coalesce(esc.level, ''), esc.mention
	from tickets t left join customers c on c.id = t.customer_id
	left join lateral (
		select x.level, x.mention from sla_escalations x where x.ticket_id = t.id
		order by x.at desc, x.level = 'breached' desc limit 1
	) esc on true`

func scanTicket(row pgx.Row) (tickets.Ticket, error) {
	var (
		t                                    tickets.Ticket
		firstDue, resDue, clockStart, custAt *time.Time
		firstRisk, resRisk                   *time.Time
		paused, pausedBiz                    int64
	)
	err := row.Scan(&t.ID, &t.Number, &t.Subject, &t.Description, &t.Status, &t.Priority, &t.Tags,
		&t.Assignee, &t.Team, &t.Source, &t.ExternalRef, &t.Store, &t.FollowUpOf,
		&firstDue, &resDue, &clockStart, &t.SLA.PausedAt, &paused, &pausedBiz,
		&firstRisk, &resRisk,
		&t.Slack.Team, &t.Slack.Channel, &t.Slack.TS, &t.Slack.Error, &t.Slack.Digest, &t.ReplyError,
		&t.CreatedAt, &t.UpdatedAt, &t.FirstResponseAt, &t.ResolvedAt, &t.ClosedAt,
		&t.Customer.ID, &t.Customer.Email, &t.Customer.Name, &t.Customer.Phone, &custAt,
		&t.Escalation.Level, &t.Escalation.Summoned)
	if err != nil {
		return t, err
	}
	t.SLA.FirstResponseDue = deref(firstDue)
	t.SLA.ResolutionDue = deref(resDue)
	t.SLA.ClockStart = deref(clockStart)
	t.SLA.FirstResponseRisk = deref(firstRisk)
	t.SLA.ResolutionRisk = deref(resRisk)
	t.SLA.Paused = time.Duration(paused)
	t.SLA.PausedBusiness = time.Duration(pausedBiz)
	t.Customer.CreatedAt = deref(custAt)
	if t.Tags == nil {
		t.Tags = []string{}
	}
	return t, nil
}

// loadTicket loads one ticket with its relations; with lock, the ticket row
// stays locked until the transaction ends.
func (s *Store) loadTicket(ctx context.Context, q querier, ref string, lock bool) (tickets.Ticket, error) {
	r, err := parseRef(ref)
	if err != nil {
		return tickets.Ticket{}, err
	}
	where, arg := r.where("t")
	sql := ticketSelect + ` where ` + where
	if lock {
		sql += ` for update of t`
	}
	t, err := scanTicket(q.QueryRow(ctx, sql, arg))
	if isNoRows(err) {
		return t, notFound(ref)
	}
	if err != nil {
		return t, dbError("load ticket", err)
	}
	list := []*tickets.Ticket{&t}
	return t, s.loadRelations(ctx, q, list)
}

// ticketID resolves a reference to the ticket's id.
func (s *Store) ticketID(ctx context.Context, q querier, ref string) (string, error) {
	r, err := parseRef(ref)
	if err != nil {
		return "", err
	}
	var id string
	where, arg := r.where("tickets")
	err = q.QueryRow(ctx, `select id from tickets where `+where, arg).Scan(&id)
	if isNoRows(err) {
		return "", notFound(ref)
	}
	return id, dbError("find ticket", err)
}

// collectTickets scans ticket rows and loads their relations.
func (s *Store) collectTickets(ctx context.Context, q querier, rows pgx.Rows) ([]tickets.Ticket, error) {
	list, err := collectTicketRows(rows)
	if err != nil {
		return nil, err
	}
	ptrs := make([]*tickets.Ticket, len(list))
	for i := range list {
		ptrs[i] = &list[i]
	}
	return list, s.loadRelations(ctx, q, ptrs)
}

// collectTicketRows reads rows of ticketSelect, without their relations.
func collectTicketRows(rows pgx.Rows) ([]tickets.Ticket, error) {
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (tickets.Ticket, error) { return scanTicket(row) })
	return list, dbError("list tickets", err)
}

// loadRelations fills in the customers' store ids, the linked orders and
// the latest satisfaction rating.
func (s *Store) loadRelations(ctx context.Context, q querier, list []*tickets.Ticket) error {
	if len(list) == 0 {
		return nil
	}
	var ids, customers []string
	byID := map[string]*tickets.Ticket{}
	byCustomer := map[string][]*tickets.Ticket{}
	for _, t := range list {
		t.Orders = []tickets.OrderRef{}
		ids = append(ids, t.ID)
		byID[t.ID] = t
		if id := t.Customer.ID; id != "" {
			if _, seen := byCustomer[id]; !seen {
				customers = append(customers, id)
			}
			byCustomer[id] = append(byCustomer[id], t)
		}
	}

	stores, err := s.customerStores(ctx, q, customers)
	if err != nil {
		return err
	}
	for id, ts := range byCustomer {
		for _, t := range ts {
			t.Customer.Stores = stores[id]
		}
	}

	if err := s.loadRatings(ctx, q, ids, byID); err != nil {
		return err
	}

	rows, err := q.Query(ctx, `
		select x.ticket_id, `+orderColumns+`
		from ticket_orders x join orders o on o.store = x.store and o.order_id = x.order_id
		where x.ticket_id = any($1::uuid[])
		order by x.linked_at, o.store, o.order_id`, ids)
	if err != nil {
		return dbError("load orders", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ticketID string
		o, err := scanOrder(rows, &ticketID)
		if err != nil {
			return dbError("load orders", err)
		}
		byID[ticketID].Orders = append(byID[ticketID].Orders, o)
	}
	return dbError("load orders", rows.Err())
}

// customerStores returns each customer's store ids.
func (s *Store) customerStores(ctx context.Context, q querier, customers []string) (map[string][]tickets.StoreCustomer, error) {
	out := map[string][]tickets.StoreCustomer{}
	if len(customers) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, `
		select customer_id, store, customer_id_in_store, name, email, phone, orders_count, total_spent,
			currency, first_order_at, tags, note, admin_url, updated_at
		from customer_stores
		where customer_id = any($1::uuid[]) order by store, customer_id_in_store`, customers)
	if err != nil {
		return nil, dbError("load customer stores", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var sc tickets.StoreCustomer
		var updated *time.Time
		if err := rows.Scan(&id, &sc.Store, &sc.CustomerID, &sc.Name, &sc.Email, &sc.Phone, &sc.OrdersCount,
			&sc.TotalSpent, &sc.Currency, &sc.FirstOrderAt, &sc.Tags, &sc.Note, &sc.AdminURL, &updated); err != nil {
			return nil, dbError("load customer stores", err)
		}
		sc.UpdatedAt = deref(updated)
		out[id] = append(out[id], sc)
	}
	return out, dbError("load customer stores", rows.Err())
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
