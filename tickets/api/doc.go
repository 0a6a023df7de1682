// Package api is the hub's JSON API under /api/v1: tickets, their
// conversation, audit trail and linked orders, customers, saved replies,
// the summary report, and the inbox of
// webhook deliveries. Zapier's integration and scripts talk to the hub here.
//
// It speaks HTTP and the domain types of package tickets only. The store and
// the key check are small interfaces declared below so that cmd/hub can pass
// the Postgres store without this package importing it.
//
// Every handler returns an error; writeError is the one place where an error
// becomes a status and the JSON shape {"error":{"code","message","field"}}.
//
// Status codes: 400 invalid input (code "invalid", with "field" when one field
// is to blame), 401 missing or bad API key, 404 unknown ticket, customer,
// delivery or route, 405 wrong method, 409 a change the ticket's state does
// not allow, 413 body over 1 MiB ("too_large"), 415 a Content-Type other than
// JSON ("unsupported_media_type"; a missing Content-Type is read as JSON),
// 503 Postgres unreachable ("unavailable", retry), 500 anything else, whose
// detail is logged and never shown.
package api
