package calendar_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/calendar"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// BenchmarkCalDAVQuery1000 answers a CalDAV calendar-query REPORT for one
// month on a calendar of 1,000 events (one in ten weekly for a year, the
// others single, spread over the year) through the CalDAV handler, with
// calendar data. Figures in docs/benchmarks.md ("Calendar").
//
//	go test ./internal/calendar -run '^$' -bench CalDAVQuery1000 -benchtime 20x
func BenchmarkCalDAVQuery1000(b *testing.B) {
	for _, k := range dbtest.Kinds {
		b.Run(string(k), func(b *testing.B) {
			d := dbtest.Open(b, k)
			orgID := ids.New("org")
			p := calendar.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
			svc := calendar.New(d, &org{people: []calendar.Person{p}}, nil)
			a := &actor.Actor{AccountID: p.AccountID, OrgID: orgID, MemberID: p.MemberID, Via: actor.ViaAppPassword}
			ctx := actor.With(context.Background(), a)
			var calID string
			for i := 0; i < 1000; i++ {
				day := 1 + i*365/1000
				in := calendar.EventInput{Title: fmt.Sprintf("Event %d", i), Description: "Agenda and notes", Location: "Room 1",
					Start: fmt.Sprintf("2027-01-01T%02d:00", 8+i%9), End: fmt.Sprintf("2027-01-01T%02d:45", 8+i%9), TimeZone: "Europe/Berlin"}
				in.Start = shiftDays(in.Start, day-1)
				in.End = shiftDays(in.End, day-1)
				if i%10 == 0 {
					in.RRule = "FREQ=WEEKLY;COUNT=52"
				}
				ev, err := svc.CreateEvent(ctx, in)
				if err != nil {
					b.Fatal(err)
				}
				calID = ev.CalendarID
			}
			body := `<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>` +
				`<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20270601T000000Z" end="20270701T000000Z"/>` +
				`</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`
			h := svc.DAV()
			path := "/caldav/" + p.AccountID + "/calendars/" + calID + "/"
			n := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest("REPORT", path, strings.NewReader(body)).WithContext(ctx)
				req.Header.Set("Content-Type", "application/xml")
				req.Header.Set("Depth", "1")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusMultiStatus {
					b.Fatalf("%d: %s", rec.Code, rec.Body)
				}
				n = strings.Count(rec.Body.String(), "<D:response>") + strings.Count(rec.Body.String(), "<response ")
			}
			b.ReportMetric(float64(n), "objects")
		})
	}
}

// shiftDays moves a local date-time by n days.
func shiftDays(local string, n int) string {
	t, err := timeParse(local)
	if err != nil {
		panic(err)
	}
	return t.AddDate(0, 0, n).Format("2006-01-02T15:04")
}

func timeParse(s string) (time.Time, error) { return time.Parse("2006-01-02T15:04", s) }
