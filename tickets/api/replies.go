package api

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"hub/tickets"
)

// ReplyStore keeps the saved replies (tickets/postgres).
type ReplyStore interface {
	ListReplies(ctx context.Context) ([]tickets.SavedReply, error)
	GetReply(ctx context.Context, name string) (tickets.SavedReply, error)
	CreateReply(ctx context.Context, by, name, body string) (tickets.SavedReply, error)
	EditReply(ctx context.Context, by, name string, e tickets.ReplyEdit) (tickets.SavedReply, error)
	DeleteReply(ctx context.Context, name string) error
}

// SavedReply is a saved reply as the API shows it. Placeholders are the
// ones its body names.
type SavedReply struct {
	Name         string    `json:"name"`
	Body         string    `json:"body"`
	Placeholders []string  `json:"placeholders"`
	UpdatedBy    string    `json:"updated_by"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// SavedReplyJSON renders r.
func SavedReplyJSON(r tickets.SavedReply) SavedReply {
	ph := tickets.ReplyPlaceholders(r.Body)
	if ph == nil {
		ph = []string{}
	}
	return SavedReply{Name: r.Name, Body: r.Body, Placeholders: ph, UpdatedBy: r.UpdatedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func (s *Server) replyRoutes(r chi.Router) {
	r.Get("/", s.handle(s.listReplies))
	r.Post("/", s.handle(s.createReply))
	r.Get("/{name}", s.handle(s.getReply))
	r.Patch("/{name}", s.handle(s.editReply))
	r.Delete("/{name}", s.handle(s.deleteReply))
}

func (s *Server) replyStore() (ReplyStore, error) {
	if s.replies == nil {
		return nil, tickets.Errorf(tickets.EUNAVAILABLE, "saved replies are not available")
	}
	return s.replies, nil
}

func (s *Server) listReplies(w http.ResponseWriter, r *http.Request) error {
	st, err := s.replyStore()
	if err != nil {
		return err
	}
	list, err := st.ListReplies(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Replies []SavedReply `json:"replies"`
		// Placeholders are what a body may name, with what each is.
		Placeholders map[string]string `json:"placeholders"`
	}{make([]SavedReply, 0, len(list)), tickets.Placeholders}
	for _, x := range list {
		out.Replies = append(out.Replies, SavedReplyJSON(x))
	}
	return s.reply(w, r, http.StatusOK, out)
}

func (s *Server) getReply(w http.ResponseWriter, r *http.Request) error {
	st, err := s.replyStore()
	if err != nil {
		return err
	}
	x, err := st.GetReply(r.Context(), chi.URLParam(r, "name"))
	if err != nil {
		return err
	}
	return s.reply(w, r, http.StatusOK, SavedReplyJSON(x))
}

type replyBody struct {
	Name *string `json:"name"`
	Body *string `json:"body"`
}

func (s *Server) createReply(w http.ResponseWriter, r *http.Request) error {
	st, err := s.replyStore()
	if err != nil {
		return err
	}
	var b replyBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if b.Name == nil {
		return tickets.Invalid("name", "name is required")
	}
	if b.Body == nil {
		return tickets.Invalid("body", "body is required")
	}
	x, err := st.CreateReply(r.Context(), actorName(r), *b.Name, *b.Body)
	if err != nil {
		return err
	}
	return s.reply(w, r, http.StatusCreated, SavedReplyJSON(x))
}

func (s *Server) editReply(w http.ResponseWriter, r *http.Request) error {
	st, err := s.replyStore()
	if err != nil {
		return err
	}
	var b replyBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	x, err := st.EditReply(r.Context(), actorName(r), chi.URLParam(r, "name"), tickets.ReplyEdit{Name: b.Name, Body: b.Body})
	if err != nil {
		return err
	}
	return s.reply(w, r, http.StatusOK, SavedReplyJSON(x))
}

func (s *Server) deleteReply(w http.ResponseWriter, r *http.Request) error {
	st, err := s.replyStore()
	if err != nil {
		return err
	}
	if err := st.DeleteReply(r.Context(), chi.URLParam(r, "name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// actorName is who a change is recorded as: the API key's name.
func actorName(r *http.Request) string {
	a := actor(r)
	if a.Name != "" {
		return "api_key:" + a.Name
	}
	return string(a.Kind) + ":" + a.ID
}
