// Package email is the hub's email channel between the connector
// (connectors/email: protocols and formats) and the tickets:
//
//   - Intake records each raw message the SMTP listener or the IMAP
//     poller hands over in the durable inbox (source "email"), deduplicated
//     by Message-ID, before the listener answers 250 or the poller moves on.
//   - Decoder turns a recorded message into ticket commands: it threads it
//     into a ticket by the Message-IDs the hub sent or received, by the
//     ticket's signed reply address, or by a [T-1042] subject reference from
//     that ticket's own customer; anything else opens a ticket. Auto-replies,
//     bounces and list mail are recorded and open nothing.
//   - Replies sends agents' public replies to the customer through the
//     outbox, once each, retried with backoff; a final failure is written
//     on the ticket.
package email
