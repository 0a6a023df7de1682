package postgres

import (
	"context"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

// TicketByEmailID finds the ticket an email thread belongs to: the one
// that sent a reply with one of these Message-IDs, or received a customer
// message (or was opened by one) with it. The most recent match wins, so
// a thread that went on in a follow-up lands there. ok is false when none
// matches.
func (s *Store) TicketByEmailID(ctx context.Context, ids []string) (ticketID string, ok bool, err error) {
	if len(ids) == 0 {
		return "", false, nil
	}
	err = s.pool.QueryRow(ctx, `
		select ticket_id from (
			select r.ticket_id, r.created_at from email_replies r where r.message_id = any($1)
			union all
			select m.ticket_id, m.created_at from messages m
			where m.source = 'email' and m.external_ref <> '' and m.external_ref = any($1)
			union all
			select t.id, t.created_at from tickets t
			where t.source = 'email' and t.external_ref <> '' and t.external_ref = any($1)
		) hits order by created_at desc limit 1`, ids).Scan(&ticketID)
	if isNoRows(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, dbError("find email thread", err)
	}
	return ticketID, true, nil
}

// EmailThread lists the Message-IDs of a ticket's email conversation,
// oldest first (the mail that opened it, the customer's messages, the
// replies sent), and the customer's latest one, which a reply answers.
func (s *Store) EmailThread(ctx context.Context, ticketID string) (ids []string, lastInbound string, err error) {
	rows, err := s.pool.Query(ctx, `
		select id, inbound from (
			select t.external_ref as id, true as inbound, t.created_at as at, 0::bigint as seq from tickets t
			where t.id = $1 and t.source = 'email' and t.external_ref <> ''
			union all
			select m.external_ref, true, m.created_at, m.id from messages m
			where m.ticket_id = $1 and m.source = 'email' and m.kind = 'customer' and m.external_ref <> ''
			union all
			select r.message_id, false, r.created_at, r.reply_id from email_replies r
			where r.ticket_id = $1 and r.status = 'sent'
		) thread order by at, seq`, ticketID)
	if err != nil {
		return nil, "", dbError("email thread", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var inbound bool
		if err := rows.Scan(&id, &inbound); err != nil {
			return nil, "", dbError("email thread", err)
		}
		ids = append(ids, id)
		if inbound {
			lastInbound = id
		}
	}
	return ids, lastInbound, dbError("email thread", rows.Err())
}

// StartEmailReply returns the sending state of reply replyID: the
// Message-ID and address it goes out with, and its status (sending, sent,
// failed). The first call records messageID and recipient; later calls
// return what was recorded, so every retry sends the same Message-ID to
// the same address.
func (s *Store) StartEmailReply(ctx context.Context, replyID int64, ticketID, messageID, recipient string) (id, to, status string, err error) {
	_, err = s.pool.Exec(ctx, `
		insert into email_replies (reply_id, ticket_id, message_id, recipient, created_at)
		values ($1, $2, $3, $4, $5) on conflict (reply_id) do nothing`,
		replyID, ticketID, messageID, recipient, s.now())
	if err != nil {
		return "", "", "", dbError("start email reply", err)
	}
	err = s.pool.QueryRow(ctx, `select message_id, recipient, status from email_replies where reply_id = $1`, replyID).
		Scan(&id, &to, &status)
	return id, to, status, dbError("start email reply", err)
}

// EmailReplyAttempt records a failed try that will be retried and
// returns the tries so far.
func (s *Store) EmailReplyAttempt(ctx context.Context, replyID int64, reason string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `
		update email_replies set attempts = attempts + 1, error = $2
		where reply_id = $1 and status = 'sending' returning attempts`, replyID, reason).Scan(&n)
	if isNoRows(err) {
		return 0, tickets.Errorf(tickets.ECONFLICT, "email reply %d is no longer being sent", replyID)
	}
	return n, dbError("note email attempt", err)
}

// EmailReplySent records that the mail server accepted reply replyID,
// and with it the ticket's first response if it is the first (see
// Options.FirstResponseOnDelivery), in one transaction.
func (s *Store) EmailReplySent(ctx context.Context, replyID int64) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var ticketID string
		err := tx.QueryRow(ctx, `
			update email_replies set status = 'sent', attempts = attempts + 1, error = '', sent_at = $2
			where reply_id = $1 and status = 'sending' returning ticket_id`, replyID, s.now()).Scan(&ticketID)
		if isNoRows(err) {
			return nil
		}
		if err != nil {
			return dbError("mark email sent", err)
		}
		if _, err := tx.Exec(ctx, `update tickets set reply_error = '' where id = $1`, ticketID); err != nil {
			return dbError("mark email sent", err)
		}
		return s.replyDelivered(ctx, tx, ticketID)
	})
}

// replyDelivered records that a channel delivered a public reply on the
// ticket: the first one stops the first-response clock.
func (s *Store) replyDelivered(ctx context.Context, tx pgx.Tx, ticketID string) error {
	t, err := s.loadTicket(ctx, tx, ticketID, true)
	if err != nil {
		return err
	}
	if t.FirstResponseAt != nil {
		return nil
	}
	before := snapshot(t)
	t.AgentReplied(s.now())
	_, err = s.saveChanges(ctx, tx, tickets.Actor{Kind: tickets.ActorSystem, ID: "email"}, before, t)
	return err
}

// EmailReplyFailed gives up on reply replyID and says so on its ticket
// (a system message, which its Slack thread shows too), in one
// transaction.
func (s *Store) EmailReplyFailed(ctx context.Context, actor tickets.Actor, replyID int64, reason, notice string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var ticketID string
		err := tx.QueryRow(ctx, `
			update email_replies set status = 'failed', attempts = attempts + 1, error = $2
			where reply_id = $1 and status = 'sending' returning ticket_id`, replyID, reason).Scan(&ticketID)
		if isNoRows(err) {
			return nil // sent or given up already
		}
		if err != nil {
			return dbError("mark email failed", err)
		}
		if _, err := tx.Exec(ctx, `update tickets set reply_error = $2 where id = $1`, ticketID, cut(notice, 500)); err != nil {
			return dbError("mark email failed", err)
		}
		_, _, err = s.addMessage(ctx, tx, actor, ticketID, tickets.NewMessage{
			Kind: tickets.MessageSystem, Body: notice, Source: tickets.SourceEmail,
			ExternalRef: "reply-failed:" + strconv.FormatInt(replyID, 10),
		})
		return err
	})
}

// LoadEmailCursor reads how far the IMAP mailbox key has been imported.
func (s *Store) LoadEmailCursor(ctx context.Context, key string) (uidValidity, lastUID uint32, ok bool, err error) {
	var v, u int64
	err = s.pool.QueryRow(ctx, `select uid_validity, last_uid from email_cursors where key = $1`, key).Scan(&v, &u)
	if isNoRows(err) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, dbError("load email cursor", err)
	}
	return uint32(v), uint32(u), true, nil
}

// SaveEmailCursor records how far the IMAP mailbox key has been imported.
func (s *Store) SaveEmailCursor(ctx context.Context, key string, uidValidity, lastUID uint32) error {
	_, err := s.pool.Exec(ctx, `
		insert into email_cursors (key, uid_validity, last_uid, updated_at) values ($1, $2, $3, $4)
		on conflict (key) do update set uid_validity = excluded.uid_validity, last_uid = excluded.last_uid,
			updated_at = excluded.updated_at`, key, int64(uidValidity), int64(lastUID), s.now().Truncate(time.Microsecond))
	return dbError("save email cursor", err)
}

// cut keeps s to at most n bytes, on a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
