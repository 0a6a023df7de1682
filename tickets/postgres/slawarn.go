package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
	"hub/tickets/rules"
)

// slaBatch is how many due tickets one transaction of the scan takes, and
// slaMaxBatches how many transactions one scan runs at most: a backlog
// (every ticket after an upgrade) is worked through in a few scans
// without one scan running for minutes.
const (
	slaBatch      = 1000
	slaMaxBatches = 20
)

var systemActor = tickets.Actor{Kind: tickets.ActorSystem, ID: "sla", Name: "SLA clock"}

// WarnSLA acts on every SLA escalation open tickets have reached at now:
// a ticket.sla_warning event per target and level (at risk at 75 %,
// breached), naming who is summoned, and the rules that run on
// sla.at_risk and sla.breached. It returns how many escalations it wrote.
//
// It reads only the tickets whose stored next look (sla_check_at) has
// come, so tickets already breached and warned cost nothing, however many;
// a batch is three set-based statements plus the writes of the
// escalations that fire. Each escalation is recorded once (its marker row
// in sla_escalations), and due rows are taken with SKIP LOCKED, so a
// restart or several workers never warn twice.
func (s *Store) WarnSLA(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC().Truncate(time.Microsecond)
	total := 0
	for range slaMaxBatches {
		n, taken, err := s.warnBatch(ctx, now)
		total += n
		if err != nil {
			return total, err
		}
		if taken < slaBatch {
			break
		}
	}
	return total, nil
}

// warnBatch works one batch of due tickets in one transaction.
func (s *Store) warnBatch(ctx context.Context, now time.Time) (written, taken int, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, ticketSelect+`
			where t.status = 'open' and t.sla_check_at <= $1
			order by t.sla_check_at limit $2
			for update of t skip locked`, now, slaBatch)
		if err != nil {
			return dbError("find tickets due an SLA look", err)
		}
		due, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (tickets.Ticket, error) { return scanTicket(row) })
		if err != nil {
			return dbError("find tickets due an SLA look", err)
		}
		taken = len(due)
		if taken == 0 {
			return nil
		}
		var (
			ids, targets, levels []string
			dues, sinces         []time.Time
			nexts                = make([]*time.Time, 0, len(due))
			next                 = make([]string, 0, len(due))
			byID                 = make(map[string]tickets.Ticket, len(due))
		)
		var mentions [][]string
		for _, t := range due {
			byID[t.ID] = t
			for _, e := range rules.Escalations(s.opt.Policy, t, now) {
				ids, targets, levels = append(ids, e.TicketID), append(targets, string(e.Target)), append(levels, string(e.Level))
				dues, sinces = append(dues, e.Due), append(sinces, e.At)
				mentions = append(mentions, s.notice(t, e).Mention)
			}
			var at *time.Time // nothing ahead: 'infinity'
			if n, ok := rules.NextEscalation(s.opt.Policy, t, now); ok {
				// Postgres keeps microseconds: round up, never early.
				n = n.UTC().Truncate(time.Microsecond).Add(time.Microsecond)
				at = &n
			}
			next, nexts = append(next, t.ID), append(nexts, at)
		}
		// Next looks first: a rule that changes a ticket below resets its
		// look to '-infinity', and that must win.
		if _, err := tx.Exec(ctx, `
			update tickets t set sla_check_at = coalesce(v.at, 'infinity')
			from unnest($1::uuid[], $2::timestamptz[]) as v(id, at)
			where t.id = v.id`, next, nexts); err != nil {
			return dbError("schedule SLA looks", err)
		}
		if len(ids) == 0 {
			return nil
		}
		// A level reached again only because the due time moved (a rule
		// raised the priority on the breach) is not news: a marker written
		// after the level's new start says it was announced already.
		rows, err = tx.Query(ctx, `
			insert into sla_escalations (ticket_id, target, level, due, at, mention)
			select v.ticket_id, v.target, v.level, v.due, $6, v.mention
			from unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $7::jsonb[])
				as v(ticket_id, target, level, due, since, mention)
			where not exists (select 1 from sla_escalations x
				where x.ticket_id = v.ticket_id and x.target = v.target and x.level = v.level and x.at >= v.since)
			on conflict do nothing
			returning ticket_id::text, target, level, due`, ids, targets, levels, dues, sinces, now, jsonArrays(mentions))
		if err != nil {
			return dbError("record SLA escalations", err)
		}
		fired, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (rules.Escalation, error) {
			var e rules.Escalation
			err := row.Scan(&e.TicketID, &e.Target, &e.Level, &e.Due)
			return e, err
		})
		if err != nil {
			return dbError("record SLA escalations", err)
		}
		for _, e := range fired {
			if err := s.escalate(ctx, tx, byID[e.TicketID], e); err != nil {
				return fmt.Errorf("SLA escalation %s: %w", e.Key(), err)
			}
			written++
		}
		return nil
	})
	if err != nil {
		written = 0
	}
	return written, taken, err
}

// escalate writes one escalation's event, saying whom it summons, and runs
// the rules for it (which may raise the priority).
func (s *Store) escalate(ctx context.Context, tx pgx.Tx, t tickets.Ticket, e rules.Escalation) error {
	after := map[string]any{"target": string(e.Target), "level": string(e.Level), "due": e.Due.UTC()}
	n := s.notice(t, e)
	if len(n.Mention) > 0 {
		after["mention"] = n.Mention
	}
	if n.Team != "" {
		after["team"] = n.Team
	}
	if n.Lead {
		after["lead"] = true
		after["lead_channel"] = n.LeadChannel
	}
	if _, err := s.writeEvent(ctx, tx, t, tickets.EventSLAWarning, systemActor, nil, after); err != nil {
		return err
	}
	rs := s.ruleSet()
	if rs == nil || !slices.ContainsFunc(rs.Rules, func(r rules.Rule) bool { return r.Runs(e.Event()) }) {
		return nil
	}
	full, err := s.loadTicket(ctx, tx, t.ID, false)
	if err != nil {
		return err
	}
	_, err = s.runRules(ctx, tx, full, e.Event(), func(c *rules.Context) { c.Escalation = &e })
	return err
}

// notice is who hears of e on t: the rules' teams decide, and without
// rules the assignee is mentioned and a breach goes to the default channel.
func (s *Store) notice(t tickets.Ticket, e rules.Escalation) rules.Notice {
	if rs := s.ruleSet(); rs != nil {
		return rs.Notice(e, t.Team, t.Assignee)
	}
	return (&rules.RuleSet{}).Notice(e, t.Team, t.Assignee)
}

// jsonArrays encodes each list as a JSON array for a jsonb[] parameter.
func jsonArrays(lists [][]string) []string {
	out := make([]string, len(lists))
	for i, l := range lists {
		if l == nil {
			l = []string{}
		}
		b, _ := json.Marshal(l)
		out[i] = string(b)
	}
	return out
}
