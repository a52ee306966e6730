package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones even where the system has none

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Schedules: a template's periods, their keys and their due times.
//
// A daily template has one period per workday (the local calendar day), a
// weekly one per ISO week (Monday to Sunday), a monthly one per calendar
// month. Each period is due at the template's due time, in its time zone,
// on the day itself (daily), on the chosen weekday (weekly) or on the
// chosen day of the month (monthly; 0 or a day past the month's end means
// its last day). Custom templates have no schedule: every report is a
// period of its own, never late and never reminded.

// Periods of a template.
const (
	PeriodDaily   = "daily"
	PeriodWeekly  = "weekly"
	PeriodMonthly = "monthly"
	PeriodCustom  = "custom"
)

// schedule is a template's schedule, ready to compute with.
type schedule struct {
	period     string
	loc        *time.Location
	hour, min  int
	dueWeekday int // 1 = Monday … 7 = Sunday
	dueDay     int // 0 = the last day of the month
	workdays   [7]bool
}

// slot is one period: its key, its first day (local midnight) and when
// it is due.
type slot struct {
	Key   string
	Start time.Time
	Due   time.Time
}

// parseClock reads "HH:MM".
func parseClock(s string) (int, int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(h) != 2 || len(m) != 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, 0, apperr.InvalidField("due_time", "due_time is HH:MM, from 00:00 to 23:59")
	}
	return hh, mm, nil
}

// scheduleOf builds the schedule of a template's settings, refusing
// settings that make no sense.
func scheduleOf(period, tz, dueTime string, dueWeekday, dueDay int, workdays []int) (schedule, error) {
	sc := schedule{period: period, dueWeekday: dueWeekday, dueDay: dueDay}
	switch period {
	case PeriodDaily, PeriodWeekly, PeriodMonthly, PeriodCustom:
	default:
		return sc, apperr.InvalidField("period", "period is daily, weekly, monthly or custom")
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" || tz == "Local" {
		return sc, apperr.InvalidField("timezone", "timezone must be an IANA time zone name, such as Asia/Shanghai")
	}
	sc.loc = loc
	if sc.hour, sc.min, err = parseClock(dueTime); err != nil {
		return sc, err
	}
	if dueWeekday < 1 || dueWeekday > 7 {
		return sc, apperr.InvalidField("due_weekday", "due_weekday is from 1 (Monday) to 7 (Sunday)")
	}
	if dueDay < 0 || dueDay > 31 {
		return sc, apperr.InvalidField("due_day", "due_day is from 1 to 31, or 0 for the last day of the month")
	}
	for _, d := range workdays {
		if d < 1 || d > 7 {
			return sc, apperr.InvalidField("workdays", "workdays are from 1 (Monday) to 7 (Sunday)")
		}
		sc.workdays[d%7] = true
	}
	if period == PeriodDaily && len(workdays) == 0 {
		return sc, apperr.InvalidField("workdays", "a daily template needs at least one workday")
	}
	return sc, nil
}

func (sc schedule) day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, sc.loc)
}

func (sc schedule) at(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), sc.hour, sc.min, 0, 0, sc.loc)
}

// dailySlot is the period of a workday.
func (sc schedule) dailySlot(day time.Time) slot {
	return slot{Key: day.Format(time.DateOnly), Start: day, Due: sc.at(day)}
}

// weeklySlot is the period of the ISO week starting on monday.
func (sc schedule) weeklySlot(monday time.Time) slot {
	y, w := monday.ISOWeek()
	return slot{Key: fmt.Sprintf("%04d-W%02d", y, w), Start: monday, Due: sc.at(monday.AddDate(0, 0, sc.dueWeekday-1))}
}

// monthlySlot is the period of the month starting on first.
func (sc schedule) monthlySlot(first time.Time) slot {
	last := first.AddDate(0, 1, -1).Day()
	d := sc.dueDay
	if d == 0 || d > last {
		d = last
	}
	return slot{Key: first.Format("2006-01"), Start: first, Due: sc.at(sc.day(first.Year(), first.Month(), d))}
}

// mondayOf returns the Monday starting t's week.
func (sc schedule) mondayOf(t time.Time) time.Time {
	d := sc.day(t.Year(), t.Month(), t.Day())
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// current returns the period t falls in: for daily templates the latest
// workday at or before t. Custom templates have none.
func (sc schedule) current(t time.Time) (slot, bool) {
	t = t.In(sc.loc)
	switch sc.period {
	case PeriodDaily:
		d := sc.day(t.Year(), t.Month(), t.Day())
		for i := 0; i < 7; i++ {
			if sc.workdays[d.Weekday()] {
				return sc.dailySlot(d), true
			}
			d = d.AddDate(0, 0, -1)
		}
	case PeriodWeekly:
		return sc.weeklySlot(sc.mondayOf(t)), true
	case PeriodMonthly:
		return sc.monthlySlot(sc.day(t.Year(), t.Month(), 1)), true
	}
	return slot{}, false
}

// next returns the period after s.
func (sc schedule) next(s slot) slot {
	switch sc.period {
	case PeriodDaily:
		d := s.Start.AddDate(0, 0, 1)
		for i := 0; i < 7 && !sc.workdays[d.Weekday()]; i++ {
			d = d.AddDate(0, 0, 1)
		}
		return sc.dailySlot(d)
	case PeriodWeekly:
		return sc.weeklySlot(s.Start.AddDate(0, 0, 7))
	}
	return sc.monthlySlot(s.Start.AddDate(0, 1, 0))
}

// end is when the period after s starts: the end of s's reminders.
func (sc schedule) end(s slot) time.Time {
	switch sc.period {
	case PeriodDaily:
		return s.Start.AddDate(0, 0, 1)
	case PeriodWeekly:
		return s.Start.AddDate(0, 0, 7)
	}
	return s.Start.AddDate(0, 1, 0)
}

// parse returns the period a key names (400 invalid_field "period"
// otherwise).
func (sc schedule) parse(key string) (slot, error) {
	bad := apperr.InvalidField("period", "period is not one of this template's periods").With("period", key)
	switch sc.period {
	case PeriodDaily:
		d, err := time.ParseInLocation(time.DateOnly, key, sc.loc)
		if err != nil || !sc.workdays[d.Weekday()] {
			return slot{}, bad
		}
		return sc.dailySlot(d), nil
	case PeriodWeekly:
		y, w, ok := strings.Cut(key, "-W")
		yy, err1 := strconv.Atoi(y)
		ww, err2 := strconv.Atoi(w)
		if !ok || err1 != nil || err2 != nil || yy < 1970 || yy > 9999 || ww < 1 || ww > 53 {
			return slot{}, bad
		}
		jan4 := sc.day(yy, time.January, 4)
		s := sc.weeklySlot(sc.mondayOf(jan4).AddDate(0, 0, 7*(ww-1)))
		if s.Key != key {
			return slot{}, bad
		}
		return s, nil
	case PeriodMonthly:
		d, err := time.ParseInLocation("2006-01", key, sc.loc)
		if err != nil {
			return slot{}, bad
		}
		return sc.monthlySlot(d), nil
	}
	return slot{}, bad
}

// MaxStatsPeriods bounds how many periods one statistics request covers.
const MaxStatsPeriods = 400

// between lists the periods that start on a day from from to to
// (inclusive, local dates).
func (sc schedule) between(from, to time.Time) []slot {
	var out []slot
	s, ok := sc.current(from)
	if !ok {
		return nil
	}
	if s.Start.Before(from) {
		s = sc.next(s)
	}
	for !s.Start.After(to) && len(out) < MaxStatsPeriods {
		out = append(out, s)
		s = sc.next(s)
	}
	return out
}
