package slack

import (
	"context"
	"errors"

	slackapi "hub/connectors/slack"
	"hub/tickets"
	"hub/webhooks"
)

// notAgentError says a Slack user may not work tickets, and why, in words
// the user can be shown.
type notAgentError struct{ why string }

func (e notAgentError) Error() string { return e.why }

func isNotAgent(err error) (string, bool) {
	var na notAgentError
	if errors.As(err, &na) {
		return na.why, true
	}
	return "", false
}

// agent returns the agent behind a Slack user. A user seen for the first
// time is looked up (users.info) and becomes an agent by their email if
// they are a full member of the workspace: not a bot, not deleted, not a
// guest, not from another team in a shared channel.
func (s *Service) agent(ctx context.Context, ws Workspace, userID string) (Agent, error) {
	if userID == "" {
		return Agent{}, notAgentError{"no Slack user"}
	}
	a, err := s.opt.Agents.AgentBySlackUser(ctx, userID)
	if err == nil {
		return a, nil
	}
	if tickets.ErrorCode(err) != tickets.ENOTFOUND {
		return Agent{}, err
	}
	u, err := ws.Client.UserInfo(ctx, userID)
	switch {
	case slackapi.ErrorCode(err) == "user_not_found":
		return Agent{}, notAgentError{"that Slack user is not in this workspace"}
	case err != nil:
		return Agent{}, slackError(err)
	case u.IsBot || u.Deleted:
		return Agent{}, notAgentError{"bots and deactivated users are not agents"}
	case u.Restricted:
		return Agent{}, notAgentError{"guests cannot work tickets"}
	case ws.TeamID != "" && u.TeamID != "" && u.TeamID != ws.TeamID:
		return Agent{}, notAgentError{"users from another workspace cannot work tickets"}
	case u.Email == "":
		return Agent{}, notAgentError{"your Slack profile shows no email (the app needs users:read.email)"}
	}
	return s.opt.Agents.SaveAgent(ctx, Agent{Email: u.Email, Name: u.Name, SlackUserID: u.ID})
}

// actor is how the audit trail names an agent acting from Slack.
func actor(userID string, a Agent) tickets.Actor {
	name := a.Name
	if name == "" {
		name = a.Email
	}
	return tickets.Actor{Kind: tickets.ActorSlack, ID: userID, Name: name}
}

// slackError marks a Slack answer no retry can change as permanent, so the
// delivery fails (and can be replayed) instead of retrying for hours.
func slackError(err error) error {
	if slackapi.IsPermanent(err) {
		return webhooks.Permanent(err)
	}
	return err
}
