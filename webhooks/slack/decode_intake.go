package slack

import (
	"context"
	"strings"

	slackapi "hub/connectors/slack"
	"hub/tickets"
	"hub/webhooks"
)

// decodeReaction makes a ticket of the message an agent reacted :ticket:
// to. The message itself is taken from the inbox, where the Events API put
// it when it was posted; only a message the hub never received is fetched
// (conversations.history is rate-limited hard for distributed apps).
func (s *Service) decodeReaction(ctx context.Context, ws Workspace, env slackapi.Envelope) (webhooks.Decoded, error) {
	e := env.Event
	a, err := s.agent(ctx, ws, e.User)
	if why, no := isNotAgent(err); no {
		return ignore(":ticket: by a non-agent: %s", why)
	} else if err != nil {
		return webhooks.Decoded{}, err
	}
	channel, ts := e.Item.Channel, e.Item.TS
	var msg slackapi.InboundMessage
	body, found, err := s.opt.Store.SlackDeliveryBody(ctx, "msg:"+env.TeamID+":"+channel+":"+ts)
	if err != nil {
		return webhooks.Decoded{}, err
	}
	if orig, perr := slackapi.ParseEnvelope(body); found && perr == nil {
		o := orig.Event
		msg = slackapi.InboundMessage{User: o.User, BotID: o.BotID, Subtype: o.Subtype, Text: o.Text, TS: o.TS, ThreadTS: o.ThreadTS}
	} else {
		msg, err = ws.Client.MessageAt(ctx, channel, ts)
		if slackapi.ErrorCode(err) == "message_not_found" {
			return ignore("the reacted message is gone or is a thread reply the hub never saw")
		}
		if err != nil {
			return webhooks.Decoded{}, slackError(err)
		}
	}
	return s.ticketFromMessage(ctx, ws, e.User, a, channel, msg)
}

// decodeShortcut makes a ticket of the message the "Create ticket"
// shortcut was used on.
func (s *Service) decodeShortcut(ctx context.Context, ws Workspace, d tickets.Delivery) (webhooks.Decoded, error) {
	in, err := slackapi.ParseInteraction(d.Body)
	if err != nil {
		return webhooks.Decoded{}, webhooks.Permanent(err)
	}
	a, err := s.agent(ctx, ws, in.User.ID)
	if why, no := isNotAgent(err); no {
		s.respond(ctx, ws, in.ResponseURL, slackapi.Notice("Only agents can create tickets: "+slackapi.Escape(why)+"."))
		return ignore("shortcut by a non-agent: %s", why)
	} else if err != nil {
		return webhooks.Decoded{}, err
	}
	return s.ticketFromMessage(ctx, ws, in.User.ID, a, in.Channel.ID, in.Message)
}

// ticketFromMessage opens a ticket from a Slack message, once however often
// it is asked for: the ticket's external ref is the message, and creating
// is idempotent on it. Its card goes into the message's thread.
func (s *Service) ticketFromMessage(ctx context.Context, ws Workspace, userID string, a Agent, channel string, m slackapi.InboundMessage) (webhooks.Decoded, error) {
	if channel == "" || m.TS == "" {
		return webhooks.Decoded{}, webhooks.Permanent(errInvalid("the message has no channel or ts"))
	}
	if isBot(ws, m.User, m.BotID, m.Subtype) {
		return ignore("a bot's message is not made a ticket")
	}
	text := strings.TrimSpace(slackapi.Unescape(m.Text))
	if text == "" {
		return ignore("the message has no text")
	}
	var customer tickets.CustomerInput
	if m.User != "" {
		// Whoever wrote the message is who the ticket is for: in a shared
		// channel, the customer themselves.
		if u, err := ws.Client.UserInfo(ctx, m.User); err == nil && !u.IsBot {
			customer = tickets.CustomerInput{Email: u.Email, Name: u.Name}
		}
	}
	return webhooks.Decoded{Actor: actor(userID, a), Commands: []tickets.Command{tickets.NewTicket{
		Description: cutBytes(text, tickets.MaxDescriptionBytes),
		Customer:    customer,
		Source:      tickets.SourceSlack,
		ExternalRef: MessageRef(channel, m.TS),
	}}}, nil
}

type errInvalid string

func (e errInvalid) Error() string { return string(e) }

// respond answers privately through a response_url; failures are logged
// only, as the answer is a courtesy and the change is recorded either way.
func (s *Service) respond(ctx context.Context, ws Workspace, responseURL string, m slackapi.Message) {
	if responseURL == "" {
		return
	}
	if err := ws.Client.Respond(ctx, responseURL, m); err != nil {
		s.opt.Logger.Warn("slack: could not answer privately", "err", err)
	}
}
