package postgres

import (
	"context"
	"net/mail"
	"strings"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
	"hub/tickets/rules"
)

// CreateTicket opens a ticket. With ExternalRef set it is idempotent on
// (Source, ExternalRef): a repeat returns the existing ticket and created=false.
func (s *Store) CreateTicket(ctx context.Context, actor tickets.Actor, in tickets.NewTicket) (t tickets.Ticket, created bool, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) (err error) {
		t, created, err = s.createTicket(ctx, tx, actor, in, "")
		return err
	})
	return t, created, err
}

// GetTicket finds a ticket by UUID, number (1042) or display number (T-1042).
func (s *Store) GetTicket(ctx context.Context, ref string) (tickets.Ticket, error) {
	return s.loadTicket(ctx, s.pool, ref, false)
}

// createTicket opens a ticket in tx. customerID, when set, is the customer
// (a follow-up keeps its closed ticket's customer); otherwise the customer is
// matched or created from in.Customer.
func (s *Store) createTicket(ctx context.Context, tx pgx.Tx, actor tickets.Actor, in tickets.NewTicket, customerID string) (tickets.Ticket, bool, error) {
	if err := tickets.ValidateNewTicket(&in); err != nil {
		return tickets.Ticket{}, false, err
	}
	assignee, err := normaliseAssignee(in.Assignee)
	if err != nil {
		return tickets.Ticket{}, false, err
	}
	orders := make([]tickets.OrderRef, len(in.Orders))
	for i, o := range in.Orders {
		if orders[i], err = normaliseOrder(o); err != nil {
			return tickets.Ticket{}, false, err
		}
	}
	var followUpOf *string
	if in.FollowUpOf != "" {
		id, ok := canonicalUUID(in.FollowUpOf)
		if !ok {
			return tickets.Ticket{}, false, tickets.Invalid("follow_up_of", "follow_up_of %q is not a ticket id", in.FollowUpOf)
		}
		followUpOf = &id
	}

	if in.ExternalRef != "" {
		if t, found, err := s.existingTicket(ctx, tx, in.Source, in.ExternalRef, in.RequestHash); err != nil || found {
			return t, false, err
		}
	}

	// Everything up to the ticket's insert happens in a savepoint: if a
	// concurrent create with the same external ref wins the race, it is all
	// undone and the winner's ticket is returned, having written nothing.
	sp, err := tx.Begin(ctx)
	if err != nil {
		return tickets.Ticket{}, false, dbError("create ticket", err)
	}
	defer sp.Rollback(ctx)
	if customerID == "" {
		if customerID, err = s.upsertCustomer(ctx, sp, in.Customer); err != nil {
			return tickets.Ticket{}, false, err
		}
	}
	if err := s.saveAgent(ctx, sp, assignee); err != nil {
		return tickets.Ticket{}, false, err
	}
	now := s.now()
	sla := s.opt.Policy.Start(in.Priority, now)
	var id string
	err = sp.QueryRow(ctx, `
		insert into tickets (subject, description, status, priority, tags, assignee, team, customer_id,
			source, external_ref, follow_up_of, first_response_due, resolution_due, clock_start,
			paused_at, paused_ns, paused_business_ns, created_at, updated_at, store, request_hash,
			first_response_risk_at, resolution_risk_at)
		values ($1, $2, 'open', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18, $19, $20, $21)
		on conflict (source, external_ref) where external_ref <> '' do nothing
		returning id`,
		in.Subject, in.Description, in.Priority, in.Tags, assignee, in.Team, nullString(customerID),
		in.Source, in.ExternalRef, followUpOf, nullTime(sla.FirstResponseDue), nullTime(sla.ResolutionDue),
		nullTime(sla.ClockStart), sla.PausedAt, int64(sla.Paused), int64(sla.PausedBusiness), now, in.Store,
		in.RequestHash, nullTime(sla.FirstResponseRisk), nullTime(sla.ResolutionRisk),
	).Scan(&id)
	if isNoRows(err) {
		if err := sp.Rollback(ctx); err != nil {
			return tickets.Ticket{}, false, dbError("create ticket", err)
		}
		t, _, err := s.existingTicket(ctx, tx, in.Source, in.ExternalRef, in.RequestHash)
		return t, false, err
	}
	if err != nil {
		return tickets.Ticket{}, false, dbError("create ticket", err)
	}
	for i := range orders {
		if _, orders[i], err = s.attachOrder(ctx, sp, id, orders[i]); err != nil {
			return tickets.Ticket{}, false, err
		}
	}
	if err := insertAttachments(ctx, sp, id, 0, in.Attachments, now); err != nil {
		return tickets.Ticket{}, false, err
	}
	if err := sp.Commit(ctx); err != nil {
		return tickets.Ticket{}, false, dbError("create ticket", err)
	}

	t, err := s.loadTicket(ctx, tx, id, false)
	if err != nil {
		return t, false, err
	}
	if _, err := s.writeEvent(ctx, tx, t, tickets.EventCreated, actor, nil, createdEvent(t, in)); err != nil {
		return t, false, err
	}
	for _, o := range orders {
		if _, err := s.writeEvent(ctx, tx, t, tickets.EventOrderLinked, actor, nil, orderEvent(o)); err != nil {
			return t, false, err
		}
	}
	if t.FollowUpOf != "" {
		// A follow-up goes back to whoever had the closed ticket.
		if t, err = s.reassignReopened(ctx, tx, t); err != nil {
			return t, false, err
		}
	}
	t, err = s.runRules(ctx, tx, t, rules.TicketCreated, nil)
	return t, err == nil, err
}

// existingTicket loads the ticket with this source and external ref, if any.
// With hash set, a ticket made by a request with another hash is ECONFLICT:
// the caller reused an idempotency key for a different request.
func (s *Store) existingTicket(ctx context.Context, q querier, source tickets.Source, ref, hash string) (tickets.Ticket, bool, error) {
	var id, stored string
	err := q.QueryRow(ctx, `select id, request_hash from tickets where source = $1 and external_ref = $2`, source, ref).Scan(&id, &stored)
	if isNoRows(err) {
		return tickets.Ticket{}, false, nil
	}
	if err != nil {
		return tickets.Ticket{}, false, dbError("find ticket", err)
	}
	// A ticket from before hashes were kept (stored "") cannot be compared.
	if hash != "" && stored != "" && hash != stored {
		return tickets.Ticket{}, false, tickets.Errorf(tickets.ECONFLICT,
			"Idempotency-Key %q was already used for a different request; send a new key for a new ticket", ref)
	}
	t, err := s.loadTicket(ctx, q, id, false)
	return t, err == nil, err
}

// createdEvent is what the created event records. The order a caller named
// by number only is recorded too, for the enrichment to find and link.
func createdEvent(t tickets.Ticket, in tickets.NewTicket) map[string]any {
	after := map[string]any{
		"number":   t.Number,
		"subject":  t.Subject,
		"status":   string(t.Status),
		"priority": string(t.Priority),
		"source":   string(t.Source),
	}
	if t.Assignee != "" {
		after["assignee"] = t.Assignee
	}
	if len(t.Tags) > 0 {
		after["tags"] = t.Tags
	}
	if t.Team != "" {
		after["team"] = t.Team
	}
	if t.FollowUpOf != "" {
		after["follow_up_of"] = t.FollowUpOf
	}
	if in.OrderNumber != "" {
		after["order_number"] = in.OrderNumber
	}
	if in.Store != "" {
		after["store"] = in.Store
	}
	return after
}

// normaliseAssignee lower-cases an agent's email and checks it is one; ""
// means unassigned.
func normaliseAssignee(s string) (string, error) {
	s = tickets.NormaliseEmail(s)
	if s == "" {
		return "", nil
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || !strings.Contains(s, "@") {
		return "", tickets.Invalid("assignee", "assignee %q is not an email address", s)
	}
	return s, nil
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
