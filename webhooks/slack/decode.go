package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	slackapi "hub/connectors/slack"
	"hub/tickets"
	"hub/webhooks"
)

// MessageRef names a Slack message as the external ref of the note it
// became, or of the ticket made from it. tickets/postgres.TicketBySlackThread
// relies on this format.
func MessageRef(channel, ts string) string { return "msg:" + channel + ":" + ts }

// Decoder turns recorded Slack deliveries into ticket commands.
func (s *Service) Decoder() webhooks.Decoder { return webhooks.DecoderFunc(s.decode) }

func ignore(format string, args ...any) (webhooks.Decoded, error) {
	return webhooks.Decoded{Ignore: fmt.Sprintf(format, args...)}, nil
}

func (s *Service) decode(ctx context.Context, d tickets.Delivery) (webhooks.Decoded, error) {
	ws, ok, err := s.opt.Settings.Workspace(ctx)
	if err != nil {
		return webhooks.Decoded{}, err
	}
	if !ok {
		return webhooks.Decoded{}, webhooks.Permanent(errors.New("slack is not configured"))
	}
	kind, _, _ := strings.Cut(d.Topic, ":")
	switch kind {
	case "event":
		return s.decodeEvent(ctx, ws, d)
	case "action":
		return s.decodeAction(ctx, ws, d)
	case "view":
		return s.decodeView(ctx, ws, d)
	case "shortcut":
		return s.decodeShortcut(ctx, ws, d)
	case "command":
		return s.decodeCommand(ctx, ws, d)
	}
	return ignore("unknown topic %q", d.Topic)
}

func (s *Service) decodeEvent(ctx context.Context, ws Workspace, d tickets.Delivery) (webhooks.Decoded, error) {
	env, err := slackapi.ParseEnvelope(d.Body)
	if err != nil {
		return webhooks.Decoded{}, webhooks.Permanent(err)
	}
	e := env.Event
	switch {
	case e.Type == "message" && e.Subtype == "message_changed":
		return s.decodeEdit(ctx, ws, e)
	case e.Type == "message" && e.Subtype == "message_deleted":
		return s.decodeDelete(ctx, ws, e)
	case e.Type == "message":
		return s.decodeReply(ctx, ws, e)
	case e.Type == "reaction_added" && e.Reaction == TicketReaction:
		return s.decodeReaction(ctx, ws, env)
	}
	return ignore("event %s/%s needs nothing", e.Type, e.Subtype)
}

func isBot(ws Workspace, user, botID, subtype string) bool {
	return botID != "" || subtype == "bot_message" || user == "USLACKBOT" || (user != "" && user == ws.BotUserID)
}

// threadTicket finds the ticket of the thread a message is in; ok is false
// when the message is not a reply in a ticket's thread.
func (s *Service) threadTicket(ctx context.Context, channel, ts, threadTS string) (tickets.Ticket, bool, error) {
	if threadTS == "" || threadTS == ts {
		return tickets.Ticket{}, false, nil // a channel message, not a thread reply
	}
	t, err := s.opt.Store.TicketBySlackThread(ctx, channel, threadTS)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return t, false, nil
	}
	return t, err == nil, err
}

// decodeReply makes an agent's reply in a card's thread an internal note.
// Internal by default: nothing typed in Slack reaches a customer unless it
// went through the "Reply to customer" modal.
func (s *Service) decodeReply(ctx context.Context, ws Workspace, e slackapi.Event) (webhooks.Decoded, error) {
	if isBot(ws, e.User, e.BotID, e.Subtype) {
		return ignore("a bot's message")
	}
	t, ok, err := s.threadTicket(ctx, e.Channel, e.TS, e.ThreadTS)
	if err != nil || !ok {
		if err != nil {
			return webhooks.Decoded{}, err
		}
		// Kept in the inbox all the same: a :ticket: reaction may ask for it.
		return ignore("not a reply in a ticket's thread")
	}
	a, err := s.agent(ctx, ws, e.User)
	if why, no := isNotAgent(err); no {
		return ignore("thread reply by a non-agent: %s", why)
	} else if err != nil {
		return webhooks.Decoded{}, err
	}
	body := strings.TrimSpace(slackapi.Unescape(e.Text))
	if body == "" {
		return ignore("a reply without text")
	}
	return webhooks.Decoded{Actor: actor(e.User, a), Commands: []tickets.Command{tickets.AddMessage{
		Ref: t.ID,
		Message: tickets.NewMessage{
			Kind: tickets.MessageNote, Body: cutBytes(body, maxNoteBytes),
			Source: tickets.SourceSlack, ExternalRef: MessageRef(e.Channel, e.TS),
		},
	}}}, nil
}

// decodeEdit applies an edit of a thread reply to its note. Slack also
// sends message_changed for unfurls and reply counts: only a changed text
// is an edit.
func (s *Service) decodeEdit(ctx context.Context, ws Workspace, e slackapi.Event) (webhooks.Decoded, error) {
	m, prev := e.Message, e.PreviousMessage
	if m == nil {
		return ignore("message_changed without a message")
	}
	if prev != nil && prev.Text == m.Text {
		return ignore("not a text edit")
	}
	author := m.User
	if author == "" && prev != nil {
		author = prev.User
	}
	if isBot(ws, author, m.BotID, m.Subtype) {
		return ignore("a bot's message")
	}
	if _, ok, err := s.threadTicket(ctx, e.Channel, m.TS, m.ThreadTS); err != nil || !ok {
		if err != nil {
			return webhooks.Decoded{}, err
		}
		return ignore("not a reply in a ticket's thread")
	}
	a, err := s.agent(ctx, ws, author)
	if why, no := isNotAgent(err); no {
		return ignore("edit by a non-agent: %s", why)
	} else if err != nil {
		return webhooks.Decoded{}, err
	}
	return webhooks.Decoded{Actor: actor(author, a), Commands: []tickets.Command{tickets.EditMessage{
		Source: tickets.SourceSlack, ExternalRef: MessageRef(e.Channel, m.TS),
		Body: cutBytes(strings.TrimSpace(slackapi.Unescape(m.Text)), maxNoteBytes),
	}}}, nil
}

// decodeDelete marks the note of a deleted thread reply deleted.
func (s *Service) decodeDelete(ctx context.Context, ws Workspace, e slackapi.Event) (webhooks.Decoded, error) {
	prev := e.PreviousMessage
	if prev == nil || isBot(ws, prev.User, prev.BotID, prev.Subtype) {
		return ignore("not a person's message")
	}
	ts := e.DeletedTS
	if ts == "" {
		ts = prev.TS
	}
	if _, ok, err := s.threadTicket(ctx, e.Channel, ts, prev.ThreadTS); err != nil || !ok {
		if err != nil {
			return webhooks.Decoded{}, err
		}
		return ignore("not a reply in a ticket's thread")
	}
	// Whoever deleted it (an admin can), the author is who the note names.
	who := tickets.Actor{Kind: tickets.ActorSlack, ID: prev.User}
	if a, err := s.agent(ctx, ws, prev.User); err == nil {
		who = actor(prev.User, a)
	}
	return webhooks.Decoded{Actor: who, Commands: []tickets.Command{tickets.EditMessage{
		Source: tickets.SourceSlack, ExternalRef: MessageRef(e.Channel, ts), Deleted: true,
	}}}, nil
}

const maxNoteBytes = 60 << 10

// cutBytes cuts s to at most n bytes on a rune boundary.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
