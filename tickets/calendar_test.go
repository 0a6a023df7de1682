package tickets

import (
	"testing"
	"time"
)

// Week of 2026-03-02 (UTC): Mon 2, Tue 3, Wed 4, Thu 5, Fri 6, Sat 7, Sun 8, Mon 9.

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// at reads "2006-01-02 15:04" as local time in loc.
func at(loc *time.Location, s string) time.Time {
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return tm
}

func utc(s string) time.Time { return at(time.UTC, s) }

func TestCalendarIsOpen(t *testing.T) {
	c := DefaultCalendar()
	for _, tc := range []struct {
		t    string
		want bool
	}{
		{"2026-03-02 08:59", false},
		{"2026-03-02 09:00", true},
		{"2026-03-02 16:59", true},
		{"2026-03-02 17:00", false},
		{"2026-03-06 12:00", true},
		{"2026-03-07 12:00", false}, // Saturday
		{"2026-03-08 12:00", false}, // Sunday
	} {
		if got := c.IsOpen(utc(tc.t)); got != tc.want {
			t.Errorf("IsOpen(%s) = %v, want %v", tc.t, got, tc.want)
		}
	}
}

func TestCalendarNextOpen(t *testing.T) {
	c := DefaultCalendar()
	for _, tc := range []struct{ t, want string }{
		{"2026-03-02 10:00", "2026-03-02 10:00"}, // open: itself
		{"2026-03-02 07:00", "2026-03-02 09:00"}, // before opening
		{"2026-03-02 17:00", "2026-03-03 09:00"}, // at closing
		{"2026-03-06 18:00", "2026-03-09 09:00"}, // Friday evening
		{"2026-03-07 12:00", "2026-03-09 09:00"}, // Saturday
		{"2026-03-08 23:59", "2026-03-09 09:00"}, // Sunday night
	} {
		if got := c.NextOpen(utc(tc.t)); !got.Equal(utc(tc.want)) {
			t.Errorf("NextOpen(%s) = %s, want %s", tc.t, got, tc.want)
		}
	}
}

func TestCalendarAddBusiness(t *testing.T) {
	c := DefaultCalendar()
	for _, tc := range []struct {
		start string
		d     time.Duration
		want  string
	}{
		{"2026-03-02 10:00", 0, "2026-03-02 10:00"},
		{"2026-03-06 18:00", 0, "2026-03-09 09:00"},                // zero after hours: next opening
		{"2026-03-02 09:00", 8 * time.Hour, "2026-03-02 17:00"},    // a full day ends at the close
		{"2026-03-02 10:00", 8 * time.Hour, "2026-03-03 10:00"},    // one business day
		{"2026-03-06 16:00", 2 * time.Hour, "2026-03-09 10:00"},    // across the weekend
		{"2026-03-02 07:00", time.Hour, "2026-03-02 10:00"},        // before opening
		{"2026-03-07 12:00", 30 * time.Minute, "2026-03-09 09:30"}, // from Saturday
		{"2026-03-02 10:00", 40 * time.Hour, "2026-03-09 10:00"},   // a business week
		{"2026-03-06 16:30", 40 * time.Hour, "2026-03-13 16:30"},   // a week from Friday
		{"2026-03-02 16:59", 2 * time.Minute, "2026-03-03 09:01"},  // split at the close
		{"2026-03-02 10:00", -time.Hour, "2026-03-02 10:00"},       // negative is zero
	} {
		if got := c.AddBusiness(utc(tc.start), tc.d); !got.Equal(utc(tc.want)) {
			t.Errorf("AddBusiness(%s, %s) = %s, want %s", tc.start, tc.d, got, tc.want)
		}
	}
}

func TestCalendarBusinessBetween(t *testing.T) {
	c := DefaultCalendar()
	for _, tc := range []struct {
		a, b string
		want time.Duration
	}{
		{"2026-03-02 10:00", "2026-03-02 11:00", time.Hour},
		{"2026-03-02 10:00", "2026-03-02 10:00", 0},
		{"2026-03-02 11:00", "2026-03-02 10:00", 0}, // reversed
		{"2026-03-06 16:00", "2026-03-09 10:00", 2 * time.Hour},
		{"2026-03-06 17:30", "2026-03-09 08:00", 0}, // the weekend
		{"2026-03-02 09:00", "2026-03-09 09:00", 40 * time.Hour},
		{"2026-03-02 07:00", "2026-03-02 20:00", 8 * time.Hour},
	} {
		if got := c.BusinessBetween(utc(tc.a), utc(tc.b)); got != tc.want {
			t.Errorf("BusinessBetween(%s, %s) = %s, want %s", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestCalendarEndOfBusinessDay(t *testing.T) {
	c := DefaultCalendar()
	for _, tc := range []struct{ t, want string }{
		{"2026-03-02 10:00", "2026-03-02 17:00"},
		{"2026-03-02 07:00", "2026-03-02 17:00"},
		{"2026-03-02 17:00", "2026-03-03 17:00"},
		{"2026-03-06 18:00", "2026-03-09 17:00"},
		{"2026-03-07 10:00", "2026-03-09 17:00"},
	} {
		if got := c.EndOfBusinessDay(utc(tc.t)); !got.Equal(utc(tc.want)) {
			t.Errorf("EndOfBusinessDay(%s) = %s, want %s", tc.t, got, tc.want)
		}
	}
}

// A zero Calendar, or one with only some parts set, falls back to the
// defaults instead of looping or panicking.
func TestCalendarZeroValue(t *testing.T) {
	def := DefaultCalendar()
	broken := []Calendar{
		{},
		{Open: 17 * time.Hour, Close: 9 * time.Hour},
		{Open: 9 * time.Hour, Close: 25 * time.Hour},
	}
	probes := []string{"2026-03-02 10:00", "2026-03-06 18:00", "2026-03-07 12:00"}
	for i, c := range broken {
		for _, p := range probes {
			tm := utc(p)
			if c.IsOpen(tm) != def.IsOpen(tm) ||
				!c.NextOpen(tm).Equal(def.NextOpen(tm)) ||
				!c.AddBusiness(tm, 9*time.Hour).Equal(def.AddBusiness(tm, 9*time.Hour)) ||
				!c.EndOfBusinessDay(tm).Equal(def.EndOfBusinessDay(tm)) ||
				c.BusinessBetween(tm, tm.Add(72*time.Hour)) != def.BusinessBetween(tm, tm.Add(72*time.Hour)) {
				t.Errorf("calendar %d at %s differs from DefaultCalendar", i, p)
			}
		}
	}

	berlin := mustLoc(t, "Europe/Berlin")
	c := Calendar{Location: berlin} // only the zone set: Mon–Fri 09:00–17:00 Berlin
	if got, want := c.NextOpen(at(berlin, "2026-03-07 12:00")), at(berlin, "2026-03-09 09:00"); !got.Equal(want) {
		t.Errorf("NextOpen = %s, want %s", got, want)
	}
}

// Business hours are local wall-clock hours on every day, including the days
// the clocks change; business time is real elapsed time within them.
func TestCalendarDaylightSaving(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	ny := mustLoc(t, "America/New_York")

	week := Calendar{Location: berlin}
	t.Run("berlin weekdays", func(t *testing.T) {
		for _, tc := range []struct {
			start string
			d     time.Duration
			want  string
		}{
			// Spring forward, Sunday 2026-03-29: Friday CET (UTC+1), Monday CEST (UTC+2).
			{"2026-03-27 16:00", 8 * time.Hour, "2026-03-30 16:00"},
			// Fall back, Sunday 2026-10-25: Friday CEST, Monday CET.
			{"2026-10-23 16:00", 8 * time.Hour, "2026-10-26 16:00"},
			{"2026-10-24 12:00", 0, "2026-10-26 09:00"},
		} {
			got := week.AddBusiness(at(berlin, tc.start), tc.d)
			if want := at(berlin, tc.want); !got.Equal(want) {
				t.Errorf("AddBusiness(%s, %s) = %s, want %s", tc.start, tc.d, got.In(berlin), want)
			}
		}
		if got := week.BusinessBetween(at(berlin, "2026-03-27 16:00"), at(berlin, "2026-03-30 16:00")); got != 8*time.Hour {
			t.Errorf("BusinessBetween across spring forward = %s, want 8h", got)
		}
	})

	t.Run("berlin change day", func(t *testing.T) {
		all, err := ParseCalendar("Europe/Berlin", "mon-sun", "09:00-17:00")
		if err != nil {
			t.Fatal(err)
		}
		sun := at(berlin, "2026-03-29 09:00")
		if sun.UTC().Hour() != 7 || !all.IsOpen(sun) || all.IsOpen(sun.Add(-time.Minute)) {
			t.Errorf("Sunday 2026-03-29 should open at 09:00 CEST (07:00 UTC)")
		}
		day := all.BusinessBetween(at(berlin, "2026-03-29 00:00"), at(berlin, "2026-03-30 00:00"))
		if day != 8*time.Hour {
			t.Errorf("business time on the change day = %s, want 8h", day)
		}
		// Around the clock, the change days are 23 and 25 hours long.
		clock, _ := ParseCalendar("Europe/Berlin", "mon-sun", "00:00-24:00")
		for _, tc := range []struct {
			from, to string
			want     time.Duration
		}{
			{"2026-03-29 00:00", "2026-03-30 00:00", 23 * time.Hour},
			{"2026-10-25 00:00", "2026-10-26 00:00", 25 * time.Hour},
			{"2026-10-24 00:00", "2026-10-25 00:00", 24 * time.Hour},
		} {
			if got := clock.BusinessBetween(at(berlin, tc.from), at(berlin, tc.to)); got != tc.want {
				t.Errorf("24h calendar %s..%s = %s, want %s", tc.from, tc.to, got, tc.want)
			}
		}
		if got, want := clock.AddBusiness(at(berlin, "2026-03-29 00:00"), 24*time.Hour), at(berlin, "2026-03-30 01:00"); !got.Equal(want) {
			t.Errorf("24h calendar AddBusiness = %s, want %s", got, want)
		}
	})

	t.Run("new york", func(t *testing.T) {
		c := Calendar{Location: ny}
		for _, tc := range []struct {
			start string
			d     time.Duration
			want  string
		}{
			// Spring forward, Sunday 2026-03-08.
			{"2026-03-06 16:30", 8 * time.Hour, "2026-03-09 16:30"},
			// Fall back, Sunday 2026-11-01.
			{"2026-10-30 16:30", 24 * time.Hour, "2026-11-04 16:30"},
		} {
			got := c.AddBusiness(at(ny, tc.start), tc.d)
			if want := at(ny, tc.want); !got.Equal(want) {
				t.Errorf("AddBusiness(%s, %s) = %s, want %s", tc.start, tc.d, got.In(ny), want)
			}
		}
	})
}

func TestParseCalendar(t *testing.T) {
	weekdays := func(ds ...time.Weekday) (w [7]bool) {
		for _, d := range ds {
			w[d] = true
		}
		return w
	}
	mon, tue, wed, thu, fri, sat, sun := time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday

	good := []struct {
		tz, days, hours string
		loc             string
		weekdays        [7]bool
		open, close     time.Duration
	}{
		{"", "", "", "UTC", weekdays(mon, tue, wed, thu, fri), 9 * time.Hour, 17 * time.Hour},
		{"Europe/Berlin", "mon-fri", "09:00-17:00", "Europe/Berlin", weekdays(mon, tue, wed, thu, fri), 9 * time.Hour, 17 * time.Hour},
		{" America/New_York ", "mon,tue,wed,thu,fri,sat", "8:30-18:00", "America/New_York", weekdays(mon, tue, wed, thu, fri, sat), 8*time.Hour + 30*time.Minute, 18 * time.Hour},
		{"", "fri-mon", "", "UTC", weekdays(fri, sat, sun, mon), 9 * time.Hour, 17 * time.Hour},
		{"", "Sunday - Thursday", "00:00-24:00", "UTC", weekdays(sun, mon, tue, wed, thu), 0, 24 * time.Hour},
		{"", "MON, wed,, fri", "", "UTC", weekdays(mon, wed, fri), 9 * time.Hour, 17 * time.Hour},
	}
	for _, tc := range good {
		c, err := ParseCalendar(tc.tz, tc.days, tc.hours)
		if err != nil {
			t.Errorf("ParseCalendar(%q, %q, %q): %v", tc.tz, tc.days, tc.hours, err)
			continue
		}
		if c.Location.String() != tc.loc || c.Weekdays != tc.weekdays || c.Open != tc.open || c.Close != tc.close {
			t.Errorf("ParseCalendar(%q, %q, %q) = %v %v %s-%s", tc.tz, tc.days, tc.hours, c.Location, c.Weekdays, c.Open, c.Close)
		}
	}

	bad := []struct{ tz, days, hours, field string }{
		{"Mars/Olympus_Mons", "", "", "timezone"},
		{"", "funday", "", "days"},
		{"", "mo", "", "days"},
		{"", "mon-", "", "days"},
		{"", ",", "", "days"},
		{"", "", "9-17", "hours"},
		{"", "", "17:00-09:00", "hours"},
		{"", "", "09:00-09:00", "hours"},
		{"", "", "25:00-26:00", "hours"},
		{"", "", "09:00-24:30", "hours"},
		{"", "", "+9:00-17:00", "hours"},
		{"", "", "09:60-17:00", "hours"},
	}
	for _, tc := range bad {
		_, err := ParseCalendar(tc.tz, tc.days, tc.hours)
		var e *Error
		if err == nil || ErrorCode(err) != EINVALID {
			t.Errorf("ParseCalendar(%q, %q, %q) error = %v, want EINVALID", tc.tz, tc.days, tc.hours, err)
		} else if e = err.(*Error); e.Field != tc.field {
			t.Errorf("ParseCalendar(%q, %q, %q) field = %q, want %q", tc.tz, tc.days, tc.hours, e.Field, tc.field)
		}
	}
}

// AddBusiness and BusinessBetween agree with each other for every start hour
// of 2026, including calendars whose hours fall in a daylight-saving gap.
func TestCalendarAddBusinessRoundTrip(t *testing.T) {
	cals := map[string][3]string{
		"berlin office": {"Europe/Berlin", "mon-fri", "09:00-17:00"},
		"berlin nights": {"Europe/Berlin", "mon-sun", "01:00-03:00"},
		"new york 24h":  {"America/New_York", "sat,sun", "00:00-24:00"},
	}
	for name, spec := range cals {
		c, err := ParseCalendar(spec[0], spec[1], spec[2])
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, c.Location)
		for h := 0; h < 365*24; h += 5 {
			s := start.Add(time.Duration(h) * time.Hour)
			for _, d := range []time.Duration{0, time.Minute, 90 * time.Minute, 8 * time.Hour, 30 * time.Hour} {
				end := c.AddBusiness(s, d)
				if got := c.BusinessBetween(s, end); got != d {
					t.Fatalf("%s: BusinessBetween(%s, AddBusiness(+%s) = %s) = %s", name, s, d, end, got)
				}
			}
		}
	}
}
