package zapier

import (
	"context"

	"hub/tickets"
	"hub/tickets/api"
	"hub/webhooks"
)

// IntakeTicket is the ticket a processed intake delivery made, rendered as
// the API renders tickets: the intake's answer (webhooks.WaitForTicket).
func (s *Service) IntakeTicket(ctx context.Context, d tickets.Delivery) (any, bool, error) {
	t, found, err := s.cfg.Store.TicketByExternalRef(ctx, d.Source, webhooks.IntakeKey(d))
	if err != nil || !found {
		return nil, false, err
	}
	return api.TicketJSON(t, s.cfg.Policy.State(t, s.cfg.Now())), true, nil
}
