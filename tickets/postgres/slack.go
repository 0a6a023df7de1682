package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

// SetSlackCard records where the ticket's live Slack card is (or why none
// could be posted). It is bookkeeping, not a change to the ticket: no event,
// and updated_at stays.
func (s *Store) SetSlackCard(ctx context.Context, ref string, card tickets.SlackCard) error {
	r, err := parseRef(ref)
	if err != nil {
		return err
	}
	where, arg := r.where("t")
	tag, err := s.pool.Exec(ctx, `
		update tickets t set slack_team = $2, slack_channel = $3, slack_ts = $4, slack_error = $5, slack_digest = $6
		where `+where, arg, card.Team, card.Channel, card.TS, card.Error, card.Digest)
	if err != nil {
		return dbError("set Slack card", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound(ref)
	}
	return nil
}

// TicketBySlackThread finds the ticket whose thread is (channel, ts): the
// ticket whose card is that message, or the ticket made from that message
// (the "Create ticket" shortcut or a :ticket: reaction), whose card is a
// reply in the message's own thread. Such a ticket has source "slack" and
// the external ref "msg:<channel>:<ts>" (webhooks/slack.MessageRef).
func (s *Store) TicketBySlackThread(ctx context.Context, channel, ts string) (tickets.Ticket, error) {
	channel, ts = strings.TrimSpace(channel), strings.TrimSpace(ts)
	var id string
	err := s.pool.QueryRow(ctx, `
		select id from tickets
		where (slack_channel = $1 and slack_ts = $2 and slack_ts <> '')
			or (source = 'slack' and external_ref = 'msg:' || $1 || ':' || $2)
		order by (slack_ts = $2) desc, created_at
		limit 1`,
		channel, ts).Scan(&id)
	if isNoRows(err) || channel == "" || ts == "" {
		return tickets.Ticket{}, tickets.Errorf(tickets.ENOTFOUND, "no ticket for Slack thread %s/%s", channel, ts)
	}
	if err != nil {
		return tickets.Ticket{}, dbError("find ticket by Slack thread", err)
	}
	return s.GetTicket(ctx, id)
}

// TicketsWithoutSlackCard returns the ids of tickets that are not closed
// and have no card because Slack was not configured (notConfigured is that
// error text), or that never tried to post one and were created before the
// cutoff (younger ones are left to their own sync), oldest first. The Slack
// sweep posts their cards once Slack is configured.
func (s *Store) TicketsWithoutSlackCard(ctx context.Context, notConfigured string, before time.Time, limit int) ([]string, error) {
	rows, err := s.pool.Query(ctx, `
		select id::text from tickets
		where status <> 'closed' and slack_ts = '' and slack_digest = ''
			and (slack_error = $1 or (slack_error = '' and created_at < $2))
		order by created_at, id
		limit $3`, notConfigured, before, clamp(limit, 100, 1000))
	if err != nil {
		return nil, dbError("tickets without Slack card", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, dbError("tickets without Slack card", err)
}

// QueueForDigest queues a ticket that has no card for its channel's next
// digest; a ticket that got a card (or a place in a digest) meanwhile is
// left alone. queued reports whether it was queued now.
func (s *Store) QueueForDigest(ctx context.Context, ticketID, team, channel string) (queued bool, err error) {
	tag, err := s.pool.Exec(ctx, `
		update tickets set slack_team = $2, slack_channel = $3, slack_digest = 'waiting', slack_error = ''
		where id = $1 and slack_ts = '' and slack_digest = ''`, ticketID, team, channel)
	if err != nil {
		return false, dbError("queue for Slack digest", err)
	}
	return tag.RowsAffected() > 0, nil
}

// DigestWaiting returns up to limit tickets queued for channel's digest,
// the most urgent first, then the oldest.
func (s *Store) DigestWaiting(ctx context.Context, channel string, limit int) ([]tickets.Ticket, error) {
	rows, err := s.pool.Query(ctx, ticketSelect+`
		where t.slack_digest = 'waiting' and t.slack_channel = $1
		order by case t.priority when 'urgent' then 0 when 'high' then 1 when 'medium' then 2 else 3 end, t.created_at
		limit $2`, channel, clamp(limit, 20, 100))
	if err != nil {
		return nil, dbError("Slack digest", err)
	}
	return s.collectTickets(ctx, s.pool, rows)
}

// DigestWaitingIDs is the ids of up to limit tickets waiting for a digest
// in channel, oldest first: a digest lists the first few and counts the
// rest, so it needs all of them but not their contents.
func (s *Store) DigestWaitingIDs(ctx context.Context, channel string, limit int) ([]string, error) {
	rows, err := s.pool.Query(ctx, `
		select id::text from tickets
		where slack_digest = 'waiting' and slack_channel = $1
		order by created_at limit $2`, channel, clamp(limit, 500, 5000))
	if err != nil {
		return nil, dbError("Slack digest ids", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, dbError("Slack digest ids", err)
}

// MarkDigested records that the digest message ts lists the tickets (those
// still waiting: one that got its own card meanwhile keeps it).
func (s *Store) MarkDigested(ctx context.Context, ids []string, channel, ts string) error {
	_, err := s.pool.Exec(ctx, `
		update tickets set slack_ts = $3, slack_digest = 'listed'
		where id = any($1::uuid[]) and slack_channel = $2 and slack_digest = 'waiting'`, ids, channel, ts)
	return dbError("mark Slack digest", err)
}
