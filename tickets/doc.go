// Package tickets is the hub's domain: tickets, customers, orders linked to
// tickets, messages, the audit trail, the lifecycle and the SLA clock.
//
// It is plain Go with no I/O. Transports (HTTP, Slack, webhooks) and storage
// (Postgres) live in other packages and speak to each other in the types
// declared here, so the rules of a ticketing system can be read and tested in
// one place with nothing but tables.
package tickets
