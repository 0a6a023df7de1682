package tickets

import (
	"fmt"
	"testing"
	"time"
)

func TestDefaultPolicyDueTimes(t *testing.T) {
	p := DefaultPolicy()
	for _, tc := range []struct {
		name              string
		pr                Priority
		arrived           string
		first, resolution string
	}{
		// Monday 10:00, in business hours.
		{"urgent monday", PriorityUrgent, "2026-03-02 10:00", "2026-03-02 11:00", "2026-03-02 14:00"},
		{"high monday", PriorityHigh, "2026-03-02 10:00", "2026-03-02 17:00", "2026-03-03 10:00"},
		{"medium monday", PriorityMedium, "2026-03-02 10:00", "2026-03-03 10:00", "2026-03-05 10:00"},
		{"low monday", PriorityLow, "2026-03-02 10:00", "2026-03-05 10:00", "2026-03-09 10:00"},
		// Friday 16:30, half an hour before the weekend.
		{"urgent friday", PriorityUrgent, "2026-03-06 16:30", "2026-03-06 17:30", "2026-03-06 20:30"},
		{"high friday", PriorityHigh, "2026-03-06 16:30", "2026-03-06 17:00", "2026-03-09 16:30"},
		{"medium friday", PriorityMedium, "2026-03-06 16:30", "2026-03-09 16:30", "2026-03-11 16:30"},
		{"low friday", PriorityLow, "2026-03-06 16:30", "2026-03-11 16:30", "2026-03-13 16:30"},
		// After hours and before opening.
		{"high friday evening", PriorityHigh, "2026-03-06 18:00", "2026-03-09 17:00", "2026-03-09 17:00"},
		{"high saturday", PriorityHigh, "2026-03-07 11:00", "2026-03-09 17:00", "2026-03-09 17:00"},
		{"high before opening", PriorityHigh, "2026-03-02 07:00", "2026-03-02 17:00", "2026-03-02 17:00"},
		{"medium friday evening", PriorityMedium, "2026-03-06 18:00", "2026-03-09 17:00", "2026-03-11 17:00"},
		{"urgent saturday night", PriorityUrgent, "2026-03-07 23:30", "2026-03-08 00:30", "2026-03-08 03:30"},
		{"unknown priority is medium", Priority("whatever"), "2026-03-02 10:00", "2026-03-03 10:00", "2026-03-05 10:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := p.Start(tc.pr, utc(tc.arrived))
			if !s.ClockStart.Equal(utc(tc.arrived)) {
				t.Errorf("ClockStart = %s, want arrival", s.ClockStart)
			}
			if !s.FirstResponseDue.Equal(utc(tc.first)) {
				t.Errorf("FirstResponseDue = %s, want %s", s.FirstResponseDue, tc.first)
			}
			if !s.ResolutionDue.Equal(utc(tc.resolution)) {
				t.Errorf("ResolutionDue = %s, want %s", s.ResolutionDue, tc.resolution)
			}
		})
	}
}

// A zero Policy, or one with partial maps, is the default policy.
func TestPolicyZeroValue(t *testing.T) {
	def := DefaultPolicy()
	partial := Policy{FirstResponse: map[Priority]Target{PriorityLow: {BusinessHours, 24 * time.Hour}}, Resolution: map[Priority]Target{}}
	for _, p := range []Policy{{}, partial} {
		for _, pr := range []Priority{PriorityUrgent, PriorityHigh, PriorityMedium, PriorityLow} {
			for _, arrived := range []string{"2026-03-02 10:00", "2026-03-06 16:30", "2026-03-07 12:00"} {
				got, want := p.Start(pr, utc(arrived)), def.Start(pr, utc(arrived))
				if !got.FirstResponseDue.Equal(want.FirstResponseDue) || !got.ResolutionDue.Equal(want.ResolutionDue) {
					t.Errorf("%s at %s: got %v, want %v", pr, arrived, got, want)
				}
			}
		}
	}
}

// Wall-clock targets count real elapsed time, so across a clock change the
// local due time moves by an hour more or less; business targets keep their
// local hours.
func TestPolicyDaylightSaving(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	ny := mustLoc(t, "America/New_York")
	for _, tc := range []struct {
		name              string
		loc               *time.Location
		pr                Priority
		arrived           string
		first, resolution string // local times
	}{
		// Berlin springs forward at 02:00 on 2026-03-29: 4h of real time show as 5h on the clock.
		{"berlin spring urgent", berlin, PriorityUrgent, "2026-03-28 23:30", "2026-03-29 00:30", "2026-03-29 04:30"},
		{"berlin spring medium", berlin, PriorityMedium, "2026-03-27 16:00", "2026-03-30 16:00", "2026-04-01 16:00"},
		{"berlin spring high late", berlin, PriorityHigh, "2026-03-27 18:00", "2026-03-30 17:00", "2026-03-30 17:00"},
		// Berlin falls back at 03:00 on 2026-10-25: 4h of real time show as 3h.
		{"berlin autumn urgent", berlin, PriorityUrgent, "2026-10-24 23:30", "2026-10-25 00:30", "2026-10-25 02:30"},
		{"berlin autumn low", berlin, PriorityLow, "2026-10-23 16:00", "2026-10-28 16:00", "2026-10-30 16:00"},
		// New York springs forward on 2026-03-08 and falls back on 2026-11-01.
		{"new york spring urgent", ny, PriorityUrgent, "2026-03-07 23:30", "2026-03-08 00:30", "2026-03-08 04:30"},
		{"new york spring medium", ny, PriorityMedium, "2026-03-06 16:30", "2026-03-09 16:30", "2026-03-11 16:30"},
		{"new york autumn urgent", ny, PriorityUrgent, "2026-10-31 23:30", "2026-11-01 00:30", "2026-11-01 02:30"},
		{"new york autumn low", ny, PriorityLow, "2026-10-30 16:30", "2026-11-04 16:30", "2026-11-06 16:30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultPolicy()
			p.Calendar.Location = tc.loc
			arrived := at(tc.loc, tc.arrived)
			s := p.Start(tc.pr, arrived)
			if want := at(tc.loc, tc.first); !s.FirstResponseDue.Equal(want) {
				t.Errorf("FirstResponseDue = %s, want %s", s.FirstResponseDue.In(tc.loc), want)
			}
			if want := at(tc.loc, tc.resolution); !s.ResolutionDue.Equal(want) {
				t.Errorf("ResolutionDue = %s, want %s", s.ResolutionDue.In(tc.loc), want)
			}
			if tc.pr == PriorityUrgent && s.ResolutionDue.Sub(arrived) != 4*time.Hour {
				t.Errorf("urgent resolution is %s of real time after arrival, want 4h", s.ResolutionDue.Sub(arrived))
			}
		})
	}
}

// A pause moves business due times by the business time paused and
// wall-clock due times by the wall time paused.
func TestPolicyPauseResume(t *testing.T) {
	p := DefaultPolicy()
	for _, tc := range []struct {
		name                   string
		pr                     Priority
		arrived, pause, resume string
		first, resolution      string
		paused, business       time.Duration
	}{
		{"medium within a day", PriorityMedium, "2026-03-02 10:00", "2026-03-02 11:00", "2026-03-02 13:30",
			"2026-03-03 12:30", "2026-03-05 12:30", 150 * time.Minute, 150 * time.Minute},
		{"medium over the weekend", PriorityMedium, "2026-03-02 10:00", "2026-03-06 17:30", "2026-03-09 08:00",
			"2026-03-03 10:00", "2026-03-05 10:00", 62*time.Hour + 30*time.Minute, 0},
		{"medium friday to monday", PriorityMedium, "2026-03-02 10:00", "2026-03-06 16:00", "2026-03-09 10:00",
			"2026-03-03 12:00", "2026-03-05 12:00", 66 * time.Hour, 2 * time.Hour},
		{"urgent over the weekend", PriorityUrgent, "2026-03-06 16:30", "2026-03-06 16:45", "2026-03-09 08:00",
			"2026-03-09 08:45", "2026-03-09 11:45", 63*time.Hour + 15*time.Minute, 15 * time.Minute},
		{"high same day", PriorityHigh, "2026-03-02 10:00", "2026-03-02 11:00", "2026-03-02 12:00",
			"2026-03-03 10:00", "2026-03-03 11:00", time.Hour, time.Hour},
		{"high over the weekend", PriorityHigh, "2026-03-06 16:30", "2026-03-06 16:45", "2026-03-09 08:00",
			"2026-03-09 09:15", "2026-03-09 16:45", 63*time.Hour + 15*time.Minute, 15 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := p.Start(tc.pr, utc(tc.arrived))
			s = p.Pause(s, utc(tc.pause))
			if s.PausedAt == nil || !s.PausedAt.Equal(utc(tc.pause)) {
				t.Fatalf("PausedAt = %v, want %s", s.PausedAt, tc.pause)
			}
			s = p.Resume(tc.pr, s, utc(tc.resume))
			if s.PausedAt != nil {
				t.Errorf("PausedAt = %v after resume, want nil", s.PausedAt)
			}
			if s.Paused != tc.paused || s.PausedBusiness != tc.business {
				t.Errorf("paused %s (business %s), want %s (%s)", s.Paused, s.PausedBusiness, tc.paused, tc.business)
			}
			if !s.FirstResponseDue.Equal(utc(tc.first)) {
				t.Errorf("FirstResponseDue = %s, want %s", s.FirstResponseDue, tc.first)
			}
			if !s.ResolutionDue.Equal(utc(tc.resolution)) {
				t.Errorf("ResolutionDue = %s, want %s", s.ResolutionDue, tc.resolution)
			}
		})
	}
}

func TestPolicyPauseIsIdempotent(t *testing.T) {
	p := DefaultPolicy()
	s := p.Start(PriorityMedium, utc("2026-03-02 10:00"))
	if got := p.Resume(PriorityMedium, s, utc("2026-03-02 12:00")); got != s {
		t.Errorf("resuming a running clock changed it: %+v", got)
	}
	s = p.Pause(s, utc("2026-03-02 11:00"))
	s = p.Pause(s, utc("2026-03-02 12:00"))
	if !s.PausedAt.Equal(utc("2026-03-02 11:00")) {
		t.Errorf("second pause moved PausedAt to %s", s.PausedAt)
	}
	// Two pauses add up.
	s = p.Resume(PriorityMedium, s, utc("2026-03-02 12:00"))
	s = p.Pause(s, utc("2026-03-02 14:00"))
	s = p.Resume(PriorityMedium, s, utc("2026-03-02 15:00"))
	if s.PausedBusiness != 2*time.Hour || !s.FirstResponseDue.Equal(utc("2026-03-03 12:00")) {
		t.Errorf("after two 1h pauses: paused %s, due %s", s.PausedBusiness, s.FirstResponseDue)
	}
}

func TestPolicyRecompute(t *testing.T) {
	p := DefaultPolicy()
	for _, tc := range []struct {
		name              string
		from, to          Priority
		pausedAt          string // "" when running
		now               string
		first, resolution string
	}{
		{"escalate to urgent", PriorityMedium, PriorityUrgent, "", "2026-03-02 10:30", "2026-03-02 11:00", "2026-03-02 14:00"},
		{"escalate after due", PriorityLow, PriorityUrgent, "", "2026-03-02 12:00", "2026-03-02 11:00", "2026-03-02 14:00"},
		{"lower to low", PriorityUrgent, PriorityLow, "", "2026-03-02 10:30", "2026-03-05 10:00", "2026-03-09 10:00"},
		{"to high", PriorityLow, PriorityHigh, "", "2026-03-02 15:00", "2026-03-02 17:00", "2026-03-03 10:00"},
		// While paused, the pause so far counts: 30 minutes.
		{"escalate while paused", PriorityMedium, PriorityUrgent, "2026-03-02 10:15", "2026-03-02 10:45", "2026-03-02 11:30", "2026-03-02 14:30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := p.Start(tc.from, utc("2026-03-02 10:00"))
			if tc.pausedAt != "" {
				s = p.Pause(s, utc(tc.pausedAt))
			}
			s = p.Recompute(tc.to, s, utc(tc.now))
			if !s.FirstResponseDue.Equal(utc(tc.first)) || !s.ResolutionDue.Equal(utc(tc.resolution)) {
				t.Errorf("due %s / %s, want %s / %s", s.FirstResponseDue, s.ResolutionDue, tc.first, tc.resolution)
			}
			if !s.ClockStart.Equal(utc("2026-03-02 10:00")) {
				t.Errorf("ClockStart moved to %s", s.ClockStart)
			}
			if (s.PausedAt != nil) != (tc.pausedAt != "") {
				t.Errorf("Recompute changed the pause: %v", s.PausedAt)
			}
		})
	}
	// A clock that never started starts now.
	s := p.Recompute(PriorityUrgent, SLA{}, utc("2026-03-02 10:00"))
	if !s.ClockStart.Equal(utc("2026-03-02 10:00")) || !s.FirstResponseDue.Equal(utc("2026-03-02 11:00")) {
		t.Errorf("Recompute of a zero SLA = %+v", s)
	}
}

func TestPolicyState(t *testing.T) {
	p := DefaultPolicy()
	ptr := func(s string) *time.Time { tm := utc(s); return &tm }
	// A medium ticket from Monday 10:00: first response due Tue 10:00
	// (budget 8h, at risk under 2h), resolution Thu 10:00 (24h, under 6h).
	medium := Ticket{Number: 1, Priority: PriorityMedium, Status: StatusOpen, SLA: p.Start(PriorityMedium, utc("2026-03-02 10:00"))}
	// An urgent one: first response 11:00 (at risk under 15m), resolution 14:00 (under 1h).
	urgent := Ticket{Number: 2, Priority: PriorityUrgent, Status: StatusOpen, SLA: p.Start(PriorityUrgent, utc("2026-03-02 10:00"))}
	with := func(t Ticket, f func(*Ticket)) Ticket { f(&t); return t }

	type want struct{ first, res, risk bool }
	for _, tc := range []struct {
		name string
		t    Ticket
		now  string
		want want
	}{
		{"fresh", medium, "2026-03-02 12:00", want{}},
		{"2h of business left is not at risk", medium, "2026-03-02 16:00", want{}},
		{"under 2h left is at risk", medium, "2026-03-02 16:01", want{risk: true}},
		{"overnight stays at risk", medium, "2026-03-03 08:00", want{risk: true}},
		{"at the due time", medium, "2026-03-03 10:00", want{risk: true}},
		{"first response overdue", medium, "2026-03-03 10:01", want{first: true}},
		{"answered in time", with(medium, func(t *Ticket) { t.FirstResponseAt = ptr("2026-03-02 11:00") }), "2026-03-04 10:00", want{}},
		{"answered, resolution at risk", with(medium, func(t *Ticket) { t.FirstResponseAt = ptr("2026-03-02 11:00") }), "2026-03-05 08:00", want{risk: true}},
		{"answered late", with(medium, func(t *Ticket) { t.FirstResponseAt = ptr("2026-03-03 11:00") }), "2026-03-03 11:00", want{first: true}},
		{"resolution overdue", with(medium, func(t *Ticket) { t.FirstResponseAt = ptr("2026-03-02 11:00") }), "2026-03-05 10:01", want{res: true}},
		{"resolved in time", with(medium, func(t *Ticket) {
			t.FirstResponseAt = ptr("2026-03-02 11:00")
			t.ResolvedAt = ptr("2026-03-04 10:00")
			t.SLA.PausedAt = ptr("2026-03-04 10:00")
		}), "2026-04-01 10:00", want{}},
		{"resolved late", with(medium, func(t *Ticket) {
			t.FirstResponseAt = ptr("2026-03-02 11:00")
			t.ResolvedAt = ptr("2026-03-06 10:00")
			t.SLA.PausedAt = ptr("2026-03-06 10:00")
		}), "2026-03-06 10:00", want{res: true}},
		{"paused does not breach", with(medium, func(t *Ticket) { t.SLA.PausedAt = ptr("2026-03-02 12:00") }), "2026-04-01 10:00", want{}},
		{"paused is not at risk", with(medium, func(t *Ticket) { t.SLA.PausedAt = ptr("2026-03-02 16:30") }), "2026-03-02 16:45", want{}},
		{"breach before the pause stays", with(medium, func(t *Ticket) { t.SLA.PausedAt = ptr("2026-03-03 11:00") }), "2026-03-04 10:00", want{first: true}},
		{"urgent 16m left", urgent, "2026-03-02 10:44", want{}},
		{"urgent 14m left", urgent, "2026-03-02 10:46", want{risk: true}},
		{"urgent overdue", urgent, "2026-03-02 11:01", want{first: true}},
		{"urgent resolution 61m left", with(urgent, func(t *Ticket) { t.FirstResponseAt = ptr("2026-03-02 10:10") }), "2026-03-02 12:59", want{}},
		{"urgent resolution 59m left", with(urgent, func(t *Ticket) { t.FirstResponseAt = ptr("2026-03-02 10:10") }), "2026-03-02 13:01", want{risk: true}},
		{"both overdue", urgent, "2026-03-02 15:00", want{first: true, res: true}},
		{"no SLA", Ticket{Priority: PriorityUrgent}, "2026-03-02 15:00", want{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := p.State(tc.t, utc(tc.now))
			got := want{st.FirstResponseBreached, st.ResolutionBreached, st.AtRisk}
			if got != tc.want {
				t.Errorf("State = %+v, want %+v", got, tc.want)
			}
			if st.Breached != (got.first || got.res) {
				t.Errorf("Breached = %v with first %v, resolution %v", st.Breached, got.first, got.res)
			}
			if !st.FirstResponseDue.Equal(tc.t.SLA.FirstResponseDue) || !st.ResolutionDue.Equal(tc.t.SLA.ResolutionDue) {
				t.Errorf("due times %s / %s differ from the ticket's", st.FirstResponseDue, st.ResolutionDue)
			}
		})
	}
}

// TestRiskInstantsAgreeWithState checks the stored risk instants against
// State, the rule they stand for: at every instant before a target's due
// time, State says the target is at risk exactly when the instant is after
// its risk instant. Starts cover business hours, the last hour of a Friday,
// a weekend, a quarter mark falling on a close (medium from Monday 11:00),
// and a pause that moved the due times; the Berlin calendar adds
// a daylight-saving change.
func TestRiskInstantsAgreeWithState(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	local := DefaultPolicy()
	local.Calendar.Location = berlin
	for _, pc := range []struct {
		name string
		p    Policy
	}{{"utc", DefaultPolicy()}, {"berlin", local}} {
		for _, pr := range []Priority{PriorityUrgent, PriorityHigh, PriorityMedium, PriorityLow} {
			for _, start := range []string{"2026-03-02 10:00", "2026-03-02 11:00", "2026-03-06 16:20", "2026-03-06 20:00", "2026-03-07 11:00", "2026-03-27 15:00"} {
				for _, paused := range []bool{false, true} {
					p := pc.p
					sla := p.Start(pr, utc(start))
					if paused {
						from := utc(start).Add(90 * time.Minute)
						sla = p.Resume(pr, p.Pause(sla, from), from.Add(26*time.Hour))
					}
					tk := Ticket{Priority: pr, Status: StatusOpen, SLA: sla}
					name := fmt.Sprintf("%s/%s/%s/paused=%v", pc.name, pr, start, paused)
					for _, target := range []struct {
						which     string
						due, risk time.Time
						atRisk    func(SLAState) bool
					}{
						{"first response", sla.FirstResponseDue, sla.FirstResponseRisk, func(s SLAState) bool { return s.FirstResponseAtRisk }},
						{"resolution", sla.ResolutionDue, sla.ResolutionRisk, func(s SLAState) bool { return s.ResolutionAtRisk }},
					} {
						if target.risk.IsZero() || !target.risk.Before(target.due) {
							t.Fatalf("%s %s: risk %s is not before due %s", name, target.which, target.risk, target.due)
						}
						check := func(at time.Time) {
							want := at.After(target.risk) && !at.After(target.due)
							if got := target.atRisk(p.State(tk, at)); got != want {
								t.Fatalf("%s %s at %s: State says at risk %v; risk instant %s, due %s",
									name, target.which, at.In(p.Calendar.Location), got, target.risk, target.due)
							}
						}
						check(target.risk)
						check(target.risk.Add(time.Microsecond))
						for at := sla.ClockStart; !at.After(target.due); at = at.Add(7 * time.Minute) {
							check(at)
						}
					}
				}
			}
		}
	}
}

// TestWithRiskFillsOnlyMatchingDueTimes: an SLA stored before risk instants
// were gets them when today's policy gives its due times, and none (the
// store's wall-clock fallback) when its due times came from another policy.
func TestWithRiskFillsOnlyMatchingDueTimes(t *testing.T) {
	p := DefaultPolicy()
	stored := p.Start(PriorityMedium, utc("2026-03-06 16:20"))
	want := stored
	stored.FirstResponseRisk, stored.ResolutionRisk = time.Time{}, time.Time{}
	got := p.WithRisk(PriorityMedium, stored, utc("2026-03-07 10:00"))
	if !got.FirstResponseRisk.Equal(want.FirstResponseRisk) || !got.ResolutionRisk.Equal(want.ResolutionRisk) {
		t.Errorf("same policy: risk %s / %s, want %s / %s", got.FirstResponseRisk, got.ResolutionRisk, want.FirstResponseRisk, want.ResolutionRisk)
	}
	other := stored
	other.FirstResponseDue = other.FirstResponseDue.Add(3 * time.Hour) // worked out under other hours
	if got := p.WithRisk(PriorityMedium, other, utc("2026-03-07 10:00")); !got.FirstResponseRisk.IsZero() || !got.ResolutionRisk.IsZero() {
		t.Errorf("due times from another policy got risk instants %s / %s", got.FirstResponseRisk, got.ResolutionRisk)
	}
}
