package slack

import (
	"context"
	"fmt"
	"strings"

	slackapi "hub/connectors/slack"
	"hub/tickets"
	"hub/webhooks"
)

// decodeAction turns a card button or select into a ticket change, checked
// on the server: the clicking user must be an agent and the ticket must
// exist and allow the change (block ids and values come from the client).
func (s *Service) decodeAction(ctx context.Context, ws Workspace, d tickets.Delivery) (webhooks.Decoded, error) {
	in, err := slackapi.ParseInteraction(d.Body)
	if err != nil || len(in.Actions) != 1 {
		return webhooks.Decoded{}, webhooks.Permanent(errInvalid(fmt.Sprintf("block_actions payload: %v", err)))
	}
	act := in.Actions[0]
	id, ok := slackapi.TicketOfBlock(act.BlockID)
	if !ok {
		id = act.Value
	}
	tell := func(msg string) { s.respond(ctx, ws, in.ResponseURL, slackapi.Notice(msg)) }
	a, t, done, err := s.agentAndTicket(ctx, ws, in.User.ID, id, tell)
	if done != "" || err != nil {
		return done.decoded(), err
	}
	var p tickets.Patch
	switch {
	case act.ActionID == slackapi.ActionAssignMe:
		p.Assignee = &a.Email
	case act.ActionID == slackapi.ActionAssignTo:
		target, err := s.agent(ctx, ws, act.SelectedUser)
		if why, no := isNotAgent(err); no {
			tell("That person cannot be assigned: " + slackapi.Escape(why) + ".")
			return ignore("assign to a non-agent: %s", why)
		} else if err != nil {
			return webhooks.Decoded{}, err
		}
		p.Assignee = &target.Email
	case act.ActionID == slackapi.ActionPriority:
		pr, err := tickets.ParsePriority(act.Choice())
		if err != nil || act.Choice() == "" {
			return ignore("bad priority %q", act.Choice())
		}
		p.Priority = &pr
	case strings.HasPrefix(act.ActionID, slackapi.ActionStatus):
		st, err := tickets.ParseStatus(strings.TrimPrefix(act.ActionID, slackapi.ActionStatus))
		if err != nil {
			return ignore("bad status action %q", act.ActionID)
		}
		if !tickets.CanTransition(t.Status, st) {
			tell(fmt.Sprintf("%s is %s and cannot be set %s.", t.Ref(), t.Status, st))
			return ignore("%s is %s; not %s", t.Ref(), t.Status, st)
		}
		p.Status = &st
	default:
		return ignore("unknown action %q", act.ActionID)
	}
	return webhooks.Decoded{Actor: actor(in.User.ID, a), Commands: []tickets.Command{tickets.UpdateTicket{Ref: t.ID, Patch: p}}}, nil
}

// decodeView applies a submitted modal: a public reply or a linked order.
func (s *Service) decodeView(ctx context.Context, ws Workspace, d tickets.Delivery) (webhooks.Decoded, error) {
	in, err := slackapi.ParseInteraction(d.Body)
	if err != nil {
		return webhooks.Decoded{}, webhooks.Permanent(err)
	}
	v := in.View
	// A submitted modal has no response_url: problems are logged and shown
	// on the delivery.
	a, t, done, err := s.agentAndTicket(ctx, ws, in.User.ID, v.PrivateMetadata, func(string) {})
	if done != "" || err != nil {
		return done.decoded(), err
	}
	who := actor(in.User.ID, a)
	switch v.CallbackID {
	case slackapi.ViewReply:
		var saved *tickets.SavedReply
		if name := v.Input(slackapi.InputReplySaved); name != "" && s.opt.Saved != nil {
			r, err := s.opt.Saved.GetReply(ctx, name)
			if tickets.ErrorCode(err) == tickets.ENOTFOUND {
				return ignore("saved reply %q was deleted before the reply was sent", name)
			} else if err != nil {
				return webhooks.Decoded{}, err
			}
			saved = &r
		}
		m, err := tickets.ComposeReply(t, a.Name, replyDraft(v, saved), s.opt.Now(), s.opt.SurveyURL)
		if tickets.ErrorCode(err) == tickets.EINVALID {
			return ignore("reply on %s: %s", t.Ref(), tickets.ErrorMessage(err))
		} else if err != nil {
			return webhooks.Decoded{}, err
		}
		m.Source, m.ExternalRef = tickets.SourceSlack, "view:"+v.ID
		return webhooks.Decoded{Actor: who, Commands: []tickets.Command{tickets.AddMessage{Ref: t.ID, Message: m}}}, nil
	case slackapi.ViewLinkOrder:
		number := orderNumber(v.Input(slackapi.InputOrder))
		store, why := s.pickStore(ctx, t, v.Input(slackapi.InputOrderStore))
		if store == "" {
			return ignore("cannot link #%s to %s: %s", number, t.Ref(), why)
		}
		return webhooks.Decoded{Actor: who, Commands: []tickets.Command{tickets.LinkOrder{Ref: t.ID, Order: tickets.OrderRef{Store: store, OrderNumber: number}}}}, nil
	}
	return ignore("unknown view %q", v.CallbackID)
}

// pickStore decides which store an order number belongs to: the one named,
// else the ticket's, else the only connected one. why says what is missing.
func (s *Service) pickStore(ctx context.Context, t tickets.Ticket, named string) (store, why string) {
	if named = strings.TrimSpace(named); named != "" {
		return named, ""
	}
	choices, err := s.storeChoices(ctx, t)
	switch {
	case err != nil:
		s.opt.Logger.Warn("slack: list stores", "err", err)
		return "", "the connected stores could not be listed"
	case len(choices) == 1:
		return choices[0], ""
	case len(choices) == 0:
		return "", "no store is connected"
	}
	return "", "several stores are connected; name one (" + strings.Join(choices, ", ") + ")"
}

// stop says the decoding is over: the user was told why and the delivery
// is ignored with that reason.
type stop string

func (s stop) decoded() webhooks.Decoded { return webhooks.Decoded{Ignore: string(s)} }

// agentAndTicket resolves the acting agent and the ticket. When either is
// missing it tells the user (through tell) and returns a non-empty stop.
func (s *Service) agentAndTicket(ctx context.Context, ws Workspace, userID, ref string, tell func(string)) (Agent, tickets.Ticket, stop, error) {
	a, err := s.agent(ctx, ws, userID)
	if why, no := isNotAgent(err); no {
		tell("Only agents can work tickets: " + slackapi.Escape(why) + ".")
		return a, tickets.Ticket{}, stop("not an agent: " + why), nil
	} else if err != nil {
		return a, tickets.Ticket{}, "", err
	}
	t, err := s.opt.Store.GetTicket(ctx, ref)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		tell("That ticket no longer exists.")
		return a, t, stop("no ticket " + ref), nil
	}
	if err != nil {
		return a, t, "", err
	}
	return a, t, "", nil
}
