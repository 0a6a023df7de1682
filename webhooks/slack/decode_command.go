package slack

import (
	"context"
	"slices"
	"time"

	slackapi "hub/connectors/slack"
	"hub/tickets"
	"hub/webhooks"
)

// decodeCommand runs a recorded /ticket command. Reading commands (show,
// mine) answer through the response_url and change nothing, so their
// delivery is marked ignored with what was answered.
func (s *Service) decodeCommand(ctx context.Context, ws Workspace, d tickets.Delivery) (webhooks.Decoded, error) {
	c, err := slackapi.ParseCommand(d.Body)
	if err != nil {
		return webhooks.Decoded{}, webhooks.Permanent(err)
	}
	cmd, err := parseCommand(c.Text)
	if err != nil {
		return ignore("bad command: %v", err)
	}
	tell := func(msg string) { s.respond(ctx, ws, c.ResponseURL, slackapi.Notice(msg)) }
	a, err := s.agent(ctx, ws, c.UserID)
	if why, no := isNotAgent(err); no {
		tell("Only agents can work tickets: " + slackapi.Escape(why) + ".")
		return ignore("not an agent: %s", why)
	} else if err != nil {
		return webhooks.Decoded{}, err
	}
	who := actor(c.UserID, a)
	switch cmd.verb {
	case "new":
		return webhooks.Decoded{Actor: who, Commands: []tickets.Command{tickets.NewTicket{
			Subject: cmd.subject, Source: tickets.SourceSlack, ExternalRef: d.Key,
		}}}, nil
	case "mine":
		return s.answerMine(ctx, ws, c, a)
	case "away", "back":
		return s.setAway(ctx, c, a, cmd.verb == "away", tell)
	}
	t, err := s.opt.Store.GetTicket(ctx, cmd.ref)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		tell("There is no ticket " + slackapi.Escape(cmd.ref) + ".")
		return ignore("no ticket %s", cmd.ref)
	} else if err != nil {
		return webhooks.Decoded{}, err
	}
	if cmd.verb == "show" {
		if err := ws.Client.Respond(ctx, c.ResponseURL, slackapi.RenderCard(cardData(t, s.opt.Policy, s.opt.Now()))); err != nil {
			return webhooks.Decoded{}, slackError(err)
		}
		return ignore("showed %s to %s", t.Ref(), c.UserID)
	}
	store, why := s.pickStore(ctx, t, cmd.store)
	if store == "" {
		tell("Cannot link #" + slackapi.Escape(cmd.order) + " to " + t.Ref() + ": " + slackapi.Escape(why) + ".")
		return ignore("cannot link: %s", why)
	}
	tell("Linking order #" + slackapi.Escape(cmd.order) + " to " + t.Ref() + "; its card will show it.")
	return webhooks.Decoded{Actor: who, Commands: []tickets.Command{tickets.LinkOrder{
		Ref: t.ID, Order: tickets.OrderRef{Store: store, OrderNumber: cmd.order},
	}}}, nil
}

// answerMine lists the agent's open and pending tickets, soonest due first.
func (s *Service) answerMine(ctx context.Context, ws Workspace, c slackapi.Command, a Agent) (webhooks.Decoded, error) {
	var mine []tickets.Ticket
	for _, st := range []tickets.Status{tickets.StatusOpen, tickets.StatusPending} {
		list, _, err := s.opt.Store.ListTickets(ctx, tickets.Filter{Assignee: a.Email, Status: st, Limit: 100})
		if err != nil {
			return webhooks.Decoded{}, err
		}
		mine = append(mine, list...)
	}
	now := s.opt.Now()
	items := make([]slackapi.ListItem, 0, len(mine))
	for _, t := range mine {
		st := s.opt.Policy.State(t, now)
		items = append(items, slackapi.ListItem{
			Ref: t.Ref(), Subject: t.Subject, Status: string(t.Status), Priority: string(t.Priority),
			Due: nextDue(t, st), AtRisk: st.AtRisk, Breached: st.Breached,
		})
	}
	slices.SortStableFunc(items, func(x, y slackapi.ListItem) int {
		switch {
		case x.Due.IsZero() != y.Due.IsZero():
			if x.Due.IsZero() {
				return 1
			}
			return -1
		}
		return x.Due.Compare(y.Due)
	})
	m := slackapi.RenderList("*Your open tickets* (soonest due first)", items, s.opt.Policy.Calendar.Location)
	if err := ws.Client.Respond(ctx, c.ResponseURL, m); err != nil {
		return webhooks.Decoded{}, slackError(err)
	}
	return ignore("listed %d tickets for %s", len(items), c.UserID)
}

// nextDue is the target the agent must meet next: the first response while
// none was sent, then the resolution.
func nextDue(t tickets.Ticket, st tickets.SLAState) time.Time {
	if t.FirstResponseAt == nil && !st.FirstResponseDue.IsZero() {
		return st.FirstResponseDue
	}
	return st.ResolutionDue
}

// setAway marks the agent away or back. Away, the rules give them no new
// ticket and a reopened ticket of theirs goes to their team; the tickets
// they have stay theirs.
func (s *Service) setAway(ctx context.Context, c slackapi.Command, a Agent, away bool, tell func(string)) (webhooks.Decoded, error) {
	changed, err := s.opt.Agents.SetAway(ctx, a.Email, away)
	if err != nil {
		return webhooks.Decoded{}, err
	}
	switch {
	case away && changed:
		tell("You are away: no new tickets come to you until `" + slackapi.EscapeCut(c.Command, 30) + " back`. Your open tickets stay yours.")
	case away:
		tell("You were away already.")
	case changed:
		tell("Welcome back: new tickets come to you again.")
	default:
		tell("You were not away.")
	}
	verb := "back"
	if away {
		verb = "away"
	}
	return ignore("%s is %s (changed: %t)", a.Email, verb, changed)
}
