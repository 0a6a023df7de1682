package tickets

import (
	"strings"
	"time"
)

// transitions lists where each status may go. Closed goes nowhere: a closed
// ticket is history, and a customer writing again opens a follow-up ticket.
// Resolved cannot go straight to pending; it is reopened first.
var transitions = map[Status][]Status{
	StatusOpen:     {StatusPending, StatusResolved, StatusClosed},
	StatusPending:  {StatusOpen, StatusResolved, StatusClosed},
	StatusResolved: {StatusOpen, StatusClosed},
}

// CanTransition reports whether a ticket may move from one status to
// another. Staying put is always allowed (it changes nothing).
func CanTransition(from, to Status) bool {
	if from == to {
		return true
	}
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// SetStatus moves the ticket to status to. Setting the status it already has
// changes nothing and is not an error, so a double click is harmless.
//
// The SLA clock runs only while the ticket is open: pending (waiting on the
// customer), resolved and closed pause it, and going back to open resumes it
// with the due times moved later by the pause. Resolving sets ResolvedAt,
// reopening clears it, closing sets ClosedAt.
func (t *Ticket) SetStatus(to Status, now time.Time, p Policy) (changed bool, err error) {
	if _, err := ParseStatus(string(to)); err != nil {
		return false, err
	}
	from := t.Status
	if from == "" {
		from = StatusOpen // a ticket not yet stored starts open
	}
	switch {
	case from == to:
		return false, nil
	case from == StatusClosed:
		return false, Errorf(ECONFLICT, "ticket %s is closed; a new message opens a follow-up ticket", t.Ref())
	case !CanTransition(from, to):
		return false, Errorf(ECONFLICT, "ticket %s is %s; reopen it before setting it %s", t.Ref(), from, to)
	}
	t.Status = to
	t.UpdatedAt = now
	switch to {
	case StatusOpen:
		t.ResolvedAt = nil
		t.SLA = p.Resume(t.Priority, t.SLA, now)
	case StatusResolved:
		t.ResolvedAt = timePtr(now)
	case StatusClosed:
		t.ClosedAt = timePtr(now)
	}
	if to != StatusOpen {
		t.SLA = p.Pause(t.SLA, now)
	}
	return true, nil
}

// SetPriority changes the priority and recomputes the due times from the
// clock's start, so an escalation can make a ticket due (or overdue) at once.
func (t *Ticket) SetPriority(pr Priority, now time.Time, p Policy) (changed bool) {
	if pr == t.Priority {
		return false
	}
	t.Priority = pr
	t.UpdatedAt = now
	t.SLA = p.Recompute(pr, t.SLA, now)
	return true
}

// MessageOutcome says what a customer's message did to a ticket.
type MessageOutcome int

// Message outcomes.
const (
	Appended      MessageOutcome = iota // the ticket was open; the message joins it
	Reopened                            // the ticket was pending or resolved and is open again
	NeedsFollowUp                       // the ticket is closed; the caller opens a follow-up ticket
)

func (o MessageOutcome) String() string {
	switch o {
	case Appended:
		return "appended"
	case Reopened:
		return "reopened"
	case NeedsFollowUp:
		return "needs_follow_up"
	}
	return "unknown"
}

// CustomerWrote applies a customer's message to the ticket. A closed ticket
// is left unchanged; see NewFollowUp.
func (t *Ticket) CustomerWrote(now time.Time, p Policy) MessageOutcome {
	switch t.Status {
	case StatusClosed:
		return NeedsFollowUp
	case StatusPending, StatusResolved:
		_, _ = t.SetStatus(StatusOpen, now, p) // pending/resolved → open is always allowed
		return Reopened
	}
	t.UpdatedAt = now
	return Appended
}

// AgentReplied records a public reply by an agent. The first one stops the
// first-response clock and reports first=true.
func (t *Ticket) AgentReplied(now time.Time) (first bool) {
	t.UpdatedAt = now
	if t.FirstResponseAt != nil {
		return false
	}
	t.FirstResponseAt = timePtr(now)
	return true
}

// NewFollowUp starts a ticket that continues a closed one for the same
// customer, with its priority, tags, assignee and team. An empty subject
// becomes "Re: <closed subject>". The caller sets Description, Source and
// ExternalRef from the message that prompted it.
func NewFollowUp(closed Ticket, subject string) NewTicket {
	if subject = strings.TrimSpace(subject); subject == "" {
		subject = cutRunes("Re: "+closed.Subject, MaxSubjectRunes)
	}
	return NewTicket{
		Subject: subject,
		Customer: CustomerInput{
			Email: closed.Customer.Email,
			Name:  closed.Customer.Name,
			Phone: closed.Customer.Phone,
		},
		Priority:   closed.Priority,
		Tags:       append([]string(nil), closed.Tags...),
		Assignee:   closed.Assignee,
		Team:       closed.Team,
		Source:     closed.Source,
		FollowUpOf: closed.ID,
	}
}

func timePtr(t time.Time) *time.Time { return &t }
