package rules

import (
	"fmt"
	"strings"
)

// Event is what makes the rules run.
type Event string

// The events rules can run on. A rule without `on` runs on TicketCreated.
const (
	TicketCreated   Event = "ticket.created"   // a new ticket, before anyone saw it
	CustomerMessage Event = "customer.message" // the customer wrote on an existing ticket
	OrderChanged    Event = "order.changed"    // a linked order changed in its store
	SLAAtRisk       Event = "sla.at_risk"      // a target reached 75 % of its time
	SLABreached     Event = "sla.breached"     // a target's due time passed
)

// Events lists every event rules can run on, in the order the
// documentation gives them.
func Events() []Event {
	return []Event{TicketCreated, CustomerMessage, OrderChanged, SLAAtRisk, SLABreached}
}

// ParseEvent validates s.
func ParseEvent(s string) (Event, error) {
	for _, e := range Events() {
		if string(e) == s {
			return e, nil
		}
	}
	return "", fmt.Errorf("unknown event %q (want one of %s)", s, eventList())
}

func eventList() string { return strings.Join(eventNames(), ", ") }

func eventNames() []string {
	var names []string
	for _, e := range Events() {
		names = append(names, string(e))
	}
	return names
}
