package attendance_test

import (
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/attendance"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// office is the place of the tests: People's Square, Shanghai, 200 m.
var office = attendance.Place{Name: "HQ", Lat: "31.2304", Lng: "121.4737", RadiusM: 200}

// fixed is a 09:00–18:00 group with five minutes' grace.
func fixed() attendance.Rules {
	return attendance.Rules{Kind: attendance.KindFixed, Timezone: "Asia/Shanghai", Start: "09:00", End: "18:00", GraceLateMinutes: 5,
		GraceEarlyMinutes: 5, Places: []attendance.Place{office}, CorrectionLimit: 1}
}

func (w *world) group(t *testing.T, r attendance.Rules) attendance.Group {
	t.Helper()
	g, err := w.svc.CreateGroup(w.as(w.admin), attendance.GroupInput{Name: "Office", Members: attendance.Members{DepartmentIDs: []string{w.dept}}, Rules: r})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func (w *world) ack(t *testing.T, ps ...attendance.Person) {
	t.Helper()
	for _, p := range ps {
		if _, err := w.svc.AcknowledgeNotice(w.as(p)); err != nil {
			t.Fatal(err)
		}
	}
}

// punch checks p in at t, at the office unless in says otherwise.
func (w *world) punch(t *testing.T, p attendance.Person, at time.Time, in attendance.PunchInput) (attendance.CheckIn, error) {
	t.Helper()
	w.clock.set(at)
	if in.ClientID == "" {
		in.ClientID = ids.New("cli")
	}
	if in.Lat == "" && in.BSSID == "" {
		in.Lat, in.Lng = "31.2310", "121.4740"
	}
	return w.svc.Punch(w.as(p), in)
}

func (w *world) mustPunch(t *testing.T, p attendance.Person, at time.Time, kind string) attendance.CheckIn {
	t.Helper()
	c, err := w.punch(t, p, at, attendance.PunchInput{Kind: kind})
	if err != nil {
		t.Fatalf("check-%s at %v: %v", kind, at, err)
	}
	return c
}

// day returns p's day as of now.
func (w *world) day(t *testing.T, p attendance.Person, now time.Time, date string) attendance.Day {
	t.Helper()
	w.clock.set(now)
	m, err := w.svc.MyMonth(w.as(p), date[:7])
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Days {
		if d.Date == date {
			return d
		}
	}
	t.Fatalf("no day %s", date)
	return attendance.Day{}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

// TestFixedHours: on time, late, early leave, absent, missing check-out,
// first in and last out kept, and retries recorded once.
func TestFixedHours(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(d, 5)
		w.group(t, fixed())
		on, late, early, absent, missing := w.people[0], w.people[1], w.people[2], w.people[3], w.people[4]
		w.ack(t, w.people...)

		// On time, with a second check-in (kept first) and a retried
		// check-out (recorded once).
		first := w.mustPunch(t, on, sh(7, 8, 55), attendance.PunchIn)
		if !first.Punch.InArea || first.Punch.Matched != "HQ" || first.Punch.DistanceM < 50 || first.Punch.DistanceM > 100 || first.Punch.Day != "2026-12-07" {
			t.Fatalf("check-in: %+v", first.Punch)
		}
		w.mustPunch(t, on, sh(7, 9, 30), attendance.PunchIn)
		out1, err := w.punch(t, on, sh(7, 18, 10), attendance.PunchInput{ClientID: "out-1", Kind: attendance.PunchOut})
		if err != nil {
			t.Fatal(err)
		}
		out2, err := w.punch(t, on, sh(7, 18, 20), attendance.PunchInput{ClientID: "out-1", Kind: attendance.PunchOut})
		if err != nil || out2.Punch.ID != out1.Punch.ID || out2.Punch.At != out1.Punch.At {
			t.Fatalf("retry: %+v %v", out2, err)
		}
		got := w.day(t, on, sh(8, 12, 0), "2026-12-07")
		if got.Status != attendance.StatusNormal || got.FirstIn != sh(7, 8, 55).UnixMilli() || got.LastOut != sh(7, 18, 10).UnixMilli() {
			t.Fatalf("on time: %+v", got)
		}
		m, _ := w.svc.MyMonth(w.as(on), "2026-12")
		if len(m.Punches) != 3 {
			t.Fatalf("punches: %+v", m.Punches)
		}

		// Late (beyond the grace) and early leave.
		w.mustPunch(t, late, sh(7, 9, 20), "")
		w.mustPunch(t, late, sh(7, 18, 0), "")
		if got := w.day(t, late, sh(8, 0, 0), "2026-12-07"); got.Status != attendance.StatusAbnormal || !got.Late || got.LateMinutes != 20 || got.EarlyLeave {
			t.Fatalf("late: %+v", got)
		}
		w.mustPunch(t, early, sh(7, 9, 4), "")
		w.mustPunch(t, early, sh(7, 17, 0), "")
		if got := w.day(t, early, sh(8, 0, 0), "2026-12-07"); !got.EarlyLeave || got.EarlyMinutes != 60 || got.Late {
			t.Fatalf("early: %+v", got)
		}
		// Absent: pending during the day, absent after it.
		if got := w.day(t, absent, sh(7, 12, 0), "2026-12-07"); got.Status != attendance.StatusPending {
			t.Fatalf("before the end: %+v", got)
		}
		if got := w.day(t, absent, sh(7, 18, 1), "2026-12-07"); got.Status != attendance.StatusAbsent {
			t.Fatalf("absent: %+v", got)
		}
		// Missing check-out: working until the end, then abnormal.
		w.mustPunch(t, missing, sh(7, 8, 50), "")
		if got := w.day(t, missing, sh(7, 17, 0), "2026-12-07"); got.Status != attendance.StatusWorking {
			t.Fatalf("working: %+v", got)
		}
		if got := w.day(t, missing, sh(8, 9, 0), "2026-12-07"); got.Status != attendance.StatusAbnormal || !got.MissingOut || got.Late {
			t.Fatalf("missing check-out: %+v", got)
		}
		// The weekend is rest.
		if got := w.day(t, on, sh(14, 0, 0), "2026-12-12"); got.Status != attendance.StatusRest {
			t.Fatalf("saturday: %+v", got)
		}
	})
}

// TestArea: outside the geofence is refused, or accepted with a note
// where the group allows it; networks match by BSSID or office address.
func TestArea(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(d, 2)
		r := fixed()
		g := w.group(t, r)
		p := w.people[0]
		w.ack(t, w.people...)
		// About 1.1 km away.
		_, err := w.punch(t, p, sh(7, 9, 0), attendance.PunchInput{Lat: "31.2404", Lng: "121.4737"})
		wantCode(t, err, "out_of_area")
		// Allowed with a note.
		r.OutOfArea = attendance.OutOfAreaNote
		if _, err := w.svc.UpdateGroup(w.as(w.admin), g.ID, attendance.GroupInput{Name: g.Name, Members: g.Members, Rules: r}); err != nil {
			t.Fatal(err)
		}
		_, err = w.punch(t, p, sh(7, 9, 0), attendance.PunchInput{Lat: "31.2404", Lng: "121.4737"})
		wantCode(t, err, "invalid_field")
		c, err := w.punch(t, p, sh(7, 9, 0), attendance.PunchInput{Lat: "31.2404", Lng: "121.4737", Note: "visiting a client"})
		if err != nil || c.Punch.InArea || c.Punch.DistanceM < 1000 || c.Punch.DistanceM > 1300 || !c.Day.OutOfArea {
			t.Fatalf("noted: %+v %v", c, err)
		}
		// A Wi-Fi group: the wrong network is refused, the listed one
		// matches.
		r = fixed()
		r.Places = nil
		r.Networks = attendance.Networks{BSSIDs: []string{"AA:BB:CC:DD:EE:FF"}}
		if _, err := w.svc.UpdateGroup(w.as(w.admin), g.ID, attendance.GroupInput{Name: g.Name, Members: g.Members, Rules: r}); err != nil {
			t.Fatal(err)
		}
		q := w.people[1]
		_, err = w.punch(t, q, sh(7, 9, 0), attendance.PunchInput{BSSID: "11:22:33:44:55:66"})
		wantCode(t, err, "out_of_area")
		c, err = w.punch(t, q, sh(7, 9, 0), attendance.PunchInput{BSSID: "aa:bb:cc:dd:ee:ff"})
		if err != nil || !c.Punch.InArea || c.Punch.Method != "network" || c.Punch.DistanceM != -1 {
			t.Fatalf("wi-fi: %+v %v", c, err)
		}
		// Bad input.
		_, err = w.punch(t, q, sh(7, 9, 0), attendance.PunchInput{Lat: "91", Lng: "0"})
		wantCode(t, err, "invalid_field")
		_, err = w.svc.Punch(w.as(q), attendance.PunchInput{})
		wantCode(t, err, "invalid_field")
	})
}

// TestConsentAndNotice: nothing is collected before the notice is
// acknowledged and, where the legal basis is consent, the location
// consent granted; a contract basis needs only the notice.
func TestConsentAndNotice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(d, 1)
		p := w.people[0]
		g := w.group(t, fixed())
		_, err := w.punch(t, p, sh(7, 9, 0), attendance.PunchInput{})
		wantCode(t, err, "notice_required")
		w.ack(t, p)
		w.svc.Consents = consents{}
		_, err = w.punch(t, p, sh(7, 9, 0), attendance.PunchInput{})
		wantCode(t, err, "consent_required")
		r := fixed()
		r.LegalBasis = attendance.BasisContract
		if _, err := w.svc.UpdateGroup(w.as(w.admin), g.ID, attendance.GroupInput{Name: g.Name, Members: g.Members, Rules: r}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.punch(t, p, sh(7, 9, 0), attendance.PunchInput{}); err != nil {
			t.Fatal(err)
		}
		// Someone in no group.
		_, err = w.svc.Punch(w.as(w.admin), attendance.PunchInput{ClientID: "x"})
		wantCode(t, err, "no_attendance_group")
		// Members do not manage groups.
		_, err = w.svc.CreateGroup(w.as(p), attendance.GroupInput{Name: "x"})
		wantCode(t, err, "forbidden")
	})
}

// TestFlexibleHours: core time and a total.
func TestFlexibleHours(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(d, 3)
		w.group(t, attendance.Rules{Kind: attendance.KindFlexible, Timezone: "Asia/Shanghai", CoreStart: "10:00", CoreEnd: "16:00", TotalMinutes: 480})
		w.ack(t, w.people...)
		a, b, c := w.people[0], w.people[1], w.people[2]
		w.mustPunch(t, a, sh(7, 8, 30), "")
		w.mustPunch(t, a, sh(7, 16, 30), "")
		w.mustPunch(t, b, sh(7, 10, 30), "")
		w.mustPunch(t, b, sh(7, 18, 30), "")
		w.mustPunch(t, c, sh(7, 9, 0), "")
		w.mustPunch(t, c, sh(7, 16, 0), "")
		now := sh(8, 9, 0)
		if got := w.day(t, a, now, "2026-12-07"); got.Status != attendance.StatusNormal {
			t.Fatalf("eight hours within the core: %+v", got)
		}
		if got := w.day(t, b, now, "2026-12-07"); !got.Late || got.LateMinutes != 30 || got.EarlyLeave {
			t.Fatalf("after the core start: %+v", got)
		}
		if got := w.day(t, c, now, "2026-12-07"); got.Late || !got.EarlyLeave || got.EarlyMinutes != 60 {
			t.Fatalf("seven hours: %+v", got)
		}
	})
}

// TestNightShiftAndRoster: a shift crossing midnight counts for the day it
// started; days without a roster entry are rest.
func TestNightShiftAndRoster(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(d, 1)
		p := w.people[0]
		g := w.group(t, attendance.Rules{Kind: attendance.KindShifts, Timezone: "Asia/Shanghai",
			Shifts: []attendance.Shift{{ID: "day", Name: "Day", Start: "08:00", End: "16:00"}, {ID: "night", Name: "Night", Start: "22:00", End: "06:00"}}})
		w.ack(t, p)
		if err := w.svc.SetRoster(w.as(w.admin), g.ID, attendance.RosterInput{Entries: []attendance.RosterEntry{
			{MemberID: p.MemberID, Day: "2026-12-07", ShiftID: "night"}, {MemberID: p.MemberID, Day: "2026-12-08", ShiftID: "day"}}}); err != nil {
			t.Fatal(err)
		}
		err := w.svc.SetRoster(w.as(w.admin), g.ID, attendance.RosterInput{Entries: []attendance.RosterEntry{{MemberID: p.MemberID, Day: "2026-12-09", ShiftID: "nope"}}})
		wantCode(t, err, "invalid_field")
		in := w.mustPunch(t, p, sh(7, 21, 55), "")
		out := w.mustPunch(t, p, sh(8, 6, 5), "")
		if in.Punch.Day != "2026-12-07" || out.Punch.Day != "2026-12-07" || out.Punch.Kind != attendance.PunchOut {
			t.Fatalf("night punches: %+v %+v", in.Punch, out.Punch)
		}
		if got := w.day(t, p, sh(8, 7, 0), "2026-12-07"); got.Status != attendance.StatusNormal || got.ShiftID != "night" {
			t.Fatalf("night shift: %+v", got)
		}
		// The day shift the next morning is its own day.
		c := w.mustPunch(t, p, sh(8, 8, 10), "")
		if c.Punch.Day != "2026-12-08" || !c.Day.Late {
			t.Fatalf("day shift: %+v", c)
		}
		if got := w.day(t, p, sh(10, 7, 0), "2026-12-09"); got.Status != attendance.StatusRest {
			t.Fatalf("no roster entry: %+v", got)
		}
		r, err := w.svc.GetRoster(w.as(w.admin), g.ID, "2026-12")
		if err != nil || len(r.Entries) != 2 {
			t.Fatalf("roster: %+v %v", r, err)
		}
	})
}

// TestHolidaysAndTimeZones: a holiday is rest, a make-up Saturday is a
// workday, and days are the group's local days.
func TestHolidaysAndTimeZones(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(d, 1)
		p := w.people[0]
		r := fixed()
		r.Timezone = "America/New_York"
		r.Places = nil
		w.group(t, r)
		w.ack(t, p)
		if _, err := w.svc.SetHolidays(w.as(w.admin), 2026, attendance.HolidayInput{Days: []attendance.Holiday{
			{Day: "2026-12-25", Kind: "holiday", Name: "Christmas"}, {Day: "2026-12-26", Kind: "workday", Name: "Make-up"}}}); err != nil {
			t.Fatal(err)
		}
		_, err := w.svc.SetHolidays(w.as(w.admin), 2026, attendance.HolidayInput{Days: []attendance.Holiday{{Day: "2027-01-01", Kind: "holiday"}}})
		wantCode(t, err, "invalid_field")
		ny := mustZone("America/New_York")
		after := time.Date(2026, 12, 28, 12, 0, 0, 0, ny)
		if got := w.day(t, p, after, "2026-12-25"); got.Status != attendance.StatusRest {
			t.Fatalf("holiday: %+v", got)
		}
		if got := w.day(t, p, after, "2026-12-26"); got.Status != attendance.StatusAbsent {
			t.Fatalf("make-up workday: %+v", got)
		}
		// 08:58 in New York is 21:58 in Shanghai: the day is New York's.
		c := w.mustPunch(t, p, time.Date(2026, 12, 7, 8, 58, 0, 0, ny), "")
		if c.Punch.Day != "2026-12-07" || c.Day.Late {
			t.Fatalf("new york check-in: %+v", c)
		}
		c = w.mustPunch(t, p, time.Date(2026, 12, 7, 18, 30, 0, 0, ny), "")
		if c.Punch.Day != "2026-12-07" || c.Day.Status != attendance.StatusNormal {
			t.Fatalf("new york check-out (the next day in UTC): %+v", c)
		}
		hs, err := w.svc.Holidays(w.as(p), 2026)
		if err != nil || len(hs.Days) != 2 {
			t.Fatalf("holidays: %+v %v", hs, err)
		}
	})
}
