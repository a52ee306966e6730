package report

import (
	"testing"
	"time"
)

// TestSchedulePeriods: keys, due times and the period a moment falls in,
// across week-year and month ends and a daylight-saving change.
func TestSchedulePeriods(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	mk := func(period, tz string, dueWeekday, dueDay int) schedule {
		sc, err := scheduleOf(period, tz, "18:00", dueWeekday, dueDay, []int{1, 2, 3, 4, 5})
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	daily, weekly, monthly := mk(PeriodDaily, "America/New_York", 5, 0), mk(PeriodWeekly, "America/New_York", 5, 0), mk(PeriodMonthly, "America/New_York", 5, 31)
	for _, c := range []struct {
		sc       schedule
		at       time.Time
		key      string
		due      time.Time
		nextKey  string
		nextDue  time.Time
		parseErr bool
	}{
		// Saturday belongs to Friday's period; Monday follows.
		{daily, time.Date(2026, 12, 5, 10, 0, 0, 0, ny), "2026-12-04", time.Date(2026, 12, 4, 18, 0, 0, 0, ny), "2026-12-07", time.Date(2026, 12, 7, 18, 0, 0, 0, ny), false},
		// Daylight saving ends on 1 November 2026: due at 18:00 local either side.
		{daily, time.Date(2026, 10, 30, 9, 0, 0, 0, ny), "2026-10-30", time.Date(2026, 10, 30, 18, 0, 0, 0, ny), "2026-11-02", time.Date(2026, 11, 2, 18, 0, 0, 0, ny), false},
		// 2026 has 53 ISO weeks; the week of 1 January 2027 is 2026-W53.
		{weekly, time.Date(2027, 1, 1, 12, 0, 0, 0, ny), "2026-W53", time.Date(2027, 1, 1, 18, 0, 0, 0, ny), "2027-W01", time.Date(2027, 1, 8, 18, 0, 0, 0, ny), false},
		// Day 31 in February is its last day.
		{monthly, time.Date(2027, 2, 10, 0, 0, 0, 0, ny), "2027-02", time.Date(2027, 2, 28, 18, 0, 0, 0, ny), "2027-03", time.Date(2027, 3, 31, 18, 0, 0, 0, ny), false},
	} {
		cur, ok := c.sc.current(c.at)
		if !ok || cur.Key != c.key || !cur.Due.Equal(c.due) {
			t.Errorf("%s at %v: %+v, want %s due %v", c.sc.period, c.at, cur, c.key, c.due)
			continue
		}
		nx := c.sc.next(cur)
		if nx.Key != c.nextKey || !nx.Due.Equal(c.nextDue) {
			t.Errorf("%s after %s: %+v, want %s due %v", c.sc.period, cur.Key, nx, c.nextKey, c.nextDue)
		}
		back, err := c.sc.parse(cur.Key)
		if err != nil || back != cur {
			t.Errorf("%s parse %s: %+v %v", c.sc.period, cur.Key, back, err)
		}
	}
	for _, c := range []struct {
		sc  schedule
		key string
	}{{daily, "2026-12-05"}, {daily, "2026-13-01"}, {weekly, "2027-W53"}, {weekly, "2026-12"}, {monthly, "2026-12-01"}} {
		if _, err := c.sc.parse(c.key); err == nil {
			t.Errorf("%s accepted %q", c.sc.period, c.key)
		}
	}
	if got := daily.between(time.Date(2026, 12, 5, 0, 0, 0, 0, ny), time.Date(2026, 12, 9, 0, 0, 0, 0, ny)); len(got) != 3 || got[0].Key != "2026-12-07" {
		t.Errorf("between: %+v", got)
	}
	for _, bad := range []struct{ period, tz, due string }{{PeriodDaily, "Local", "18:00"}, {PeriodDaily, "UTC", "24:00"}, {PeriodDaily, "UTC", "6pm"}, {"yearly", "UTC", "18:00"}} {
		if _, err := scheduleOf(bad.period, bad.tz, bad.due, 5, 0, []int{1}); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}
