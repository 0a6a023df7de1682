package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5/middleware"

	"hub/tickets"
)

// Codes the transport adds to the domain's.
const (
	codeTooLarge         tickets.Code = "too_large"
	codeUnsupportedMedia tickets.Code = "unsupported_media_type"
	codeMethodNotAllowed tickets.Code = "method_not_allowed"
)

var errMethod = tickets.Errorf(codeMethodNotAllowed, "method not allowed")

// ErrMethodNotAllowed is the error for a known route with the wrong method.
var ErrMethodNotAllowed = errMethod

// statusOf maps every code to its HTTP status; a code not here is a bug and
// answers 500.
var statusOf = map[tickets.Code]int{
	tickets.EINVALID:      http.StatusBadRequest,
	tickets.ENOTFOUND:     http.StatusNotFound,
	tickets.ECONFLICT:     http.StatusConflict,
	tickets.EUNAUTHORIZED: http.StatusUnauthorized,
	tickets.EUNAVAILABLE:  http.StatusServiceUnavailable,
	tickets.EINTERNAL:     http.StatusInternalServerError,
	codeTooLarge:          http.StatusRequestEntityTooLarge,
	codeUnsupportedMedia:  http.StatusUnsupportedMediaType,
	codeMethodNotAllowed:  http.StatusMethodNotAllowed,
}

type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code    tickets.Code `json:"code"`
	Message string       `json:"message"`
	Field   string       `json:"field,omitempty"`
}

// writeError is the one place an error becomes a response.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	WriteError(w, r, err, s.log, s.isUnavailable)
}

// WriteError turns err into the API's error response: the status for its
// code, the one JSON shape, 503 when isUnavailable says the database could
// not be reached, and a logged but unshown detail for internal errors. Other
// packages serving routes under /api/v1 (Zapier's) answer through it too.
func WriteError(w http.ResponseWriter, r *http.Request, err error, log *slog.Logger, isUnavailable func(error) bool) {
	if isUnavailable == nil {
		isUnavailable = func(error) bool { return false }
	}
	body := errorJSON{Code: tickets.ErrorCode(err), Message: tickets.ErrorMessage(err)}
	var e *tickets.Error
	if errors.As(err, &e) {
		body.Field = e.Field
	}
	status, known := statusOf[body.Code]
	log = log.With("method", r.Method, "path", r.URL.Path, "request_id", middleware.GetReqID(r.Context()))
	internal := body.Code == tickets.EINTERNAL || !known
	switch {
	case internal && (isUnavailable(err) || r.Context().Err() != nil):
		// Postgres is down, or the request ran out of time: the caller
		// should try again.
		log.WarnContext(r.Context(), "api: unavailable", "err", err)
		status = http.StatusServiceUnavailable
		body = errorJSON{Code: tickets.EUNAVAILABLE, Message: "the service is temporarily unavailable; retry later"}
	case internal:
		log.ErrorContext(r.Context(), "api: internal error", "err", err)
		status = http.StatusInternalServerError
		body = errorJSON{Code: tickets.EINTERNAL, Message: "internal error"}
	case body.Code == tickets.EUNAVAILABLE:
		log.WarnContext(r.Context(), "api: unavailable", "err", err)
	case body.Code == tickets.EUNAUTHORIZED && w.Header().Get("WWW-Authenticate") == "":
		// A wrapper (cmd/hub's Basic prompt for the queue dashboard) may
		// have asked for another scheme already.
		w.Header().Set("WWW-Authenticate", `Bearer realm="hub"`)
	}
	writeJSON(w, r, log, status, errorBody{body})
}

// RetryAfterSeconds is what every 503 the hub gives asks a caller to wait:
// an outage or overload passes, and a sender that retries at once only
// adds to it.
const RetryAfterSeconds = "5"

// SetRetryAfter gives a 503 (or 429) its Retry-After unless the handler
// set one already.
func SetRetryAfter(w http.ResponseWriter, status int) {
	if (status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests) && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", RetryAfterSeconds)
	}
}

// reply writes v as JSON with status. It returns nil so that handlers can end
// with it. v is encoded before the status goes out, so a value that cannot be
// encoded is still a clean 500.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, status int, v any) error {
	return writeJSON(w, r, s.log, status, v)
}

func writeJSON(w http.ResponseWriter, r *http.Request, log *slog.Logger, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		if _, isErr := v.(errorBody); isErr {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return nil
		}
		return fmt.Errorf("api: encode response: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	SetRetryAfter(w, status)
	w.WriteHeader(status)
	if _, err := w.Write(buf.Bytes()); err != nil {
		// The client left; nothing more to tell it.
		log.DebugContext(r.Context(), "api: write response", "err", err, "path", r.URL.Path)
	}
	return nil
}
