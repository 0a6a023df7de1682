package postgres

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

// UpdateTicket applies a patch through the domain's lifecycle rules.
func (s *Store) UpdateTicket(ctx context.Context, actor tickets.Actor, ref string, p tickets.Patch) (tickets.Ticket, error) {
	var t tickets.Ticket
	err := s.inTx(ctx, func(tx pgx.Tx) (err error) {
		t, err = s.updateTicket(ctx, tx, actor, ref, p)
		return err
	})
	return t, err
}

func (s *Store) updateTicket(ctx context.Context, tx pgx.Tx, actor tickets.Actor, ref string, p tickets.Patch) (tickets.Ticket, error) {
	t, err := s.loadTicket(ctx, tx, ref, true)
	if err != nil {
		return t, err
	}
	before := snapshot(t)
	now := s.now()
	if p.Status != nil {
		if _, err := t.SetStatus(*p.Status, now, s.opt.Policy); err != nil {
			return before, err
		}
	}
	if p.Priority != nil {
		pr, err := tickets.ParsePriority(string(*p.Priority))
		if err != nil {
			return before, err
		}
		t.SetPriority(pr, now, s.opt.Policy)
	}
	if p.Assignee != nil {
		if t.Assignee, err = normaliseAssignee(*p.Assignee); err != nil {
			return before, err
		}
	}
	if p.Tags != nil {
		if t.Tags, err = tickets.NormaliseTags(*p.Tags); err != nil {
			return before, err
		}
	}
	if p.Team != nil {
		t.Team = strings.TrimSpace(*p.Team)
	}
	if t, err = s.saveChanges(ctx, tx, actor, before, t); err != nil {
		return t, err
	}
	if before.Status != tickets.StatusOpen && t.Status == tickets.StatusOpen && p.Assignee == nil {
		// Reopened without naming an assignee: back to the previous one if
		// they are available.
		return s.reassignReopened(ctx, tx, t)
	}
	return t, nil
}

// snapshot copies a ticket so later changes to t leave it alone.
func snapshot(t tickets.Ticket) tickets.Ticket {
	t.Tags = slices.Clone(t.Tags)
	return t
}

// saveChanges writes t back if it differs from before and records one event
// per kind of change: status_changed for the status, updated for the other
// fields. A ticket that did not change writes nothing.
func (s *Store) saveChanges(ctx context.Context, tx pgx.Tx, actor tickets.Actor, before, t tickets.Ticket) (tickets.Ticket, error) {
	statusBefore, statusAfter, fieldsBefore, fieldsAfter := diff(before, t)
	if len(statusAfter) == 0 && len(fieldsAfter) == 0 && !sameTicketState(before, t) {
		// A change with no audited field (first response, updated_at).
		return s.writeBack(ctx, tx, t)
	}
	if len(statusAfter) == 0 && len(fieldsAfter) == 0 {
		return t, nil
	}
	if t.Assignee != before.Assignee {
		if err := s.saveAgent(ctx, tx, t.Assignee); err != nil {
			return t, err
		}
	}
	t.UpdatedAt = s.now()
	t, err := s.writeBack(ctx, tx, t)
	if err != nil {
		return t, err
	}
	if len(statusAfter) > 0 {
		if _, err := s.writeEvent(ctx, tx, t, tickets.EventStatusChanged, actor, statusBefore, statusAfter); err != nil {
			return t, err
		}
	}
	if len(fieldsAfter) > 0 {
		if _, err := s.writeEvent(ctx, tx, t, tickets.EventUpdated, actor, fieldsBefore, fieldsAfter); err != nil {
			return t, err
		}
	}
	return t, nil
}

// diff returns the audited fields that changed, before and after.
func diff(a, b tickets.Ticket) (statusBefore, statusAfter, before, after map[string]any) {
	statusBefore, statusAfter = map[string]any{}, map[string]any{}
	before, after = map[string]any{}, map[string]any{}
	if a.Status != b.Status {
		statusBefore["status"], statusAfter["status"] = string(a.Status), string(b.Status)
	}
	if a.Priority != b.Priority {
		before["priority"], after["priority"] = string(a.Priority), string(b.Priority)
	}
	if a.Assignee != b.Assignee {
		before["assignee"], after["assignee"] = a.Assignee, b.Assignee
	}
	if !slices.Equal(a.Tags, b.Tags) {
		before["tags"], after["tags"] = a.Tags, b.Tags
	}
	if a.Team != b.Team {
		before["team"], after["team"] = a.Team, b.Team
	}
	return statusBefore, statusAfter, before, after
}

// sameTicketState reports whether the stored columns outside the audited
// fields are unchanged.
func sameTicketState(a, b tickets.Ticket) bool {
	return a.UpdatedAt.Equal(b.UpdatedAt) && equalTimePtr(a.FirstResponseAt, b.FirstResponseAt) &&
		equalTimePtr(a.ResolvedAt, b.ResolvedAt) && equalTimePtr(a.ClosedAt, b.ClosedAt) &&
		a.SLA.FirstResponseDue.Equal(b.SLA.FirstResponseDue) && a.SLA.ResolutionDue.Equal(b.SLA.ResolutionDue) &&
		a.SLA.ClockStart.Equal(b.SLA.ClockStart) && equalTimePtr(a.SLA.PausedAt, b.SLA.PausedAt) &&
		a.SLA.Paused == b.SLA.Paused && a.SLA.PausedBusiness == b.SLA.PausedBusiness
}

func equalTimePtr(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// writeBack stores the ticket's mutable fields and returns it as stored, with
// its relations.
func (s *Store) writeBack(ctx context.Context, tx pgx.Tx, t tickets.Ticket) (tickets.Ticket, error) {
	t.SLA = s.opt.Policy.WithRisk(t.Priority, t.SLA, t.UpdatedAt)
	_, err := tx.Exec(ctx, `
		update tickets set status = $2, priority = $3, tags = $4, assignee = $5, team = $6,
			first_response_due = $7, resolution_due = $8, clock_start = $9, paused_at = $10,
			paused_ns = $11, paused_business_ns = $12, updated_at = $13,
			first_response_at = $14, resolved_at = $15, closed_at = $16,
			first_response_risk_at = $17, resolution_risk_at = $18,
			sla_check_at = '-infinity' -- the SLA scan works out its next look
		where id = $1`,
		t.ID, t.Status, t.Priority, t.Tags, t.Assignee, t.Team,
		nullTime(t.SLA.FirstResponseDue), nullTime(t.SLA.ResolutionDue), nullTime(t.SLA.ClockStart), t.SLA.PausedAt,
		int64(t.SLA.Paused), int64(t.SLA.PausedBusiness), t.UpdatedAt,
		t.FirstResponseAt, t.ResolvedAt, t.ClosedAt, nullTime(t.SLA.FirstResponseRisk), nullTime(t.SLA.ResolutionRisk))
	if err != nil {
		return t, dbError("update ticket", err)
	}
	return s.loadTicket(ctx, tx, t.ID, false)
}
