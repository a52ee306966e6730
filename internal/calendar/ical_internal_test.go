package calendar

import (
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// TestICalAllDayUntil: an all-day series cut by "this and following"
// (UNTIL stored as the instant before the split) is written with UNTIL as
// the date of its last day, and reads back to the same occurrences.
func TestICalAllDayUntil(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	ev := eventRow{UID: "u", TimeZone: "Europe/Berlin", AllDay: true, StartLocal: "2027-03-01", EndLocal: "2027-03-02",
		RRule: "FREQ=DAILY;UNTIL=20270304T225959Z", RDates: "[]", ExDates: "[]", Reminders: "[]", Visibility: VisibilityDefault, Revision: 1}
	cs := encodeEvent(icalEvent{ev: ev})
	if got := cs[0].Props.Get(ical.PropRecurrenceRule).Value; got != "FREQ=DAILY;UNTIL=20270304" {
		t.Fatalf("RRULE %q", got)
	}
	cal := newVCalendar("")
	cal.Children = cs
	items, errs := decodeEvents(cal, loc)
	if len(errs) != 0 || len(items) != 1 {
		t.Fatalf("decoded %+v %+v", items, errs)
	}
	back := eventRow{TimeZone: items[0].In.TimeZone, AllDay: true, StartLocal: items[0].In.Start, EndLocal: items[0].In.End, RRule: items[0].In.RRule}
	sr, err := back.series()
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, s := range sr.starts(time.Date(2027, 2, 1, 0, 0, 0, 0, loc), time.Date(2027, 4, 1, 0, 0, 0, 0, loc), 100) {
		days = append(days, s.Format("01-02"))
	}
	if strings.Join(days, ",") != "03-01,03-02,03-03,03-04" {
		t.Fatalf("occurrences %v", days)
	}
}
