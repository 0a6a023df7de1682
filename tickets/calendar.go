package tickets

import (
	"strconv"
	"strings"
	"time"
)

// Calendar is the team's business hours in its time zone. Business-hours SLA
// targets count only time inside these hours.
//
// Open and Close are wall-clock times of the local day, not durations from
// midnight: a day on which the clocks change still opens at 09:00 and closes
// at 17:00 local time. Business time itself is real elapsed time inside those
// hours.
//
// The zero value behaves as DefaultCalendar. Each unset or unusable part (nil
// Location, no weekday, hours that do not open before they close) falls back
// to the default on its own, so every method terminates whatever it is given.
type Calendar struct {
	Location *time.Location
	Weekdays [7]bool       // indexed by time.Weekday
	Open     time.Duration // offset from local midnight, e.g. 9h
	Close    time.Duration // e.g. 17h; after Open, at most 24h
}

// DefaultCalendar is Monday–Friday 09:00–17:00 UTC.
func DefaultCalendar() Calendar {
	var days [7]bool
	for d := time.Monday; d <= time.Friday; d++ {
		days[d] = true
	}
	return Calendar{Location: time.UTC, Weekdays: days, Open: 9 * time.Hour, Close: 17 * time.Hour}
}

// norm fills in the defaults. Without at least one open weekday and a
// non-empty day, the searches below would never find an opening.
func (c Calendar) norm() Calendar {
	d := DefaultCalendar()
	if c.Location == nil {
		c.Location = d.Location
	}
	if c.Weekdays == [7]bool{} {
		c.Weekdays = d.Weekdays
	}
	if c.Open < 0 || c.Close > 24*time.Hour || c.Open >= c.Close {
		c.Open, c.Close = d.Open, d.Close
	}
	return c
}

// civil returns t's local date as midnight UTC. Stepping it with AddDate is
// exact (no zone transitions in UTC), and bounds turns it back into local
// instants.
func (c Calendar) civil(t time.Time) time.Time {
	y, m, d := t.In(c.Location).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// bounds returns the opening and closing instants of a local date and whether
// that weekday is a business day at all. time.Date resolves the wall-clock
// times in the zone, which is what makes daylight-saving days come out right.
func (c Calendar) bounds(day time.Time) (open, close time.Time, ok bool) {
	y, m, d := day.Date()
	at := func(off time.Duration) time.Time {
		return time.Date(y, m, d, 0, 0, int(off/time.Second), int(off%time.Second), c.Location)
	}
	return at(c.Open), at(c.Close), c.Weekdays[day.Weekday()]
}

// IsOpen reports whether t falls within business hours.
func (c Calendar) IsOpen(t time.Time) bool {
	c = c.norm()
	open, close, ok := c.bounds(c.civil(t))
	return ok && !t.Before(open) && t.Before(close)
}

// NextOpen returns t itself if business is open at t, else the next opening.
func (c Calendar) NextOpen(t time.Time) time.Time {
	c = c.norm()
	day := c.civil(t)
	// Eight days: today may be a business day that has already closed, and
	// the next one is then a week away at most.
	for range 8 {
		open, close, ok := c.bounds(day)
		if ok && t.Before(close) {
			return later(t, open)
		}
		day = day.AddDate(0, 0, 1)
	}
	return t // unreachable: norm guarantees an open weekday
}

// AddBusiness returns the instant at which d of business time has elapsed,
// counting from start (or from the next opening if start is after hours).
// A d that ends exactly at a close returns that close, not the next opening:
// 8h from Monday 09:00 is Monday 17:00.
func (c Calendar) AddBusiness(start time.Time, d time.Duration) time.Time {
	c = c.norm()
	t := c.NextOpen(start)
	for d > 0 {
		_, close, _ := c.bounds(c.civil(t))
		left := close.Sub(t)
		if d <= left {
			return t.Add(d)
		}
		d -= left
		t = c.NextOpen(close)
	}
	return t
}

// BusinessBetween returns the business time within [a, b).
func (c Calendar) BusinessBetween(a, b time.Time) time.Duration {
	if !a.Before(b) {
		return 0
	}
	c = c.norm()
	var sum time.Duration
	for day := c.civil(a); ; day = day.AddDate(0, 0, 1) {
		open, close, ok := c.bounds(day)
		if !open.Before(b) {
			return sum
		}
		if !ok {
			continue
		}
		if lo, hi := later(a, open), earlier(b, close); lo.Before(hi) {
			sum += hi.Sub(lo)
		}
	}
}

// EndOfBusinessDay returns the close of the business day that contains
// NextOpen(t): the same day during hours, the next business day after hours.
func (c Calendar) EndOfBusinessDay(t time.Time) time.Time {
	c = c.norm()
	_, close, _ := c.bounds(c.civil(c.NextOpen(t)))
	return close
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// ParseCalendar reads business hours from configuration: tz is an IANA zone
// ("Europe/Berlin"), days a list of days and ranges ("mon-fri",
// "mon,tue,wed,thu,fri,sat", "sun-thu"), hours an opening and closing time
// ("09:00-17:00", close may be "24:00"). An empty string keeps the default
// for that part.
func ParseCalendar(tz, days, hours string) (Calendar, error) {
	c := DefaultCalendar()
	if tz = strings.TrimSpace(tz); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return Calendar{}, Invalid("timezone", "unknown time zone %q (want an IANA name such as Europe/Berlin)", tz)
		}
		c.Location = loc
	}
	if strings.TrimSpace(days) != "" {
		w, err := parseWeekdays(days)
		if err != nil {
			return Calendar{}, err
		}
		c.Weekdays = w
	}
	if strings.TrimSpace(hours) != "" {
		open, close, err := parseHours(hours)
		if err != nil {
			return Calendar{}, err
		}
		c.Open, c.Close = open, close
	}
	return c, nil
}

func parseWeekdays(s string) ([7]bool, error) {
	var w [7]bool
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		from, to, isRange := strings.Cut(item, "-")
		a, ok1 := parseWeekday(from)
		b, ok2 := a, true
		if isRange {
			b, ok2 = parseWeekday(to)
		}
		if !ok1 || !ok2 {
			return w, Invalid("days", "business days %q: %q is not a day or range of days (want e.g. mon-fri or mon,wed,fri)", s, item)
		}
		// Ranges may wrap around the week: fri-mon is fri, sat, sun, mon.
		for d := a; ; d = (d + 1) % 7 {
			w[d] = true
			if d == b {
				break
			}
		}
	}
	if w == [7]bool{} {
		return w, Invalid("days", "business days %q name no day", s)
	}
	return w, nil
}

// parseWeekday accepts an English day name or any prefix of it of at least
// three letters: "mon", "tues", "thursday".
func parseWeekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) < 3 {
		return 0, false
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.HasPrefix(strings.ToLower(d.String()), s) {
			return d, true
		}
	}
	return 0, false
}

func parseHours(s string) (open, close time.Duration, err error) {
	from, to, ok := strings.Cut(s, "-")
	if ok {
		open, ok = parseClock(from)
	}
	if ok {
		close, ok = parseClock(to)
	}
	if !ok {
		return 0, 0, Invalid("hours", "business hours %q: want HH:MM-HH:MM, e.g. 09:00-17:00", s)
	}
	if open >= close {
		return 0, 0, Invalid("hours", "business hours %q: opening must be before closing", s)
	}
	return open, close, nil
}

// parseClock reads "9:00", "09:30" or "24:00" as an offset from midnight.
func parseClock(s string) (time.Duration, bool) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(mm) != 2 || len(hh) < 1 || len(hh) > 2 {
		return 0, false
	}
	if strings.Trim(hh+mm, "0123456789") != "" {
		return 0, false // Atoi would accept signs
	}
	h, _ := strconv.Atoi(hh)
	m, _ := strconv.Atoi(mm)
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, true
}
