package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	slackapi "hub/connectors/slack"
	"hub/tickets"
)

// TypeThread is the task that posts one timeline entry into the thread of
// a ticket's card.
const TypeThread = "slack:thread"

// threadWait bounds how long a timeline entry waits for its card and for
// a turn in its channel; threadTurn is the furthest ahead it books a turn.
const (
	threadWait = 10 * time.Minute
	threadTurn = 30 * time.Second
)

// threadPayload names what happened; anything personal (a message's body)
// is read from the store when the task runs, not copied into the outbox.
type threadPayload struct {
	TicketID  string    `json:"ticket_id"`
	Type      string    `json:"type"`
	At        time.Time `json:"at"`
	MessageID int64     `json:"message_id,omitempty"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
	Actor     string    `json:"actor,omitempty"`
	Order     string    `json:"order,omitempty"`
	Detail    string    `json:"detail,omitempty"`
	// Mention is whom an SLA escalation summons (agents' emails) and Team
	// the team they stand for when the ticket is unassigned.
	Mention []string `json:"mention,omitempty"`
	Team    string   `json:"team,omitempty"`
}

// Followups is the Slack work after a ticket event: the card sync always
// (coalesced per ticket), and a thread post for what the card alone does
// not tell: the description, messages that did not come from the thread
// itself, order updates from the stores (fulfilled, refunded), status
// changes made outside Slack, orders linked by others, SLA warnings.
func (s *Service) Followups(t tickets.Ticket, e tickets.Event) []tickets.Followup {
	delay := s.opt.SyncDelay
	if e.Type == tickets.EventCreated {
		delay = 0 // a new ticket's card goes out at once; changes coalesce after
	}
	out := []tickets.Followup{NewSyncFollowup(t.ID, delay)}
	p := threadPayload{TicketID: t.ID, Type: e.Type, At: e.At, Actor: actorName(e.Actor)}
	fromSlack := e.Actor.Kind == tickets.ActorSlack
	switch e.Type {
	case tickets.EventCreated:
		return out // the card quotes the first message itself
	case tickets.EventMessageCreated:
		p.MessageID = int64Of(e.After["message_id"])
		if p.MessageID == 0 || fromSlack && fmt.Sprint(e.After["kind"]) == string(tickets.MessageNote) {
			return out // an agent's note from Slack is a reply in the thread already
		}
	case tickets.EventStatusChanged:
		if fromSlack {
			return out // the card shows it, and the agent did it there
		}
		p.From, p.To = fmt.Sprint(e.Before["status"]), fmt.Sprint(e.After["status"])
	case tickets.EventOrderLinked:
		if fromSlack || e.Actor.Kind == tickets.ActorSystem {
			return out // the card shows it; an agent did it there, or the lookup did
		}
		p.Order = fmt.Sprint(e.After["order_number"])
	case tickets.EventOrderUpdated:
		// An order fulfilled, refunded or cancelled in its store: the
		// store's timeline line, already written for people.
		p.Detail, _ = e.After["timeline"].(string)
		if p.Detail == "" {
			return out
		}
	case tickets.EventRated:
		// The card shows the rating; the thread tells the team it came.
		p.Detail = fmt.Sprint(e.After["rating"])
	case tickets.EventSLAWarning:
		target, _ := e.After["target"].(string)
		level, _ := e.After["level"].(string)
		p.Detail = strings.ReplaceAll(strings.TrimSpace(target+" "+level), "_", " ")
		p.Mention = stringList(e.After["mention"])
		p.Team, _ = e.After["team"].(string)
		if lead, _ := e.After["lead"].(bool); lead {
			ch, _ := e.After["lead_channel"].(string)
			out = append(out, NewEscalationFollowup(t.ID, ch, p.Detail, e.At))
		}
	default:
		return out
	}
	b, _ := json.Marshal(p)
	return append(out, tickets.Followup{Type: TypeThread, Payload: b})
}

func actorName(a tickets.Actor) string {
	switch {
	case a.Name != "":
		return a.Name
	case a.Kind == tickets.ActorWebhook:
		return "a webhook"
	case a.Kind == tickets.ActorSystem:
		return "the hub"
	}
	return string(a.Kind) + " " + a.ID
}

func int64Of(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	case json.Number:
		i, _ := n.Int64()
		return i
	case string:
		i, _ := strconv.ParseInt(n, 10, 64)
		return i
	}
	return 0
}

func (s *Service) handleThread(ctx context.Context, task *asynq.Task) error {
	var p threadPayload
	if err := json.Unmarshal(task.Payload(), &p); err != nil || p.TicketID == "" {
		return fmt.Errorf("slack thread payload: %w", asynq.SkipRetry)
	}
	ws, ok, err := s.opt.Settings.Workspace(ctx)
	if err != nil || !ok {
		return err
	}
	t, found, err := s.ticket(ctx, p.TicketID)
	if !found {
		return err
	}
	if !t.Slack.HasCard() {
		if t.Slack.Error != "" || t.Slack.Digest == tickets.DigestListed || s.opt.Now().Sub(p.At) > threadWait {
			return nil // no card to thread under (the audit trail has it)
		}
		return later("card not posted yet", 2*time.Second)
	}
	entry, ok, err := s.timelineEntry(ctx, t, p)
	if err != nil || !ok {
		return err
	}
	channel, thread := t.Slack.Channel, t.Slack.TS
	if ch, origin := s.route(ws, t); origin != "" && ch == channel {
		thread = origin // the card is itself a reply in the message's thread
	}
	// A thread post takes a turn in the channel like a card, but never
	// queues far ahead of the cards: past threadTurn it asks again later.
	if s.opt.Now().Sub(p.At) > threadWait {
		s.opt.Logger.Info("slack: timeline post dropped: its channel stayed too busy", "ticket", t.Ref(), "channel", channel)
		return nil
	}
	if err := s.turn(ctx, "post:"+channel, s.opt.PostRate, threadTurn); err != nil {
		return err
	}
	if _, err := ws.Client.Post(ctx, channel, thread, slackapi.RenderTimeline(entry)); err != nil {
		if !slackapi.IsPermanent(err) {
			return err
		}
		s.opt.Metrics.failures.WithLabelValues(slackapi.ErrorCode(err)).Inc()
		s.opt.Logger.Warn("slack: timeline post failed", "ticket", t.Ref(), "channel", channel, "error", slackapi.ErrorCode(err))
		return nil
	}
	s.opt.Metrics.cards.WithLabelValues("thread").Inc()
	return nil
}

// timelineEntry renders what happened; ok is false when there is nothing
// to post after all (a message from the thread itself, deleted since).
func (s *Service) timelineEntry(ctx context.Context, t tickets.Ticket, p threadPayload) (slackapi.TimelineEntry, bool, error) {
	who := "*" + slackapi.EscapeCut(p.Actor, 100) + "*"
	switch p.Type {
	case tickets.EventCreated:
		return slackapi.TimelineEntry{Icon: ":incoming_envelope:", Title: "*" + slackapi.EscapeCut(customerLine(t.Customer), 200) + "* wrote", Body: t.Description}, t.Customer.Email != "" || t.Customer.Name != "", nil
	case tickets.EventStatusChanged:
		return slackapi.TimelineEntry{Icon: ":arrows_counterclockwise:", Title: fmt.Sprintf("Status %s → *%s* by %s", slackapi.Escape(p.From), slackapi.Escape(p.To), who)}, true, nil
	case tickets.EventOrderLinked:
		return slackapi.TimelineEntry{Icon: ":link:", Title: "Order #" + slackapi.EscapeCut(strings.TrimPrefix(p.Order, "#"), 60) + " linked by " + who}, true, nil
	case tickets.EventSLAWarning:
		title := "SLA warning: " + slackapi.EscapeCut(p.Detail, 200)
		who, err := s.mentions(ctx, p.Mention)
		if err != nil {
			return slackapi.TimelineEntry{}, false, err
		}
		if who != "" && p.Team != "" {
			title += " · team " + slackapi.EscapeCut(p.Team, 60) + ": " + who
		} else if who != "" {
			title += " · " + who
		}
		return slackapi.TimelineEntry{Icon: ":warning:", Title: title}, true, nil
	case tickets.EventOrderUpdated:
		return slackapi.TimelineEntry{Icon: ":package:", Title: "Order update", Body: p.Detail}, true, nil
	case tickets.EventRated:
		who := customerLine(t.Customer)
		if who == "" {
			who = "The customer"
		}
		title := "*" + slackapi.EscapeCut(who, 200) + "* rated the help " + slackapi.EscapeCut(p.Detail, 2) + "/5"
		if t.CSAT != nil && t.CSAT.Comment != "" {
			return slackapi.TimelineEntry{Icon: ":star:", Title: title, Body: t.CSAT.Comment}, true, nil
		}
		return slackapi.TimelineEntry{Icon: ":star:", Title: title}, true, nil
	}
	msgs, err := s.opt.Store.ListMessages(ctx, t.ID)
	if err != nil {
		return slackapi.TimelineEntry{}, false, err
	}
	for _, m := range msgs {
		if m.ID != p.MessageID {
			continue
		}
		if m.DeletedAt != nil || (m.Source == tickets.SourceSlack && strings.HasPrefix(m.ExternalRef, "msg:")) {
			return slackapi.TimelineEntry{}, false, nil
		}
		author := m.Author.Name
		if author == "" {
			author = m.Author.ID
		}
		e := slackapi.TimelineEntry{Body: m.Body}
		switch m.Kind {
		case tickets.MessageCustomer:
			name := customerLine(t.Customer)
			if name == "" {
				name = "The customer"
			}
			e.Icon, e.Title = ":speech_balloon:", "*"+slackapi.EscapeCut(name, 200)+"* wrote"
		case tickets.MessageReply:
			e.Icon, e.Title = ":outbox_tray:", "*"+slackapi.EscapeCut(author, 100)+"* replied to the customer"
		case tickets.MessageNote:
			e.Icon, e.Title = ":memo:", "*"+slackapi.EscapeCut(author, 100)+"* added an internal note"
		default:
			e.Icon, e.Title = ":information_source:", "_timeline_"
		}
		return e, true, nil
	}
	return slackapi.TimelineEntry{}, false, nil
}
