// Package web is the dashboard the hub serves at /: agents sign in with a
// password (or, when the hub sends email, a one-time link mailed to them),
// work the ticket list and each ticket (reply, note, status, priority,
// assignee, tags, linked orders), look up customers, read the reports, and
// admins watch the integrations, replay failed deliveries and manage the
// team: agents' accounts and the API keys.
//
// Pages are rendered on the server with html/template from embedded
// templates and assets; every action is a plain form POST that works
// without JavaScript. Small scripts add keyboard shortcuts and live list
// updates over server-sent events.
//
// Sessions live in Postgres (scs with its pgx store) so any hub process
// serves any agent; every form carries a CSRF token bound to the session;
// failed sign-ins are counted in the store and limited per email and per
// address. Every change is made through the ticket store with the signed-in
// agent as the actor, so the audit trail names them.
package web
