package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

// Agent is a member of the support team, known by email.
type Agent struct {
	Email       string
	Name        string
	SlackUserID string
	CreatedAt   time.Time
}

// saveAgent makes sure an assignee is a known agent.
func (s *Store) saveAgent(ctx context.Context, q querier, email string) error {
	if email == "" {
		return nil
	}
	_, err := q.Exec(ctx, `insert into agents (email, created_at) values ($1, $2) on conflict do nothing`, email, s.now())
	return dbError("save agent", err)
}

// SaveAgent creates or updates an agent; empty fields leave stored ones alone.
func (s *Store) SaveAgent(ctx context.Context, a Agent) (Agent, error) {
	email, err := normaliseAssignee(a.Email)
	if err != nil || email == "" {
		return a, tickets.Invalid("email", "agent email %q is not an email address", a.Email)
	}
	err = s.pool.QueryRow(ctx, `
		insert into agents (email, name, slack_user_id, created_at) values ($1, $2, $3, $4)
		on conflict (email) do update set
			name = coalesce(nullif(excluded.name, ''), agents.name),
			slack_user_id = coalesce(nullif(excluded.slack_user_id, ''), agents.slack_user_id)
		returning email, name, slack_user_id, created_at`,
		email, strings.TrimSpace(a.Name), strings.TrimSpace(a.SlackUserID), s.now(),
	).Scan(&a.Email, &a.Name, &a.SlackUserID, &a.CreatedAt)
	return a, dbError("save agent", err)
}

// AgentBySlackUser finds the agent linked to a Slack user id.
func (s *Store) AgentBySlackUser(ctx context.Context, slackUserID string) (Agent, error) {
	var a Agent
	err := s.pool.QueryRow(ctx, `
		select email, name, slack_user_id, created_at from agents where slack_user_id = $1
		order by created_at limit 1`, slackUserID).Scan(&a.Email, &a.Name, &a.SlackUserID, &a.CreatedAt)
	if isNoRows(err) || slackUserID == "" {
		return Agent{}, tickets.Errorf(tickets.ENOTFOUND, "no agent for Slack user %s", slackUserID)
	}
	return a, dbError("find agent", err)
}

// SetAway marks an agent away (`/ticket away`) or back (`/ticket back`).
// An away agent gets no ticket from the rules and a reopened ticket of
// theirs goes to their team. changed is false when they already were.
func (s *Store) SetAway(ctx context.Context, agent string, away bool) (changed bool, err error) {
	email, err := normaliseAssignee(agent)
	if err != nil || email == "" {
		return false, tickets.Invalid("email", "agent email %q is not an email address", agent)
	}
	var since *time.Time
	if away {
		now := s.now()
		since = &now
	}
	tag, err := s.pool.Exec(ctx, `
		insert into agents (email, away_since, created_at) values ($1, $2, $3)
		on conflict (email) do update set away_since = excluded.away_since
		where (agents.away_since is null) <> (excluded.away_since is null)`, email, since, s.now())
	if err != nil {
		return false, dbError("set agent away", err)
	}
	return tag.RowsAffected() == 1, nil
}

// SlackUserIDs maps agents' emails to their Slack user ids, for mentions;
// an agent never seen in Slack is left out.
func (s *Store) SlackUserIDs(ctx context.Context, emails []string) (map[string]string, error) {
	out := map[string]string{}
	if len(emails) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `select email, slack_user_id from agents where email = any($1) and slack_user_id <> ''`, emails)
	if err != nil {
		return nil, dbError("find agents' Slack ids", err)
	}
	var email, id string
	_, err = pgx.ForEachRow(rows, []any{&email, &id}, func() error { out[email] = id; return nil })
	return out, dbError("find agents' Slack ids", err)
}
