package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"hub/tickets"
)

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// openTicket is a ticket of priority pr that arrived at arrived, its clock
// started by p.
func openTicket(p tickets.Policy, pr tickets.Priority, arrived time.Time) tickets.Ticket {
	return tickets.Ticket{ID: "t1", Status: tickets.StatusOpen, Priority: pr, CreatedAt: arrived, SLA: p.Start(pr, arrived)}
}

func levels(es []Escalation) string {
	var s []string
	for _, e := range es {
		s = append(s, fmt.Sprintf("%s/%s@%s", e.Target, e.Level, e.At.UTC().Format("Mon 15:04")))
	}
	return strings.Join(s, " ")
}

func TestEscalationTimes(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	def := tickets.DefaultPolicy() // Mon–Fri 09:00–17:00 UTC
	de := tickets.DefaultPolicy()
	de.Calendar.Location = berlin // Mon–Fri 09:00–17:00 Berlin = 08:00–16:00 UTC in March
	for _, tc := range []struct {
		name    string
		p       tickets.Policy
		pr      tickets.Priority
		arrived string
		looks   []struct{ now, want string }
	}{
		// Medium: first response in 8 business hours, 75 % after 6.
		// Friday 16:30 leaves half an hour; the other 5.5 h are Monday's.
		{"medium over the weekend", def, tickets.PriorityMedium, "2026-03-06 16:30", []struct{ now, want string }{
			{"2026-03-06 16:59", ""},
			{"2026-03-07 12:00", ""}, // Saturday: business time stands still
			{"2026-03-09 14:30", ""},
			{"2026-03-09 14:31", "first_response/at_risk@Mon 14:30"},
			{"2026-03-09 16:31", "first_response/breached@Mon 16:30"},
			// Resolution: 24 business hours, due Wednesday 16:30, at risk 6 h before.
			{"2026-03-11 10:31", "first_response/breached@Mon 16:30 resolution/at_risk@Wed 10:30"},
			{"2026-03-11 16:31", "first_response/breached@Mon 16:30 resolution/breached@Wed 16:30"},
		}},
		// High, after hours: first response by the end of the next business
		// day (Monday 17:00, a budget of 8 h), so at risk from 15:00.
		{"high after hours", def, tickets.PriorityHigh, "2026-03-06 18:00", []struct{ now, want string }{
			{"2026-03-09 09:00", ""},
			{"2026-03-09 15:01", "first_response/at_risk@Mon 15:00 resolution/at_risk@Mon 15:00"},
			{"2026-03-09 17:01", "first_response/breached@Mon 17:00 resolution/breached@Mon 17:00"},
		}},
		// Urgent counts wall-clock time, weekend or not: 1 h with at least
		// 15 min warning, 4 h warned 1 h ahead.
		{"urgent on Saturday night", def, tickets.PriorityUrgent, "2026-03-07 23:30", []struct{ now, want string }{
			{"2026-03-08 00:14", ""},
			{"2026-03-08 00:16", "first_response/at_risk@Sun 00:15"},
			{"2026-03-08 02:31", "first_response/breached@Sun 00:30 resolution/at_risk@Sun 02:30"},
			{"2026-03-08 03:31", "first_response/breached@Sun 00:30 resolution/breached@Sun 03:30"},
		}},
		// The same medium ticket on a Berlin calendar: Friday 16:30 UTC is
		// 17:30 there, closed; Monday opens 08:00 UTC, 6 h later is 14:00.
		{"medium, Berlin hours", de, tickets.PriorityMedium, "2026-03-06 16:30", []struct{ now, want string }{
			{"2026-03-09 13:59", ""},
			{"2026-03-09 14:01", "first_response/at_risk@Mon 14:00"},
			{"2026-03-09 16:01", "first_response/breached@Mon 16:00"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := openTicket(tc.p, tc.pr, at(tc.arrived))
			for _, l := range tc.looks {
				if got := levels(Escalations(tc.p, tk, at(l.now))); got != l.want {
					t.Errorf("at %s: %q, want %q", l.now, got, l.want)
				}
			}
		})
	}
}

// The at-risk instant is exactly where Policy.State turns the target at
// risk, so the card and the mention never disagree.
func TestEscalationAgreesWithState(t *testing.T) {
	p := tickets.DefaultPolicy()
	for _, pr := range []tickets.Priority{tickets.PriorityUrgent, tickets.PriorityHigh, tickets.PriorityMedium, tickets.PriorityLow} {
		for _, arrived := range []string{"2026-03-02 10:00", "2026-03-06 16:30", "2026-03-07 11:00", "2026-03-02 07:00"} {
			stored := openTicket(p, pr, at(arrived))
			older := stored // a ticket stored before risk instants were: found by bisection
			older.SLA.FirstResponseRisk, older.SLA.ResolutionRisk = time.Time{}, time.Time{}
			for _, tk := range []tickets.Ticket{stored, older} {
				for _, tg := range targets(tk) {
					risk := riskStart(p, tk, tg.target, tg.due)
					before, after := p.State(tk, risk), p.State(tk, risk.Add(time.Nanosecond))
					atRisk := func(s tickets.SLAState) bool {
						if tg.target == FirstResponse {
							return s.FirstResponseAtRisk
						}
						return s.ResolutionAtRisk
					}
					if atRisk(before) || !atRisk(after) {
						t.Errorf("%s at %s, %s (stored instant %v): at risk %v at %s and %v a nanosecond later",
							pr, arrived, tg.target, !tk.SLA.FirstResponseRisk.IsZero(), atRisk(before), risk, atRisk(after))
					}
				}
			}
		}
	}
}

func TestEscalationsPausedAndMet(t *testing.T) {
	p := tickets.DefaultPolicy()
	arrived := at("2026-03-02 10:00") // medium: first response due Tue 10:00, at risk Mon 16:00
	tk := openTicket(p, tickets.PriorityMedium, arrived)

	// Pending before the at-risk instant: nothing, however late it gets.
	pending := tk
	if _, err := pending.SetStatus(tickets.StatusPending, at("2026-03-02 15:00"), p); err != nil {
		t.Fatal(err)
	}
	if got := levels(Escalations(p, pending, at("2026-03-20 12:00"))); got != "" {
		t.Errorf("paused early: %q, want nothing", got)
	}
	if _, ok := NextEscalation(p, pending, at("2026-03-02 15:00")); ok {
		t.Error("NextEscalation of a paused ticket: want none")
	}

	// Pending after a breach: the breach stays, the at-risk of the other
	// target is not reported while paused.
	late := tk
	if _, err := late.SetStatus(tickets.StatusPending, at("2026-03-03 11:00"), p); err != nil {
		t.Fatal(err)
	}
	if got := levels(Escalations(p, late, at("2026-03-06 12:00"))); got != "first_response/breached@Tue 10:00" {
		t.Errorf("paused after a breach: %q", got)
	}

	// A first response stops that target.
	answered := tk
	answered.AgentReplied(at("2026-03-02 11:00"))
	if got := levels(Escalations(p, answered, at("2026-03-03 12:00"))); got != "" {
		t.Errorf("answered: %q, want nothing (resolution is due Thursday)", got)
	}
	if got := levels(Escalations(p, answered, at("2026-03-04 12:01"))); got != "resolution/at_risk@Wed 12:00" {
		t.Errorf("answered, Wednesday just after noon: %q", got)
	}
}

func TestNextEscalationAndKeys(t *testing.T) {
	p := tickets.DefaultPolicy()
	tk := openTicket(p, tickets.PriorityMedium, at("2026-03-06 16:30"))
	for _, tc := range []struct{ now, next string }{
		{"2026-03-06 16:30", "2026-03-09 14:30"},
		{"2026-03-09 14:30", "2026-03-09 14:30"}, // at risk is reached only after 14:30: still next
		{"2026-03-09 14:31", "2026-03-09 16:30"},
		{"2026-03-09 16:31", "2026-03-11 10:30"},
		{"2026-03-11 10:31", "2026-03-11 16:30"},
	} {
		next, ok := NextEscalation(p, tk, at(tc.now))
		if !ok || !next.Equal(at(tc.next).Add(time.Nanosecond)) {
			t.Errorf("NextEscalation(%s) = %s, %v; want %s", tc.now, next, ok, tc.next)
		}
	}
	// A scheduler that wakes when told finds the level reached.
	next, _ := NextEscalation(p, tk, at("2026-03-06 16:30"))
	if got := levels(Escalations(p, tk, next)); got != "first_response/at_risk@Mon 14:30" {
		t.Errorf("at the next escalation: %q", got)
	}
	if _, ok := NextEscalation(p, tk, at("2026-03-12 09:00")); ok {
		t.Error("after every level: want no next escalation")
	}
	es := Escalations(p, tk, at("2026-03-09 14:31"))
	if len(es) != 1 || es[0].Key() != "t1/first_response/at_risk" || es[0].Event() != SLAAtRisk || !es[0].Due.Equal(at("2026-03-09 16:30")) {
		t.Fatalf("Escalations = %+v", es)
	}
	es = Escalations(p, tk, at("2026-03-09 16:31"))
	if es[0].Key() != "t1/first_response/breached" || es[0].Event() != SLABreached {
		t.Errorf("breach: key %q, event %s", es[0].Key(), es[0].Event())
	}
}

func TestNotice(t *testing.T) {
	rs := load(t, "rules.yaml")
	risk := Escalation{Level: AtRisk}
	breach := Escalation{Level: Breached}
	for _, tc := range []struct {
		name           string
		e              Escalation
		team, assignee string
		mention        string
		lead           bool
		channel        string
	}{
		{"at risk mentions the assignee", risk, "support", "ben@example.com", "ben@example.com", false, ""},
		{"at risk, unassigned, mentions the team", risk, "dach", "", "dora@example.com emil@example.com", false, ""},
		{"breach tells the lead", breach, "support", "ben@example.com", "ben@example.com", true, "C0LEADS"},
		{"breach without lead channel uses the team's", breach, "billing", "", "fay@example.com", true, "C0BILLING"},
		{"no team: the default channel", breach, "", "", "", true, ""},
	} {
		n := rs.Notice(tc.e, tc.team, tc.assignee)
		if strings.Join(n.Mention, " ") != tc.mention || n.Lead != tc.lead || n.LeadChannel != tc.channel {
			t.Errorf("%s: %+v", tc.name, n)
		}
	}
}
