package calendar

import (
	"fmt"
	"testing"
	"time"
)

// TestStartsFarFromTheFirstOccurrence: a series that began years before
// the window asked for (an hourly one, or a daily one with many times a
// day) shows the same occurrences in that window as a walk of the whole
// rule from its first occurrence — across changes to and from summer time,
// with intervals, BYDAY, BYHOUR and UNTIL. The walk used to stop after a
// fixed number of steps from the first occurrence, and such series showed
// nothing (and their rooms looked free).
func TestStartsFarFromTheFirstOccurrence(t *testing.T) {
	rules := []string{
		"FREQ=HOURLY",
		"FREQ=HOURLY;INTERVAL=5",
		"FREQ=HOURLY;INTERVAL=7;BYDAY=MO,WE",
		"FREQ=HOURLY;BYHOUR=1,2,3,4",
		"FREQ=DAILY;BYHOUR=9,13,17;BYMINUTE=0,30",
		"FREQ=DAILY;INTERVAL=3",
		"FREQ=DAILY;BYHOUR=2;BYMINUTE=30",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;BYHOUR=8,20",
		"FREQ=WEEKLY;BYDAY=SU;BYHOUR=2,3",
		"FREQ=HOURLY;INTERVAL=3;UNTIL=20270101T000000Z",
	}
	starts := []string{"2021-03-28T02:30", "2021-10-31T02:30", "2021-01-04T09:15", "2021-06-01T00:00"}
	windows := []string{"2021-03-20", "2026-03-27", "2026-10-23", "2026-12-07", "2027-03-26", "2030-01-01"}
	for _, zone := range []string{"Europe/Berlin", "America/New_York", "Asia/Shanghai"} {
		for _, rule := range rules {
			for _, st := range starts {
				sr, err := parseSeries(zone, false, st, st[:11]+"23:59", rule, "", "")
				if err != nil {
					t.Fatal(err)
				}
				length := sr.end.Sub(sr.start)
				for _, w := range windows {
					from, _ := time.ParseInLocation(time.DateOnly, w, sr.loc)
					to := from.AddDate(0, 0, 4)
					var want []string
					if sr.start.Before(to) && sr.start.Add(length).After(from) {
						want = append(want, sr.start.Format(time.RFC3339))
					}
					// (A wall-clock time in the gap of the change to summer
					// time reads as the hour after, which the rule then
					// also has: one occurrence.)
					seen := map[string]bool{}
					for _, x := range sr.rule.Between(from.Add(-length), to, false) {
						if f := x.In(sr.loc).Format(time.RFC3339); !x.Equal(sr.start) && !seen[f] {
							seen[f] = true
							want = append(want, f)
						}
					}
					var got []string
					for _, x := range sr.starts(from, to, maxOccurrences) {
						got = append(got, x.Format(time.RFC3339))
					}
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("%s %s from %s, window %s: got %d occurrences, want %d\n got  %.300v\n want %.300v", zone, rule, st, w, len(got), len(want), got, want)
					}
				}
			}
		}
	}
}
