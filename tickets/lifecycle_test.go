package tickets

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// ticketIn returns a medium ticket from Monday 10:00 that reached status st
// at Monday 11:00 through the lifecycle.
func ticketIn(t *testing.T, st Status) Ticket {
	t.Helper()
	p := DefaultPolicy()
	arrived := utc("2026-03-02 10:00")
	tk := Ticket{Number: 12, Status: StatusOpen, Priority: PriorityMedium, CreatedAt: arrived, UpdatedAt: arrived, SLA: p.Start(PriorityMedium, arrived)}
	if st != StatusOpen {
		if _, err := tk.SetStatus(st, utc("2026-03-02 11:00"), p); err != nil {
			t.Fatalf("setup: %v", err)
		}
	}
	return tk
}

func TestSetStatusTransitions(t *testing.T) {
	const (
		open     = StatusOpen
		pending  = StatusPending
		resolved = StatusResolved
		closed   = StatusClosed
	)
	for _, tc := range []struct {
		from, to Status
		changed  bool
		err      Code
	}{
		{open, open, false, ""},
		{open, pending, true, ""},
		{open, resolved, true, ""},
		{open, closed, true, ""},
		{pending, open, true, ""},
		{pending, pending, false, ""},
		{pending, resolved, true, ""},
		{pending, closed, true, ""},
		{resolved, open, true, ""},
		{resolved, pending, false, ECONFLICT},
		{resolved, resolved, false, ""},
		{resolved, closed, true, ""},
		{closed, open, false, ECONFLICT},
		{closed, pending, false, ECONFLICT},
		{closed, resolved, false, ECONFLICT},
		{closed, closed, false, ""},
	} {
		t.Run(string(tc.from)+"→"+string(tc.to), func(t *testing.T) {
			tk := ticketIn(t, tc.from)
			before := tk
			now := utc("2026-03-02 13:00")
			changed, err := tk.SetStatus(tc.to, now, DefaultPolicy())
			if changed != tc.changed || ErrorCode(err) != tc.err {
				t.Fatalf("SetStatus = %v, %v; want %v, code %q", changed, err, tc.changed, tc.err)
			}
			if !changed {
				if !reflect.DeepEqual(tk, before) {
					t.Fatalf("ticket changed without a change:\n%+v\n%+v", before, tk)
				}
				return
			}
			if tk.Status != tc.to || !tk.UpdatedAt.Equal(now) {
				t.Errorf("status %s updated %s", tk.Status, tk.UpdatedAt)
			}
			// The clock runs only while the ticket is open.
			if paused := tk.SLA.PausedAt != nil; paused != (tc.to != open) {
				t.Errorf("PausedAt = %v with status %s", tk.SLA.PausedAt, tc.to)
			}
			switch tc.to {
			case open:
				if tk.ResolvedAt != nil {
					t.Errorf("reopened ticket keeps ResolvedAt %s", tk.ResolvedAt)
				}
			case resolved:
				if tk.ResolvedAt == nil || !tk.ResolvedAt.Equal(now) {
					t.Errorf("ResolvedAt = %v, want %s", tk.ResolvedAt, now)
				}
			case closed:
				if tk.ClosedAt == nil || !tk.ClosedAt.Equal(now) {
					t.Errorf("ClosedAt = %v, want %s", tk.ClosedAt, now)
				}
			}
		})
	}
}

func TestSetStatusMessages(t *testing.T) {
	tk := ticketIn(t, StatusClosed)
	_, err := tk.SetStatus(StatusOpen, utc("2026-03-02 13:00"), Policy{})
	if want := "ticket T-12 is closed; a new message opens a follow-up ticket"; ErrorMessage(err) != want {
		t.Errorf("message %q, want %q", ErrorMessage(err), want)
	}
	tk = ticketIn(t, StatusOpen)
	_, err = tk.SetStatus("archived", utc("2026-03-02 13:00"), Policy{})
	if ErrorCode(err) != EINVALID || tk.Status != StatusOpen {
		t.Errorf("unknown status: %v, status %s", err, tk.Status)
	}
}

// Pending pauses the clock; back to open, the due times move by the
// business time spent pending.
func TestPendingRoundTrip(t *testing.T) {
	p := DefaultPolicy()
	tk := ticketIn(t, StatusPending) // pending since Monday 11:00
	if _, err := tk.SetStatus(StatusOpen, utc("2026-03-02 13:30"), p); err != nil {
		t.Fatal(err)
	}
	if !tk.SLA.FirstResponseDue.Equal(utc("2026-03-03 12:30")) || !tk.SLA.ResolutionDue.Equal(utc("2026-03-05 12:30")) {
		t.Errorf("due %s / %s after 2h30 pending", tk.SLA.FirstResponseDue, tk.SLA.ResolutionDue)
	}
	// Resolved then reopened: the time spent resolved does not count either.
	tk = ticketIn(t, StatusResolved)
	if _, err := tk.SetStatus(StatusOpen, utc("2026-03-03 11:00"), p); err != nil {
		t.Fatal(err)
	}
	if tk.SLA.PausedBusiness != 8*time.Hour || !tk.SLA.FirstResponseDue.Equal(utc("2026-03-04 10:00")) {
		t.Errorf("reopened after a business day: paused %s, due %s", tk.SLA.PausedBusiness, tk.SLA.FirstResponseDue)
	}
}

func TestSetPriority(t *testing.T) {
	p := DefaultPolicy()
	tk := ticketIn(t, StatusOpen)
	before := tk
	if tk.SetPriority(PriorityMedium, utc("2026-03-02 10:30"), p) || !reflect.DeepEqual(tk, before) {
		t.Errorf("same priority changed the ticket")
	}
	if !tk.SetPriority(PriorityUrgent, utc("2026-03-02 10:30"), p) {
		t.Fatal("changed = false")
	}
	if tk.Priority != PriorityUrgent || !tk.UpdatedAt.Equal(utc("2026-03-02 10:30")) ||
		!tk.SLA.FirstResponseDue.Equal(utc("2026-03-02 11:00")) || !tk.SLA.ResolutionDue.Equal(utc("2026-03-02 14:00")) {
		t.Errorf("after escalation: %+v", tk)
	}
}

func TestCustomerWrote(t *testing.T) {
	now := utc("2026-03-02 14:00")
	for _, tc := range []struct {
		from Status
		want MessageOutcome
	}{
		{StatusOpen, Appended},
		{StatusPending, Reopened},
		{StatusResolved, Reopened},
		{StatusClosed, NeedsFollowUp},
	} {
		t.Run(string(tc.from), func(t *testing.T) {
			tk := ticketIn(t, tc.from)
			before := tk
			if got := tk.CustomerWrote(now, DefaultPolicy()); got != tc.want {
				t.Fatalf("outcome %s, want %s", got, tc.want)
			}
			if tc.want == NeedsFollowUp {
				if !reflect.DeepEqual(tk, before) {
					t.Errorf("closed ticket changed")
				}
				return
			}
			if tk.Status != StatusOpen || tk.SLA.PausedAt != nil || tk.ResolvedAt != nil || !tk.UpdatedAt.Equal(now) {
				t.Errorf("after %s: status %s, paused %v, resolved %v, updated %s", tc.want, tk.Status, tk.SLA.PausedAt, tk.ResolvedAt, tk.UpdatedAt)
			}
		})
	}
}

func TestAgentReplied(t *testing.T) {
	tk := ticketIn(t, StatusOpen)
	if !tk.AgentReplied(utc("2026-03-02 10:30")) {
		t.Fatal("first reply not reported as first")
	}
	if tk.AgentReplied(utc("2026-03-02 11:30")) {
		t.Error("second reply reported as first")
	}
	if !tk.FirstResponseAt.Equal(utc("2026-03-02 10:30")) || !tk.UpdatedAt.Equal(utc("2026-03-02 11:30")) {
		t.Errorf("FirstResponseAt %s, UpdatedAt %s", tk.FirstResponseAt, tk.UpdatedAt)
	}
}

func TestNewFollowUp(t *testing.T) {
	closed := Ticket{ID: "abc", Subject: "Where is my order?", Priority: PriorityHigh, Tags: []string{"shipping"},
		Customer: Customer{Email: "jane@example.com", Name: "Jane"}, Source: SourceShopify, Team: "ops"}
	nt := NewFollowUp(closed, "")
	if nt.Subject != "Re: Where is my order?" || nt.FollowUpOf != "abc" || nt.Priority != PriorityHigh ||
		nt.Customer.Email != "jane@example.com" || nt.Team != "ops" || !reflect.DeepEqual(nt.Tags, []string{"shipping"}) {
		t.Errorf("NewFollowUp = %+v", nt)
	}
	nt.Tags[0] = "changed"
	if closed.Tags[0] != "shipping" {
		t.Error("follow-up shares the closed ticket's tags")
	}
	if nt := NewFollowUp(closed, "  Still missing "); nt.Subject != "Still missing" {
		t.Errorf("subject %q", nt.Subject)
	}
	long := Ticket{Subject: strings.Repeat("x", MaxSubjectRunes)}
	if nt := NewFollowUp(long, ""); len([]rune(nt.Subject)) != MaxSubjectRunes {
		t.Errorf("follow-up subject is %d runes", len([]rune(nt.Subject)))
	}
}
