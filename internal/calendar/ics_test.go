package calendar_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/calendar"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// postICS sends an .ics body to a calendar's import route.
func postICS(t *testing.T, p person, calID string, body []byte) (*servertest.Response, calendar.ImportResult) {
	t.Helper()
	req, err := http.NewRequest("POST", p.Env.URL+"/api/v1/calendars/"+calID+"/import", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/calendar")
	r := p.Request(t, req)
	var res calendar.ImportResult
	if r.Status == http.StatusOK {
		if err := json.Unmarshal(r.Body, &res); err != nil {
			t.Fatal(err)
		}
	}
	return r, res
}

func getICS(t *testing.T, p person, calID string) []byte {
	t.Helper()
	r := p.Do(t, "GET", "/api/v1/calendars/"+calID+"/export.ics", nil, nil).Want(t, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Fatalf("content type %q", ct)
	}
	return r.Body
}

// occurrences returns one calendar's occurrences as comparable lines.
func occurrences(t *testing.T, p person, calID, from, to string) []string {
	t.Helper()
	var l calendar.OccurrenceList
	p.Do(t, "GET", "/api/v1/events?calendar_id="+calID+"&from="+from+"&to="+to, nil, &l).Want(t, http.StatusOK)
	var out []string
	for _, o := range l.Items {
		out = append(out, o.Title+" "+o.Start+" "+o.End+" "+o.TimeZone+" "+time.UnixMilli(o.StartAt).UTC().Format(time.RFC3339))
	}
	return out
}

// TestICSImportExportGolden: a file with a weekly series across the change
// to summer time (an EXDATE, an occurrence moved by RECURRENCE-ID, one
// cancelled), an all-day event, a private one with a DURATION and an
// orphan occurrence is imported (the orphan skipped with its reason, Bob
// matched as a member by email, Erin external); the export matches the
// golden file; importing the export into another calendar gives the same
// occurrences; importing the file again updates by UID.
func TestICSImportExportGolden(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		c := &clock{t: time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC)}
		env.App.Calendar().Now = c.now
		ps := acme(t, env, "Bob")
		o, bob := ps[0], ps[1]
		o.Do(t, "PATCH", "/api/v1/calendars/personal", map[string]any{"name": "Olivia", "time_zone": "Europe/Berlin"}, nil).Want(t, http.StatusOK)
		src, err := os.ReadFile("testdata/import.ics")
		if err != nil {
			t.Fatal(err)
		}
		r, res := postICS(t, o, "personal", src)
		r.Want(t, http.StatusOK)
		if res.Imported != 3 || res.Updated != 0 || res.Skipped != 1 || len(res.Errors) != 1 || res.Errors[0].UID != "orphan@example.com" {
			t.Fatalf("import: %+v", res)
		}
		const from, to = "2027-03-01T00:00:00Z", "2027-05-01T00:00:00Z"
		want := occurrences(t, o, "personal", from, to)
		wantLines := []string{
			"Standup 2027-03-08T09:00:00 2027-03-08T09:30:00 Europe/Berlin 2027-03-08T08:00:00Z",
			"Salary review 2027-03-10T14:00:00 2027-03-10T15:00:00 UTC 2027-03-10T14:00:00Z",
			"Standup (moved) 2027-03-15T11:00:00 2027-03-15T11:30:00 Europe/Berlin 2027-03-15T10:00:00Z",
			"Offsite 2027-03-25 2027-03-27 Europe/Berlin 2027-03-24T23:00:00Z",
			"Standup 2027-03-29T09:00:00 2027-03-29T09:30:00 Europe/Berlin 2027-03-29T07:00:00Z",
			"Standup 2027-04-12T09:00:00 2027-04-12T09:30:00 Europe/Berlin 2027-04-12T07:00:00Z",
			"Standup 2027-04-19T09:00:00 2027-04-19T09:30:00 Europe/Berlin 2027-04-19T07:00:00Z",
			"Standup 2027-04-26T09:00:00 2027-04-26T09:30:00 Europe/Berlin 2027-04-26T07:00:00Z",
		}
		if strings.Join(want, "\n") != strings.Join(wantLines, "\n") {
			t.Fatalf("occurrences after import:\n%s\nwant:\n%s", strings.Join(want, "\n"), strings.Join(wantLines, "\n"))
		}
		// Bob was matched by email: he attends, with the file's answer.
		var bl calendar.OccurrenceList
		bob.Do(t, "GET", "/api/v1/events?from=2027-03-08&to=2027-03-09", nil, &bl).Want(t, http.StatusOK)
		if len(bl.Items) != 1 || bl.Items[0].Title != "Standup" || bl.Items[0].MyRSVP != calendar.RSVPTentative {
			t.Fatalf("bob sees: %+v", bl.Items)
		}

		out := getICS(t, o, "personal")
		{
			golden := "testdata/export.golden.ics"
			if *update && env.Kind == "sqlite" {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			g, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run: go test ./internal/calendar -run TestICSImportExportGolden -update)", err)
			}
			if !bytes.Equal(g, out) {
				t.Fatalf("export differs from %s (run with -update after checking):\n%s", golden, out)
			}
		}

		// Bob imports Olivia's export into his own calendar.
		bob.Do(t, "PATCH", "/api/v1/calendars/personal", map[string]any{"time_zone": "Europe/Berlin"}, nil).Want(t, http.StatusOK)
		r, res = postICS(t, bob, "personal", out)
		r.Want(t, http.StatusOK)
		if res.Imported != 3 || res.Skipped != 0 {
			t.Fatalf("re-import: %+v", res)
		}
		if got := occurrences(t, bob, "personal", from, to); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("occurrences after a round trip:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}

		// The same file again: every event updated by UID, none duplicated.
		r, res = postICS(t, o, "personal", src)
		r.Want(t, http.StatusOK)
		if res.Imported != 0 || res.Updated != 3 {
			t.Fatalf("second import: %+v", res)
		}
		if got := occurrences(t, o, "personal", from, to); len(got) != len(want) {
			t.Fatalf("after updating: %d occurrences", len(got))
		}

		// Bad input: clear errors, never a 500.
		r, _ = postICS(t, o, "personal", []byte("not a calendar"))
		r.WantError(t, http.StatusBadRequest, "invalid_ics")
		r, _ = postICS(t, o, "personal", bytes.Repeat([]byte("X"), calendar.MaxImportBytes+1))
		r.WantError(t, http.StatusBadRequest, "body_too_large")
		// Bob cannot import into Olivia's calendar, nor export it.
		var cal calendar.Calendar
		o.Do(t, "GET", "/api/v1/calendars/personal", nil, &cal).Want(t, http.StatusOK)
		r, _ = postICS(t, bob, cal.ID, src)
		r.WantError(t, http.StatusNotFound, "not_found")
		bob.Do(t, "GET", "/api/v1/calendars/"+cal.ID+"/export.ics", nil, nil).WantError(t, http.StatusNotFound, "not_found")
	})
}

// TestRuleCostBounded: a rule repeating every second is refused, and an
// hourly rule running for decades is accepted without walking all of it
// (it counts as never ending).
func TestRuleCostBounded(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := acme(t, env)[0]
		o.Do(t, "POST", "/api/v1/events", map[string]any{"title": "x", "start": "2027-03-08T09:00", "end": "2027-03-08T09:30",
			"rrule": "FREQ=SECONDLY;UNTIL=20990101T000000Z"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		o.Do(t, "POST", "/api/v1/events", map[string]any{"title": "x", "start": "2027-03-08T09:00", "end": "2027-03-08T09:30",
			"rrule": "FREQ=HOURLY;UNTIL=20990101T000000Z"}, nil).Want(t, http.StatusCreated)
		if n := len(occurrences(t, o, "personal", "2027-03-08T00:00:00Z", "2027-03-09T00:00:00Z")); n != 15 {
			t.Fatalf("%d occurrences on the first day, want 15", n)
		}
	})
}
