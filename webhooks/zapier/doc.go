// Package zapier is the hub's Zapier-facing side beyond the ticket intake:
// REST hook subscriptions (POST/GET/DELETE /api/v1/hooks), the
// "zapier:deliver" task that POSTs each ticket event to the hooks
// subscribed to it, the sample list of recent events that Zapier's
// performList shows (GET /api/v1/events), and the searches its app uses
// (GET /api/v1/search/tickets, /api/v1/search/customers).
//
// An event's payload is rendered from the audit trail and the ticket as it
// is when the payload is sent, by one function (Render) for both the
// deliveries and the sample list, so what a Zap is built on is what it
// gets. Nothing rendered is stored: a customer's redaction reaches every
// later delivery.
package zapier
