package survey

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"hub/tickets"
)

// Store is what the page needs (tickets/postgres).
type Store interface {
	Survey(ctx context.Context, token string) (tickets.Survey, error)
	RateSurvey(ctx context.Context, token string, r tickets.Rating) (tickets.Survey, error)
}

// Handler serves /survey/{token}.
type Handler struct {
	store Store
	log   *slog.Logger
}

// New returns the Handler; a nil logger discards.
func New(store Store, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{store: store, log: log}
}

// Routes returns the router to mount at /survey.
func (h *Handler) Routes() chi.Router {
	r := chi.NewRouter()
	r.Get("/{token}", h.show)
	r.Post("/{token}", h.answer)
	return r
}

// maxForm bounds the form: a rating and a comment of at most 2,000
// characters (up to 4 bytes each, percent-encoded).
const maxForm = 32 << 10

func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	sv, err := h.store.Survey(r.Context(), chi.URLParam(r, "token"))
	if err != nil {
		h.fail(w, err)
		return
	}
	p := Page{State: sv.State, Ref: sv.TicketRef, Subject: sv.Subject}
	h.write(w, statusOf(sv.State), p)
}

func (h *Handler) answer(w http.ResponseWriter, r *http.Request) {
	token := chi.URLParam(r, "token")
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		h.write(w, http.StatusBadRequest, Page{Problem: "The form could not be read."})
		return
	}
	score, _ := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("rating")))
	comment := r.PostForm.Get("comment")
	sv, err := h.store.RateSurvey(r.Context(), token, tickets.Rating{Score: score, Comment: comment})
	switch tickets.ErrorCode(err) {
	case "":
		h.write(w, http.StatusOK, Page{State: sv.State, Ref: sv.TicketRef, Subject: sv.Subject,
			Rating: sv.Rating.Score, Comment: sv.Rating.Comment, Thanks: true})
	case tickets.EINVALID:
		// The form again, as filled in, with what to correct.
		cur, lerr := h.store.Survey(r.Context(), token)
		if lerr != nil {
			h.fail(w, lerr)
			return
		}
		h.write(w, http.StatusBadRequest, Page{State: cur.State, Ref: cur.TicketRef, Subject: cur.Subject,
			Rating: score, Comment: comment, Problem: problem(err)})
	case tickets.ECONFLICT:
		// Answered or expired meanwhile: the page says which.
		cur, lerr := h.store.Survey(r.Context(), token)
		if lerr != nil {
			h.fail(w, lerr)
			return
		}
		h.write(w, statusOf(cur.State), Page{State: cur.State, Ref: cur.TicketRef, Subject: cur.Subject})
	default:
		h.fail(w, err)
	}
}

// problem says what to correct in words for the customer.
func problem(err error) string {
	var e *tickets.Error
	if errors.As(err, &e) && e.Field == "rating" {
		return "Choose a rating from 1 to 5."
	}
	return tickets.ErrorMessage(err)
}

// statusOf answers a used or expired link with 410 Gone: the link will
// not work again.
func statusOf(st tickets.SurveyState) int {
	if st == tickets.SurveyOpen {
		return http.StatusOK
	}
	return http.StatusGone
}

func (h *Handler) fail(w http.ResponseWriter, err error) {
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		h.write(w, http.StatusNotFound, Page{})
		return
	}
	h.log.Error("survey page", "err", err)
	w.Header().Set("Retry-After", "30")
	http.Error(w, "The survey is unavailable right now; please try again in a minute.", http.StatusServiceUnavailable)
}

func (h *Handler) write(w http.ResponseWriter, status int, p Page) {
	var buf bytes.Buffer
	if err := Render(&buf, p); err != nil {
		h.log.Error("survey page: render", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	// The token is in the URL: no Referer may carry it elsewhere, and no
	// cache may keep the page.
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
