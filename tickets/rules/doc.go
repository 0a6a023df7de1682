// Package rules is the hub's automation as pure functions: a versioned rules
// file that categorises, prioritises, routes and assigns tickets, the
// assignment strategies (round robin, fewest open) and the SLA escalation
// levels (75 % at risk, breached) of a ticket at a given instant.
//
// Nothing here reads a clock, a database or the network. The store builds a
// Context from a ticket and the instant, calls Evaluate, and writes each
// Decision into the ticket and its audit trail under the rule's name; the
// scheduler asks Escalations what is due and keeps each Escalation.Key once.
// Because every input is a value, the rules are tested with tables.
//
// Conditions are expr-lang expressions compiled at load against a typed
// environment (see env.go), so a misspelt name or a type mismatch is a load
// error with the file's line and column, not a surprise on a live ticket.
package rules
