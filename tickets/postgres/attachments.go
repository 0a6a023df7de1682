package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

// MaxAttachmentsPerMessage bounds the rows one message writes; a message
// with more files (a hostile one) keeps the first ones.
const MaxAttachmentsPerMessage = 100

// insertAttachments stores the files that came with a message (messageID
// 0: with what opened the ticket). Omitted files are listed without bytes.
func insertAttachments(ctx context.Context, q querier, ticketID string, messageID int64, atts []tickets.Attachment, now time.Time) error {
	for i, a := range atts {
		if i == MaxAttachmentsPerMessage {
			break
		}
		var msg *int64
		if messageID != 0 {
			msg = &messageID
		}
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		var data []byte
		if !a.Omitted {
			data = a.Data
			if data == nil {
				data = []byte{}
			}
		}
		_, err := q.Exec(ctx, `
			insert into attachments (ticket_id, message_id, filename, content_type, size, omitted, content, created_at)
			values ($1, $2, $3, $4, $5, $6, $7, $8)`,
			ticketID, msg, a.Filename, ct, a.Size, a.Omitted, data, now)
		if err != nil {
			return dbError("add attachment", err)
		}
	}
	return nil
}

const attachmentColumns = `a.id, a.ticket_id, coalesce(a.message_id, 0), a.filename, a.content_type, a.size, a.omitted, a.created_at`

func scanAttachment(row pgx.Row, withData bool) (tickets.Attachment, error) {
	var a tickets.Attachment
	dest := []any{&a.ID, &a.TicketID, &a.MessageID, &a.Filename, &a.ContentType, &a.Size, &a.Omitted, &a.CreatedAt}
	if withData {
		dest = append(dest, &a.Data)
	}
	err := row.Scan(dest...)
	return a, err
}

// ListAttachments lists a ticket's files, oldest first, without their bytes.
func (s *Store) ListAttachments(ctx context.Context, ref string) ([]tickets.Attachment, error) {
	id, err := s.ticketID(ctx, s.pool, ref)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `select `+attachmentColumns+` from attachments a where a.ticket_id = $1 order by a.id`, id)
	if err != nil {
		return nil, dbError("list attachments", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (tickets.Attachment, error) { return scanAttachment(row, false) })
	return list, dbError("list attachments", err)
}

// GetAttachment loads one of a ticket's files with its bytes (nil when it
// was omitted).
func (s *Store) GetAttachment(ctx context.Context, ref string, attachmentID int64) (tickets.Attachment, error) {
	id, err := s.ticketID(ctx, s.pool, ref)
	if err != nil {
		return tickets.Attachment{}, err
	}
	a, err := scanAttachment(s.pool.QueryRow(ctx, `select `+attachmentColumns+`, a.content from attachments a
		where a.ticket_id = $1 and a.id = $2`, id, attachmentID), true)
	if isNoRows(err) {
		return a, tickets.Errorf(tickets.ENOTFOUND, "attachment %d not found on ticket %s", attachmentID, ref)
	}
	return a, dbError("get attachment", err)
}
