package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	slackapi "hub/connectors/slack"
	"hub/tickets"
)

// TypeEscalation tells a team lead's channel that a ticket breached its
// SLA. It is a task of its own, not part of the thread post, so a retry of
// one never repeats the other.
const TypeEscalation = "slack:escalate"

type escalationPayload struct {
	TicketID string    `json:"ticket_id"`
	Channel  string    `json:"channel,omitempty"` // "" is the triage channel
	Detail   string    `json:"detail"`            // "first response breached"
	At       time.Time `json:"at"`
}

// NewEscalationFollowup is the outbox row that announces a breach of
// ticket id in channel (the team's lead channel; "" the triage channel).
func NewEscalationFollowup(ticketID, channel, detail string, at time.Time) tickets.Followup {
	b, _ := json.Marshal(escalationPayload{TicketID: ticketID, Channel: channel, Detail: detail, At: at})
	return tickets.Followup{Type: TypeEscalation, Payload: b}
}

func (s *Service) handleEscalation(ctx context.Context, task *asynq.Task) error {
	var p escalationPayload
	if err := json.Unmarshal(task.Payload(), &p); err != nil || p.TicketID == "" {
		return fmt.Errorf("slack escalation payload: %w", asynq.SkipRetry)
	}
	ws, ok, err := s.opt.Settings.Workspace(ctx)
	if err != nil || !ok {
		return err
	}
	t, found, err := s.ticket(ctx, p.TicketID)
	if !found {
		return err
	}
	channel := p.Channel
	if channel == "" {
		channel = ws.Channel
	}
	if channel == "" {
		return nil
	}
	if err := s.turn(ctx, "post:"+channel, s.opt.PostRate, threadTurn); err != nil {
		return err
	}
	_, err = ws.Client.Post(ctx, channel, "", slackapi.RenderTimeline(escalationEntry(t, p.Detail)))
	if err != nil && slackapi.IsPermanent(err) {
		s.opt.Metrics.failures.WithLabelValues(slackapi.ErrorCode(err)).Inc()
		s.opt.Logger.Warn("slack: SLA breach announcement failed", "ticket", t.Ref(), "channel", channel, "error", slackapi.ErrorCode(err))
		return nil
	}
	return err
}

// escalationEntry is the lead's message: which ticket, what breached, who
// has it, and where its card is.
func escalationEntry(t tickets.Ticket, detail string) slackapi.TimelineEntry {
	title := fmt.Sprintf("SLA breached: *%s* %s — %s", t.Ref(), slackapi.EscapeCut(detail, 100), slackapi.EscapeCut(t.Subject, 150))
	var facts []string
	if t.Assignee != "" {
		facts = append(facts, "assignee "+slackapi.EscapeCut(t.Assignee, 100))
	} else {
		facts = append(facts, "unassigned")
	}
	if t.Team != "" {
		facts = append(facts, "team "+slackapi.EscapeCut(t.Team, 60))
	}
	facts = append(facts, "priority "+string(t.Priority))
	if t.Slack.HasCard() {
		facts = append(facts, "card in <#"+t.Slack.Channel+">")
	}
	return slackapi.TimelineEntry{Icon: ":rotating_light:", Title: title + "\n" + strings.Join(facts, " · ")}
}

// mentions renders agents as Slack mentions (<@U…>), which notify them;
// an agent the hub never saw in Slack is named by email.
func (s *Service) mentions(ctx context.Context, emails []string) (string, error) {
	if len(emails) == 0 {
		return "", nil
	}
	ids, err := s.opt.Agents.SlackUserIDs(ctx, emails)
	if err != nil {
		return "", err
	}
	out := make([]string, len(emails))
	for i, e := range emails {
		if id := ids[e]; id != "" && slackUserID.MatchString(id) {
			out[i] = "<@" + id + ">"
		} else {
			out[i] = slackapi.EscapeCut(e, 100)
		}
	}
	return strings.Join(out, " "), nil
}

// slackUserID guards what goes inside a <@…> mention: an id from the
// store, but mrkdwn must never carry anything else there.
var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)

// stringList reads a list of strings from an event's JSON-ish value: a
// []string as written, or []any as read back.
func stringList(v any) []string {
	switch l := v.(type) {
	case []string:
		return l
	case []any:
		out := make([]string, 0, len(l))
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
