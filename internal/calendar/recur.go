package calendar

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/teambition/rrule-go"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Recurrence. A series is expanded in its own time zone: a weekly 09:00
// meeting in Europe/Berlin stays at 09:00 Berlin time across the change
// to summer time, so its instant in UTC moves by an hour. RRULE follows
// RFC 5545 (through rrule-go); RDATE and EXDATE are lists of local starts
// in the event's time zone; DTSTART is always the first occurrence.

// Local date-time layouts: a timed event's wall-clock start, an all-day
// event's date.
const (
	layoutLocal = "2006-01-02T15:04:05"
	layoutDate  = time.DateOnly
)

// maxRuleWalk bounds the occurrences walked to find where a rule ends.
const maxRuleWalk = 100000

// maxOccurrences bounds one expansion (a daily event over ten years).
const maxOccurrences = 5000

// parseLocal reads a wall-clock time in loc: a date for all-day events,
// otherwise a date-time with or without seconds.
func parseLocal(field, s string, allDay bool, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if allDay {
		if len(s) > 10 {
			s = s[:10]
		}
		t, err := time.ParseInLocation(layoutDate, s, loc)
		if err != nil {
			return time.Time{}, apperr.InvalidField(field, "a date (YYYY-MM-DD)")
		}
		return t, nil
	}
	for _, l := range []string{layoutLocal, "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	// An instant with an offset is taken as that instant, shown in loc.
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(loc), nil
	}
	return time.Time{}, apperr.InvalidField(field, "a local date-time (YYYY-MM-DDTHH:MM)")
}

// formatLocal is parseLocal's inverse.
func formatLocal(t time.Time, allDay bool) string {
	if allDay {
		return t.Format(layoutDate)
	}
	return t.Format(layoutLocal)
}

// loadZone reads an IANA time zone name.
func loadZone(field, name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, apperr.InvalidField(field, "an IANA time zone (Europe/Berlin)")
	}
	zones.Store(name, loc)
	return loc, nil
}

// zones caches the time zones read from the zone database.
var zones sync.Map

// series is an event's timing, parsed.
type series struct {
	loc    *time.Location
	allDay bool
	start  time.Time // the first occurrence's start, in loc
	// end of the first occurrence; later ones keep its length: the same
	// number of days for all-day events, the same duration otherwise.
	end     time.Time
	days    int
	rule    *rrule.RRule
	rdates  []time.Time
	exdates map[int64]bool
}

// length returns the end of the occurrence starting at start.
func (s *series) endOf(start time.Time) time.Time {
	if s.allDay {
		return start.AddDate(0, 0, s.days)
	}
	return start.Add(s.end.Sub(s.start))
}

// recurring reports whether the event repeats.
func (s *series) recurring() bool { return s.rule != nil || len(s.rdates) > 0 }

// parseSeries reads an event's stored timing.
func parseSeries(tz string, allDay bool, startLocal, endLocal, rule, rdates, exdates string) (*series, error) {
	loc, err := loadZone("time_zone", tz)
	if err != nil {
		return nil, err
	}
	s := &series{loc: loc, allDay: allDay, exdates: map[int64]bool{}}
	if s.start, err = parseLocal("start", startLocal, allDay, loc); err != nil {
		return nil, err
	}
	if s.end, err = parseLocal("end", endLocal, allDay, loc); err != nil {
		return nil, err
	}
	if !s.end.After(s.start) {
		return nil, apperr.InvalidField("end", "after the start")
	}
	if allDay {
		s.days = int(civilDays(s.start, s.end))
	}
	if rule != "" {
		o, err := rrule.StrToROptionInLocation(strings.TrimPrefix(rule, "RRULE:"), loc)
		if err != nil {
			return nil, apperr.InvalidField("rrule", "an RFC 5545 RRULE (FREQ=WEEKLY;BYDAY=MO)")
		}
		o.Dtstart = s.start
		if s.rule, err = rrule.NewRRule(*o); err != nil {
			return nil, apperr.InvalidField("rrule", "an RFC 5545 RRULE (FREQ=WEEKLY;BYDAY=MO)")
		}
	}
	var rd, ex []string
	if err := unmarshalList(rdates, &rd); err != nil {
		return nil, err
	}
	if err := unmarshalList(exdates, &ex); err != nil {
		return nil, err
	}
	for _, x := range rd {
		t, err := parseLocal("rdates", x, allDay, loc)
		if err != nil {
			return nil, err
		}
		s.rdates = append(s.rdates, t)
	}
	for _, x := range ex {
		t, err := parseLocal("exdates", x, allDay, loc)
		if err != nil {
			return nil, err
		}
		s.exdates[t.UnixMilli()] = true
	}
	return s, nil
}

func unmarshalList(s string, v *[]string) error {
	if s == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return apperr.Internal(err)
	}
	return nil
}

// civilDays counts the calendar days from a to b (dates at midnight).
func civilDays(a, b time.Time) int64 {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return (time.Date(by, bm, bd, 12, 0, 0, 0, time.UTC).Unix() - time.Date(ay, am, ad, 12, 0, 0, 0, time.UTC).Unix()) / 86400
}

// starts returns the starts of the occurrences that overlap [from, to),
// sorted, at most max of them; EXDATEs are left out.
func (s *series) starts(from, to time.Time, max int) []time.Time {
	var out []time.Time
	keep := func(t time.Time) bool {
		return !s.exdates[t.UnixMilli()] && t.Before(to) && s.endOf(t).After(from)
	}
	if !s.recurring() {
		if keep(s.start) {
			out = append(out, s.start)
		}
		return out
	}
	// The longest occurrence reaches back at most its length.
	after := from.Add(-s.endOf(s.start).Sub(s.start)).Add(-time.Hour)
	seen := map[int64]bool{}
	add := func(t time.Time) {
		if !seen[t.UnixMilli()] && keep(t) {
			seen[t.UnixMilli()] = true
			out = append(out, t.In(s.loc))
		}
	}
	add(s.start)
	for _, t := range s.rdates {
		add(t)
	}
	if s.rule != nil {
		next := s.iterFrom(after)
		for n := 0; n < maxOccurrences*4; n++ {
			t, ok := next()
			if !ok || !t.Before(to) {
				break
			}
			if t.Before(after) {
				continue
			}
			add(t)
			if len(out) > max {
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	if len(out) > max {
		out = out[:max]
	}
	return out
}

// iterFrom returns an iterator over the rule's occurrences that begins at
// most a few periods before after, rather than at the first occurrence: an
// hourly series that began years ago would otherwise spend its whole walk
// (maxOccurrences*4 steps) before reaching after, and show nothing.
//
// A rule's periods — n hours, days or weeks, counted on the wall clock as
// rrule-go counts them — repeat from DTSTART, and its defaults (BYHOUR,
// BYMINUTE, BYDAY…) come from DTSTART's wall-clock time and weekday. So a
// DTSTART moved by whole periods to the same wall-clock time yields the
// same occurrences from there on. Rules with a COUNT count from the first
// occurrence, and MONTHLY or YEARLY ones are short walks: both start at the
// beginning.
func (s *series) iterFrom(after time.Time) rrule.Next {
	o := s.rule.OrigOptions
	if o.Count > 0 || !after.After(s.start) {
		return s.rule.Iterator()
	}
	n := max(o.Interval, 1)
	a := after.In(s.loc)
	y, mo, d := s.start.Date()
	h, mi, sec := s.start.Clock()
	ns := s.start.Nanosecond()
	days := int(civilDays(s.start, a))
	var k int
	var moved func(k int) (time.Time, bool)
	switch o.Freq {
	case rrule.HOURLY:
		k = (days*24+a.Hour()-h)/n - 1
		moved = func(k int) (time.Time, bool) {
			t := time.Date(y, mo, d, h+k*n, mi, sec, ns, s.loc)
			return t, t.Hour() == (h+k*n)%24 && t.Minute() == mi && t.Second() == sec
		}
	case rrule.DAILY, rrule.WEEKLY:
		step := n
		if o.Freq == rrule.WEEKLY {
			step = 7 * n
		}
		k = days/step - 1
		moved = func(k int) (time.Time, bool) {
			t := time.Date(y, mo, d+k*step, h, mi, sec, ns, s.loc)
			th, tm, ts := t.Clock()
			return t, th == h && tm == mi && ts == sec
		}
	default:
		return s.rule.Iterator()
	}
	// A moved start that falls in a gap of the clock (the change to summer
	// time) is not that wall-clock time: take the period before.
	for tries := 0; k > 0 && tries < 4; k, tries = k-1, tries+1 {
		t, ok := moved(k)
		if !ok {
			continue
		}
		o.Dtstart = t
		if r, err := rrule.NewRRule(o); err == nil {
			return r.Iterator()
		}
		break
	}
	return s.rule.Iterator()
}

// isOccurrence reports whether t is the start of an occurrence (EXDATEs
// included: an excluded occurrence can still be named).
func (s *series) isOccurrence(t time.Time) bool {
	if t.Equal(s.start) {
		return true
	}
	for _, r := range s.rdates {
		if r.Equal(t) {
			return true
		}
	}
	if s.rule == nil {
		return false
	}
	x := s.rule.After(t.Add(-time.Second), true)
	return x.Equal(t)
}

// lastEnd returns the end of the last occurrence in unix ms, 0 when the
// series never ends.
func (s *series) lastEnd() int64 {
	last := s.start
	for _, r := range s.rdates {
		if r.After(last) {
			last = r
		}
	}
	if s.rule != nil {
		o := s.rule.OrigOptions
		if o.Count == 0 && o.Until.IsZero() {
			return 0
		}
		// A rule with a huge number of occurrences is taken as never
		// ending: its expansion is bounded anyway, and walking it all
		// would hold the request for minutes.
		next := s.rule.Iterator()
		var end time.Time
		for n := 0; ; n++ {
			t, ok := next()
			if !ok {
				break
			}
			if n >= maxRuleWalk {
				return 0
			}
			end = t
		}
		if end.After(last) {
			last = end
		}
	}
	return s.endOf(last).UnixMilli()
}

// until returns rule cut so that its last occurrence starts before t.
func untilBefore(rule string, loc *time.Location, t time.Time) (string, error) {
	o, err := rrule.StrToROptionInLocation(strings.TrimPrefix(rule, "RRULE:"), loc)
	if err != nil {
		return "", apperr.InvalidField("rrule", "an RFC 5545 RRULE")
	}
	o.Count = 0
	o.Until = t.Add(-time.Second).UTC()
	o.Dtstart = time.Time{}
	return o.RRuleString(), nil
}

// normalizeRule checks rule and returns its canonical text ("" for none).
func normalizeRule(rule string, loc *time.Location) (string, error) {
	rule = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rule), "RRULE:"))
	if rule == "" {
		return "", nil
	}
	o, err := rrule.StrToROptionInLocation(rule, loc)
	if err != nil {
		return "", apperr.InvalidField("rrule", "an RFC 5545 RRULE (FREQ=WEEKLY;BYDAY=MO)")
	}
	// Repeating every second or minute is no calendar's business, and
	// expanding such a rule costs too much.
	if o.Freq == rrule.SECONDLY || o.Freq == rrule.MINUTELY {
		return "", apperr.InvalidField("rrule", "FREQ of HOURLY or longer")
	}
	o.Dtstart = time.Time{}
	return o.RRuleString(), nil
}
