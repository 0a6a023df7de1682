package postgres

import (
	"context"
	"hash/fnv"
	"slices"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
	"hub/tickets/rules"
)

// reopenRule is the name the audit trail gives the built-in hand-back of a
// reopened ticket whose assignee is away (it is not in the rules file).
const reopenRule = "reopen-reassign"

// runRules runs the rules in force for ev on t, which is locked in tx, and
// applies what they decide in the same transaction: the ticket changes and
// one audit event per decision under the rule's name. edit adds to the
// Context what only the caller knows (the message, the order, the
// escalation). Without rules (Options.Rules nil or none running on ev) it
// changes nothing.
func (s *Store) runRules(ctx context.Context, tx pgx.Tx, t tickets.Ticket, ev rules.Event, edit func(*rules.Context)) (tickets.Ticket, error) {
	rs := s.ruleSet()
	if rs == nil || !slices.ContainsFunc(rs.Rules, func(r rules.Rule) bool { return r.Runs(ev) }) {
		return t, nil
	}
	run := func(r rules.Roster) rules.Result {
		c := rules.NewContext(t, s.opt.Policy, s.now())
		c.Agents = r
		if edit != nil {
			edit(&c)
		}
		return rules.Run(rs, ev, c)
	}
	roster, err := s.roster(ctx, tx)
	if err != nil {
		return t, err
	}
	res := run(roster)
	if team := rotatedTeam(res); team != "" {
		// A rule picks from a team's rotation: take the team's turn lock,
		// then decide again on what the lock holder may see, so two
		// tickets created at once never get the same turn.
		if err := s.lockRotation(ctx, tx, team); err != nil {
			return t, err
		}
		if roster, err = s.roster(ctx, tx); err != nil {
			return t, err
		}
		res = run(roster)
	}
	for _, st := range res.Steps {
		if st.Err != nil {
			s.opt.Logger.Warn("rules: a condition failed; the rule did nothing", "rule", st.Rule, "ticket", t.Ref(), "error", st.Err)
		}
	}
	return s.applyDecisions(ctx, tx, t, res.Decisions)
}

func (s *Store) ruleSet() *rules.RuleSet {
	if s.opt.Rules == nil {
		return nil
	}
	return s.opt.Rules()
}

// rotatedTeam is the team whose rotation a decision used, if any.
func rotatedTeam(res rules.Result) string {
	for _, d := range res.Decisions {
		if d.Field == rules.FieldAssignee && d.Via != "" {
			return res.Team
		}
	}
	return ""
}

// applyDecisions makes the decisions' changes to t, writes it back once and
// records each decision as its own event, so the audit trail names the
// rule behind every change.
func (s *Store) applyDecisions(ctx context.Context, tx pgx.Tx, t tickets.Ticket, ds []rules.Decision) (tickets.Ticket, error) {
	if len(ds) == 0 {
		return t, nil
	}
	now := s.now()
	for _, d := range ds {
		switch d.Field {
		case rules.FieldTags:
			t.Tags = slices.Clone(d.TagsAfter)
		case rules.FieldPriority:
			t.SetPriority(tickets.Priority(d.After), now, s.opt.Policy)
		case rules.FieldTeam:
			t.Team = d.After
		case rules.FieldAssignee:
			assignee, err := normaliseAssignee(d.After)
			if err != nil {
				return t, err
			}
			if err := s.saveAgent(ctx, tx, assignee); err != nil {
				return t, err
			}
			t.Assignee = assignee
			if d.Via != "" {
				if err := s.saveRotation(ctx, tx, t.Team, assignee); err != nil {
					return t, err
				}
			}
		}
	}
	t.UpdatedAt = now
	t, err := s.writeBack(ctx, tx, t)
	if err != nil {
		return t, err
	}
	for _, d := range ds {
		before, after := d.Audit()
		if _, err := s.writeEvent(ctx, tx, t, tickets.EventUpdated, d.Actor(), before, after); err != nil {
			return t, err
		}
	}
	return t, nil
}

// reassignReopened hands a reopened ticket (or the follow-up of a closed
// one) back to its previous assignee when they are available; when they
// are away it goes to its team's next pick, or to nobody for triage.
func (s *Store) reassignReopened(ctx context.Context, tx pgx.Tx, t tickets.Ticket) (tickets.Ticket, error) {
	if t.Assignee == "" {
		return t, nil
	}
	roster, err := s.roster(ctx, tx)
	if err != nil || roster.Available(t.Assignee) {
		return t, err
	}
	var team rules.Team
	if rs := s.ruleSet(); rs != nil {
		team, _ = rs.Team(t.Team)
	}
	if team.Name != "" {
		if err := s.lockRotation(ctx, tx, team.Name); err != nil {
			return t, err
		}
		if roster, err = s.roster(ctx, tx); err != nil {
			return t, err
		}
	}
	pick := rules.Reopened(t.Assignee, team, roster)
	d := rules.Decision{Rule: reopenRule, Field: rules.FieldAssignee, Before: t.Assignee, After: pick}
	if pick != "" {
		d.Via = string(team.Assign)
		if d.Via == "" {
			d.Via = rules.AssignRoundRobin
		}
	}
	return s.applyDecisions(ctx, tx, t, []rules.Decision{d})
}

// roster reads what assignment needs: who is away, the open tickets of
// each assignee, and each team's last round-robin pick.
func (s *Store) roster(ctx context.Context, q querier) (rules.Roster, error) {
	r := rules.Roster{Away: map[string]bool{}, Open: map[string]int{}, Last: map[string]string{}}
	rows, err := q.Query(ctx, `select email from agents where away_since is not null`)
	if err != nil {
		return r, dbError("read roster", err)
	}
	away, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return r, dbError("read roster", err)
	}
	for _, a := range away {
		r.Away[a] = true
	}
	// Open counts only matter for the teams' members (fewest_open).
	var members []string
	if rs := s.ruleSet(); rs != nil {
		for _, t := range rs.Teams {
			members = append(members, t.Members...)
		}
	}
	if len(members) > 0 {
		rows, err = q.Query(ctx, `
			select assignee, count(*) from tickets
			where status in ('open', 'pending') and assignee = any($1) group by assignee`, members)
		if err != nil {
			return r, dbError("read roster", err)
		}
		var (
			who string
			n   int
		)
		if _, err := pgx.ForEachRow(rows, []any{&who, &n}, func() error { r.Open[who] = n; return nil }); err != nil {
			return r, dbError("read roster", err)
		}
	}
	rows, err = q.Query(ctx, `select team, last_agent from team_rotation`)
	if err != nil {
		return r, dbError("read roster", err)
	}
	var team, last string
	if _, err := pgx.ForEachRow(rows, []any{&team, &last}, func() error { r.Last[team] = last; return nil }); err != nil {
		return r, dbError("read roster", err)
	}
	return r, nil
}

// lockRotation holds team's rotation until the transaction ends. An
// advisory lock rather than a row lock: the team's row may not exist yet.
func (s *Store) lockRotation(ctx context.Context, tx pgx.Tx, team string) error {
	h := fnv.New64a()
	h.Write([]byte("team_rotation:" + team))
	_, err := tx.Exec(ctx, `select pg_advisory_xact_lock($1)`, int64(h.Sum64()))
	return dbError("lock team rotation", err)
}

func (s *Store) saveRotation(ctx context.Context, tx pgx.Tx, team, agent string) error {
	if team == "" {
		return nil
	}
	_, err := tx.Exec(ctx, `
		insert into team_rotation (team, last_agent, updated_at) values ($1, $2, $3)
		on conflict (team) do update set last_agent = excluded.last_agent, updated_at = excluded.updated_at`,
		team, agent, s.now())
	return dbError("save team rotation", err)
}
