package slack

import (
	"errors"
	"io"
	"net/http"

	"github.com/go-chi/chi/v5"

	slackapi "hub/connectors/slack"
	"hub/tickets"
	"hub/webhooks"
)

// Routes mounts the Slack receivers.
func (s *Service) Routes(r chi.Router) {
	r.Post("/slack/events", s.serveEvents)
	r.Post("/slack/interactivity", s.serveInteractivity)
	r.Post("/slack/commands", s.serveCommands)
}

// verified reads the raw body (capped) and checks its signature with the
// workspace's signing secrets. On failure it has answered: 413, 401 (a bare
// message, never why), or 503 when the settings cannot be read.
func (s *Service) verified(w http.ResponseWriter, r *http.Request) (Workspace, []byte, bool) {
	body, err := webhooks.ReadBody(w, r, webhooks.MaxSlackBody)
	if err != nil {
		if errors.Is(err, webhooks.ErrTooLarge) {
			s.reject("too_large")
			webhooks.WriteError(w, http.StatusRequestEntityTooLarge, "too_large", "request body is too large")
		} else {
			s.reject("unreadable")
			webhooks.WriteError(w, http.StatusBadRequest, "invalid", "could not read the request body")
		}
		return Workspace{}, nil, false
	}
	ws, ok, err := s.opt.Settings.Peek(r.Context())
	if err != nil {
		s.opt.Logger.Error("slack: settings unavailable", "err", err)
		w.Header().Set("Retry-After", "5")
		webhooks.WriteError(w, http.StatusServiceUnavailable, "unavailable", "retry later")
		return ws, nil, false
	}
	// Without Slack configured there is no secret to check against, and an
	// unverifiable request is refused like a forged one.
	if !ok || slackapi.Verify(r.Header, body, ws.SigningSecrets, s.opt.Now()) != nil {
		s.reject("signature")
		webhooks.WriteError(w, http.StatusUnauthorized, "unauthorized", "invalid request signature")
		return ws, nil, false
	}
	return ws, body, true
}

func (s *Service) reject(reason string) { s.opt.Metrics.rejected.WithLabelValues(reason).Inc() }

// record commits d to the inbox; Slack gets a 200 either way unless it could
// not be recorded (503, so the Events API retries).
func (s *Service) record(w http.ResponseWriter, r *http.Request, d *tickets.Delivery) bool {
	d.Source = tickets.SourceSlack
	_, ok := webhooks.Record(w, r, s.opt.Pipeline, d, s.opt.Logger)
	return ok
}

// serveEvents is POST /slack/events (the Events API).
func (s *Service) serveEvents(w http.ResponseWriter, r *http.Request) {
	ws, body, ok := s.verified(w, r)
	if !ok {
		return
	}
	env, err := slackapi.ParseEnvelope(body)
	if err != nil {
		// Signed by Slack but unreadable: a 4xx or 5xx would only earn
		// retries of the same body.
		s.opt.Logger.Warn("slack: unreadable event ignored", "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	switch env.Type {
	case "url_verification":
		challenge, ok := env.ChallengeString()
		if !ok {
			webhooks.WriteError(w, http.StatusBadRequest, "invalid", "challenge must be a short string")
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, challenge)
		return
	case "app_rate_limited":
		s.opt.Logger.Warn("slack: events are being rate limited; some were dropped", "team", env.TeamID)
	case "event_callback":
		if ws.TeamID != "" && env.TeamID != ws.TeamID {
			s.opt.Logger.Info("slack: event from another workspace ignored", "team", env.TeamID)
			break
		}
		if d := eventDelivery(env, ws, body); d != nil && !s.record(w, r, d) {
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// eventDelivery decides whether an event is worth recording, and under
// which keys: event_id, and for messages (team, channel, ts), because Slack
// can send one message under several event ids. The hub's own messages,
// other bots and channel housekeeping are dropped here; everything else is
// left to the decoder.
func eventDelivery(env slackapi.Envelope, ws Workspace, body []byte) *tickets.Delivery {
	e := env.Event
	d := &tickets.Delivery{Tenant: env.TeamID, Topic: "event:" + e.Type, Key: env.EventID, Body: body}
	if env.EventID == "" {
		return nil
	}
	fromBot := func(user, botID, subtype string) bool {
		return botID != "" || subtype == "bot_message" || (user != "" && user == ws.BotUserID)
	}
	team := env.TeamID
	switch e.Type {
	case "message":
		switch e.Subtype {
		case "", "thread_broadcast", "file_share", "me_message":
			if fromBot(e.User, e.BotID, e.Subtype) || e.TS == "" {
				return nil
			}
			d.AltKey = "msg:" + team + ":" + e.Channel + ":" + e.TS
		case "message_changed":
			m := e.Message
			if m == nil || fromBot(m.User, m.BotID, m.Subtype) {
				return nil
			}
			edited := e.EventTS
			if m.Edited != nil {
				edited = m.Edited.TS
			}
			d.Topic = "event:message_changed"
			d.AltKey = "edit:" + team + ":" + e.Channel + ":" + m.TS + ":" + edited
		case "message_deleted":
			if p := e.PreviousMessage; p == nil || fromBot(p.User, p.BotID, p.Subtype) {
				return nil
			}
			d.Topic = "event:message_deleted"
			d.AltKey = "del:" + team + ":" + e.Channel + ":" + e.DeletedTS
		default:
			return nil // joins, topics, pins: channel housekeeping
		}
	case "reaction_added":
		if e.Reaction != TicketReaction || e.Item.Type != "message" || e.User == ws.BotUserID {
			return nil
		}
	default:
		return nil // unknown events are acknowledged and ignored
	}
	return d
}

// TicketReaction is the reaction that makes a ticket of a message.
const TicketReaction = "ticket"
