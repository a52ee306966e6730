package calendar_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/atrium-hq/atrium/internal/calendar"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// FuzzImportICS posts arbitrary iCalendar to the import of a real server
// as a member: it never answers 5xx (nor panics), a 200 carries counts that
// add up, and the calendar still exports afterwards.
func FuzzImportICS(f *testing.F) {
	golden, _ := os.ReadFile("testdata/import.ics")
	f.Add(golden)
	for _, s := range []string{
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:b\r\nDTSTART;TZID=Mars/Olympus:20270101T100000\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:c\r\nDTSTART;VALUE=DATE:20270101\r\nRRULE:FREQ=DAILY\r\nEXDATE;VALUE=DATE:20270102,20270103\r\nRDATE;VALUE=PERIOD:20270101T000000Z/PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:d\r\nDTSTART:20270101T100000Z\r\nDURATION:-P1D\r\nATTENDEE:mailto:\r\nBEGIN:VALARM\r\nTRIGGER:PT1H\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n",
		"",
	} {
		f.Add([]byte(s))
	}
	env := servertest.Start(f, db.SQLite)
	ps := acme(f, env)
	o := ps[0]
	f.Fuzz(func(t *testing.T, body []byte) {
		req, _ := http.NewRequest("POST", env.URL+"/api/v1/calendars/personal/import", bytes.NewReader(body))
		req.Header.Set("Content-Type", "text/calendar")
		r := o.Request(t, req)
		if r.Status >= 500 {
			t.Fatalf("import answered %d: %s", r.Status, r.Body)
		}
		if r.Status == http.StatusOK {
			var res calendar.ImportResult
			if err := json.Unmarshal(r.Body, &res); err != nil {
				t.Fatalf("result: %v: %s", err, r.Body)
			}
			if res.Imported < 0 || res.Updated < 0 || res.Skipped != len(res.Errors) {
				t.Fatalf("counts do not add up: %+v", res)
			}
		}
		if x := o.Do(t, "GET", "/api/v1/calendars/personal/export.ics", nil, nil); x.Status != http.StatusOK {
			t.Fatalf("export answered %d: %s", x.Status, x.Body)
		}
	})
}
