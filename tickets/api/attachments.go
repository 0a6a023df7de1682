package api

import (
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"hub/tickets"
)

// Attachment is a file a customer sent, as listed on its ticket. URL
// serves the bytes; it is empty when they were too large to keep.
type Attachment struct {
	ID          int64     `json:"id"`
	MessageID   *int64    `json:"message_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Kept        bool      `json:"kept"`
	URL         string    `json:"url"`
	CreatedAt   time.Time `json:"created_at"`
}

func (s *Server) listAttachments(w http.ResponseWriter, r *http.Request) error {
	if s.attachments == nil {
		return tickets.Errorf(tickets.ENOTFOUND, "no such endpoint")
	}
	ref := chi.URLParam(r, "id")
	t, err := s.store.GetTicket(r.Context(), ref)
	if err != nil {
		return err
	}
	list, err := s.attachments.ListAttachments(r.Context(), t.ID)
	if err != nil {
		return err
	}
	out := struct {
		Attachments []Attachment `json:"attachments"`
	}{make([]Attachment, 0, len(list))}
	for _, a := range list {
		j := Attachment{ID: a.ID, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size,
			Kept: !a.Omitted, CreatedAt: a.CreatedAt.UTC()}
		if a.MessageID != 0 {
			id := a.MessageID
			j.MessageID = &id
		}
		if !a.Omitted {
			j.URL = "/api/v1/tickets/" + t.ID + "/attachments/" + strconv.FormatInt(a.ID, 10)
		}
		out.Attachments = append(out.Attachments, j)
	}
	return s.reply(w, r, http.StatusOK, out)
}

// getAttachment serves a file's bytes as a download: never rendered
// inline, since it is whatever a stranger mailed in.
func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request) error {
	if s.attachments == nil {
		return tickets.Errorf(tickets.ENOTFOUND, "no such endpoint")
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "aid"), 10, 64)
	if err != nil || id <= 0 {
		return tickets.Errorf(tickets.ENOTFOUND, "attachment %q not found", chi.URLParam(r, "aid"))
	}
	a, err := s.attachments.GetAttachment(r.Context(), chi.URLParam(r, "id"), id)
	if err != nil {
		return err
	}
	if a.Omitted {
		return tickets.Errorf(tickets.ENOTFOUND, "attachment %d was too large to keep; ask the customer for it another way", id)
	}
	name := a.Filename
	if name == "" {
		name = "attachment-" + strconv.FormatInt(a.ID, 10)
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(a.Data)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(a.Data)
	return err
}
