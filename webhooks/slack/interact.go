package slack

import (
	"context"
	"net/http"
	"strings"
	"time"

	slackapi "hub/connectors/slack"
	"hub/tickets"
	"hub/webhooks"
)

// ShortcutCreateTicket is the callback id of the "Create ticket" message
// shortcut (see the app manifest in the README).
const ShortcutCreateTicket = "create_ticket"

// serveInteractivity is POST /slack/interactivity: card buttons and
// selects, modal submissions and the message shortcut. Slack wants an
// answer within 3 seconds and does not retry.
func (s *Service) serveInteractivity(w http.ResponseWriter, r *http.Request) {
	ws, body, ok := s.verified(w, r)
	if !ok {
		return
	}
	in, err := slackapi.ParseInteraction(body)
	if err != nil {
		s.reject("invalid")
		webhooks.WriteError(w, http.StatusBadRequest, "invalid", "the payload is not a Slack interaction")
		return
	}
	if ws.TeamID != "" && in.Team.ID != "" && in.Team.ID != ws.TeamID {
		w.WriteHeader(http.StatusOK)
		return
	}
	team := in.Team.ID
	switch in.Type {
	case "block_actions":
		if len(in.Actions) != 1 {
			break
		}
		a := in.Actions[0]
		switch {
		case a.ActionID == slackapi.ActionLinkOrder || a.ActionID == slackapi.ActionReply:
			s.openModal(r.Context(), ws, in, a)
		case a.ActionID == slackapi.ActionAssignMe || a.ActionID == slackapi.ActionAssignTo ||
			a.ActionID == slackapi.ActionPriority || strings.HasPrefix(a.ActionID, slackapi.ActionStatus):
			// A double click is two clicks (two action_ts); the domain
			// change is what makes the second one a no-op.
			d := &tickets.Delivery{Tenant: team, Topic: "action:" + a.ActionID,
				Key: "action:" + team + ":" + in.User.ID + ":" + a.ActionID + ":" + a.ActionTS + ":" + in.Container.MessageTS, Body: body}
			if !s.record(w, r, d) {
				return
			}
		}
	case "view_submission":
		if problem, block := validateView(in.View); problem != "" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(slackapi.ViewErrors(block, problem))
			return
		}
		if in.View.CallbackID != slackapi.ViewReply && in.View.CallbackID != slackapi.ViewLinkOrder {
			break
		}
		if problem := s.checkSavedReply(r.Context(), in); problem != "" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(slackapi.ViewErrors(slackapi.InputReplySaved, problem))
			return
		}
		// A view is submitted once; its id keys the delivery (and the
		// reply's message), so a resubmission changes nothing twice.
		d := &tickets.Delivery{Tenant: team, Topic: "view:" + in.View.CallbackID, Key: "view:" + in.View.ID, Body: body}
		if !s.record(w, r, d) {
			return
		}
	case "message_action":
		if in.CallbackID != ShortcutCreateTicket {
			break
		}
		key := in.TriggerID
		if key == "" {
			key = in.User.ID + ":" + in.ActionTS
		}
		d := &tickets.Delivery{Tenant: team, Topic: "shortcut:" + ShortcutCreateTicket, Key: "shortcut:" + key, Body: body}
		if !s.record(w, r, d) {
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// validateView checks a submitted modal's inputs while the modal is still
// open, so the agent can correct them; it returns the problem and the
// input block it concerns.
func validateView(v slackapi.ViewPayload) (problem, block string) {
	switch v.CallbackID {
	case slackapi.ViewReply:
		if strings.TrimSpace(v.Input(slackapi.InputReplyBody)) == "" && v.Input(slackapi.InputReplySaved) == "" {
			return "Write the reply first, or choose a saved reply.", slackapi.InputReplyBody
		}
		if v.Checked(slackapi.InputReplyOptions, slackapi.OptionSurvey) && !v.Checked(slackapi.InputReplyOptions, slackapi.OptionResolve) {
			return "The rating survey goes with the resolution reply: tick Resolve too.", slackapi.InputReplyOptions
		}
	case slackapi.ViewLinkOrder:
		n := orderNumber(v.Input(slackapi.InputOrder))
		if n == "" || len(n) > 64 || strings.ContainsAny(n, " \t\n") {
			return "Enter one order number, such as #1001.", slackapi.InputOrder
		}
	}
	return "", ""
}

func orderNumber(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "#") }

// openModal opens the "Reply to customer" or "Link order" modal.
//
// This is the one Slack call made while answering a request: views.open
// needs the click's trigger_id, which Slack lets expire about 3 seconds
// after the click, and a task could wait longer than that in a busy queue.
// It changes nothing in the hub (the submission, which does, goes through
// the pipeline like every other change), so if it fails the agent clicks
// again. Its reads are one ticket and the reply destinations.
func (s *Service) openModal(ctx context.Context, ws Workspace, in slackapi.Interaction, a slackapi.Action) {
	ctx, cancel := context.WithTimeout(ctx, 2500*time.Millisecond)
	defer cancel()
	id := a.Value
	if id == "" {
		id, _ = slackapi.TicketOfBlock(a.BlockID)
	}
	t, err := s.opt.Store.GetTicket(ctx, id)
	if err != nil {
		s.opt.Logger.Info("slack: modal for an unknown ticket", "err", err)
		return
	}
	var v slackapi.View
	if a.ActionID == slackapi.ActionReply {
		var routes []string
		if s.opt.Replies != nil {
			routes = s.opt.Replies.ReplyRoutes(ctx, t)
		}
		v = slackapi.ReplyModal(slackapi.ReplyData{TicketID: t.ID, Ref: t.Ref(), Subject: t.Subject, Customer: customerLine(t.Customer),
			Routes: routes, Saved: s.savedChoices(ctx), Survey: s.opt.SurveyURL != nil})
	} else {
		stores, _ := s.storeChoices(ctx, t)
		v = slackapi.LinkOrderModal(slackapi.LinkData{TicketID: t.ID, Ref: t.Ref(), Subject: t.Subject, Stores: stores})
	}
	if err := ws.Client.OpenView(ctx, in.TriggerID, v); err != nil {
		s.opt.Logger.Warn("slack: could not open modal", "ticket", t.Ref(), "err", err)
	}
}

func customerLine(c tickets.Customer) string {
	switch {
	case c.Name != "" && c.Email != "":
		return c.Name + " <" + c.Email + ">"
	case c.Email != "":
		return c.Email
	}
	return c.Name
}

// storeChoices are the stores an order number may belong to: the ticket's
// own store or its orders' store when it has one, else every connected
// store.
func (s *Service) storeChoices(ctx context.Context, t tickets.Ticket) ([]string, error) {
	if t.Store != "" {
		return []string{t.Store}, nil
	}
	for _, o := range t.Orders {
		return []string{o.Store}, nil
	}
	if s.opt.Stores == nil {
		return nil, nil
	}
	return s.opt.Stores(ctx)
}

// savedChoices are the saved replies the reply modal offers. Failing to
// list them leaves the select out: the agent can still write.
func (s *Service) savedChoices(ctx context.Context) []slackapi.SavedReply {
	if s.opt.Saved == nil {
		return nil
	}
	list, err := s.opt.Saved.ListReplies(ctx)
	if err != nil {
		s.opt.Logger.Warn("slack: list saved replies", "err", err)
		return nil
	}
	out := make([]slackapi.SavedReply, 0, len(list))
	for _, r := range list {
		out = append(out, slackapi.SavedReply{Name: r.Name, Body: r.Body})
	}
	return out
}

// checkSavedReply fills in the saved reply a submitted reply modal chose,
// while the modal is open, so that a template asking for what the ticket
// lacks (a tracking link without a shipment) is corrected by the agent
// rather than sent half-empty. It returns the problem, "" when none (or
// when it cannot tell: the worker decides then).
func (s *Service) checkSavedReply(ctx context.Context, in slackapi.Interaction) string {
	v := in.View
	name := v.Input(slackapi.InputReplySaved)
	if v.CallbackID != slackapi.ViewReply || name == "" || s.opt.Saved == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	saved, err := s.opt.Saved.GetReply(ctx, name)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return "That saved reply was deleted meanwhile; choose another."
	}
	if err != nil {
		return ""
	}
	t, err := s.opt.Store.GetTicket(ctx, v.PrivateMetadata)
	if err != nil {
		return ""
	}
	_, err = tickets.ComposeReply(t, "", replyDraft(v, &saved), s.opt.Now(), s.opt.SurveyURL)
	if tickets.ErrorCode(err) == tickets.EINVALID {
		return tickets.ErrorMessage(err)
	}
	return ""
}

// replyDraft is what a submitted reply modal asks to send.
func replyDraft(v slackapi.ViewPayload, saved *tickets.SavedReply) tickets.ReplyDraft {
	return tickets.ReplyDraft{
		Text:    v.Input(slackapi.InputReplyBody),
		Saved:   saved,
		Resolve: v.Checked(slackapi.InputReplyOptions, slackapi.OptionResolve),
		Survey:  v.Checked(slackapi.InputReplyOptions, slackapi.OptionSurvey),
	}
}
