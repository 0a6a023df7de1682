package postgres

import (
	"context"
	"strings"

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
		update tickets t set slack_team = $2, slack_channel = $3, slack_ts = $4, slack_error = $5
		where `+where, arg, card.Team, card.Channel, card.TS, card.Error)
	if err != nil {
		return dbError("set Slack card", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound(ref)
	}
	return nil
}

// TicketBySlackThread finds the ticket whose card is the Slack message ts in
// channel (a thread reply's thread_ts).
func (s *Store) TicketBySlackThread(ctx context.Context, channel, ts string) (tickets.Ticket, error) {
	channel, ts = strings.TrimSpace(channel), strings.TrimSpace(ts)
	var id string
	err := s.pool.QueryRow(ctx, `select id from tickets where slack_channel = $1 and slack_ts = $2 and slack_ts <> ''`,
		channel, ts).Scan(&id)
	if isNoRows(err) {
		return tickets.Ticket{}, tickets.Errorf(tickets.ENOTFOUND, "no ticket for Slack thread %s/%s", channel, ts)
	}
	if err != nil {
		return tickets.Ticket{}, dbError("find ticket by Slack thread", err)
	}
	return s.GetTicket(ctx, id)
}
