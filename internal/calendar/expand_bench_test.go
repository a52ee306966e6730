package calendar

import (
	"testing"
	"time"
)

// BenchmarkExpandYearSeries expands a year of a daily event in
// Europe/Berlin in memory: the recurrence alone, without the database.
func BenchmarkExpandYearSeries(b *testing.B) {
	ev := eventRow{TimeZone: "Europe/Berlin", StartLocal: "2027-01-01T09:00:00", EndLocal: "2027-01-01T09:15:00", RRule: "FREQ=DAILY", RDates: "[]", ExDates: "[]"}
	from, to := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		sr, err := ev.series()
		if err != nil {
			b.Fatal(err)
		}
		if n := len(expand(ev, sr, nil, from, to)); n != 365 {
			b.Fatalf("%d occurrences", n)
		}
	}
}
