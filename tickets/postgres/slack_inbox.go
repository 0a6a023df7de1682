package postgres

import (
	"context"

	"hub/tickets"
)

// SlackDeliveryBody returns the body of the Slack delivery recorded with
// altKey, if any. The Slack receiver records every channel message it is
// sent under a key naming (team, channel, ts), so a ticket can later be made
// from a message (a :ticket: reaction) without reading channel history,
// which Slack rate-limits hard.
func (s *Store) SlackDeliveryBody(ctx context.Context, altKey string) ([]byte, bool, error) {
	var body []byte
	err := s.pool.QueryRow(ctx, `
		select body from deliveries where source = $1 and alt_key = $2 and alt_key <> ''
		order by id limit 1`, tickets.SourceSlack, altKey).Scan(&body)
	if isNoRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, dbError("find Slack delivery", err)
	}
	return body, true, nil
}
