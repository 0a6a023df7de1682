package zapier

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"hub/tickets"
)

// maxHookBody caps a subscribe request; Zapier sends about 150 bytes.
const maxHookBody = 16 << 10

type subscribeBody struct {
	TargetURL   string `json:"target_url"`
	Event       string `json:"event"`
	MessageKind string `json:"message_kind"`
}

// HookJSON is a subscription as the API shows it to the key that owns it.
type HookJSON struct {
	ID            string     `json:"id"`
	Event         string     `json:"event"`
	TargetURL     string     `json:"target_url"`
	MessageKind   string     `json:"message_kind,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	Failures      int        `json:"failures"`
	LastError     string     `json:"last_error,omitempty"`
	LastSuccessAt *time.Time `json:"last_success_at"`
	PausedAt      *time.Time `json:"paused_at"`
}

func hookJSON(h Hook) HookJSON {
	return HookJSON{ID: h.ID, Event: h.Event, TargetURL: h.TargetURL, MessageKind: h.MessageKind,
		CreatedAt: h.CreatedAt.UTC(), Failures: h.Failures, LastError: h.LastError,
		LastSuccessAt: h.LastSuccessAt, PausedAt: h.PausedAt}
}

// subscribe is Zapier's performSubscribe: 201 with the hook (its id is what
// Zapier keeps as subscribeData), or 200 with the same hook when this key
// already subscribed this target to this event.
func (s *Service) subscribe(keyID func(context.Context) string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var b subscribeBody
		if err := decodeJSON(w, r, &b); err != nil {
			return err
		}
		b.TargetURL, b.Event, b.MessageKind = strings.TrimSpace(b.TargetURL), strings.TrimSpace(b.Event), strings.TrimSpace(b.MessageKind)
		if b.TargetURL == "" {
			return tickets.Invalid("target_url", "target_url is required")
		}
		if !isEvent(b.Event) {
			return tickets.Invalid("event", "event must be one of %s (got %q)", strings.Join(Events, ", "), b.Event)
		}
		if b.MessageKind != "" {
			if b.Event != tickets.EventMessageCreated {
				return tickets.Invalid("message_kind", "message_kind applies to ticket.message_created only")
			}
			if !validKind(b.MessageKind) {
				return tickets.Invalid("message_kind", "message_kind must be one of customer, reply, note, system (got %q)", b.MessageKind)
			}
		}
		if err := s.cfg.Client.Allowlist().Check(b.TargetURL); err != nil {
			return tickets.Invalid("target_url", "%s", strings.TrimPrefix(err.Error(), "target refused: "))
		}
		h, created, err := s.cfg.Store.SaveHook(r.Context(), Hook{
			APIKeyID: keyID(r.Context()), TargetURL: b.TargetURL, Event: b.Event, MessageKind: b.MessageKind,
		}, s.cfg.MaxHooks)
		if err != nil {
			return err
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
			s.cfg.Logger.Info("zapier: hook subscribed", "hook_id", h.ID, "event", h.Event)
		}
		writeJSON(w, status, hookJSON(h))
		return nil
	}
}

// unsubscribe is performUnsubscribe: 204 whether or not the hook was still
// there; 404 only for another key's hook.
func (s *Service) unsubscribe(keyID func(context.Context) string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := chi.URLParam(r, "id")
		if err := s.cfg.Store.DeleteHook(r.Context(), keyID(r.Context()), id); err != nil {
			return err
		}
		s.cfg.Logger.Info("zapier: hook unsubscribed", "hook_id", id)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// listHooks shows the key's subscriptions, with their delivery health.
func (s *Service) listHooks(keyID func(context.Context) string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := s.cfg.Store.ListHooks(r.Context(), keyID(r.Context()))
		if err != nil {
			return err
		}
		out := make([]HookJSON, 0, len(list))
		for _, h := range list {
			out = append(out, hookJSON(h))
		}
		writeJSON(w, http.StatusOK, map[string]any{"hooks": out})
		return nil
	}
}

func validKind(k string) bool {
	switch tickets.MessageKind(k) {
	case tickets.MessageCustomer, tickets.MessageReply, tickets.MessageNote, tickets.MessageSystem:
		return true
	}
	return false
}

// decodeJSON reads one JSON object strictly, with errors that name the field.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.Contains(strings.ToLower(ct), "json") {
		return tickets.Invalid("", "Content-Type must be application/json (got %q)", ct)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxHookBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	var te *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case err == nil:
	case errors.As(err, &mbe):
		return tickets.Invalid("", "request body is larger than %d bytes", maxHookBody)
	case errors.As(err, &te) && te.Field != "":
		return tickets.Invalid(te.Field, "%s must be a string", te.Field)
	case errors.Is(err, io.EOF):
		return tickets.Invalid("", "request body is empty: send a JSON object")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return tickets.Invalid(name, "unknown field %q", name)
	default:
		return tickets.Invalid("", "request body must be a JSON object")
	}
	if dec.More() {
		return tickets.Invalid("", "request body must hold one JSON object and nothing after it")
	}
	return nil
}
