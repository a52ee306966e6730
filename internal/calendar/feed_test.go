package calendar_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/calendar"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// fetch GETs a URL without credentials.
func fetch(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, string(b)
}

// TestHTTPFeed: a person's feed of an organization calendar serves it
// without a session as that person sees it — a private event they do not
// attend as busy time only — and answers 404 once rotated or revoked, or
// when its creator loses the calendar.
func TestHTTPFeed(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann", "Bob")
		o, ann, bob := ps[0], ps[1], ps[2]
		var cal calendar.Calendar
		o.Do(t, "POST", "/api/v1/calendars", map[string]any{"kind": "team", "name": "Team",
			"access": []map[string]any{{"kind": "member", "id": ann.MemberID, "level": "view"}}}, &cal).Want(t, http.StatusCreated)
		o.Do(t, "POST", "/api/v1/events", map[string]any{"calendar_id": cal.ID, "title": "Planning", "location": "Room 1",
			"start": "2027-01-04T10:00", "end": "2027-01-04T11:00"}, nil).Want(t, http.StatusCreated)
		o.Do(t, "POST", "/api/v1/events", map[string]any{"calendar_id": cal.ID, "title": "Layoffs", "visibility": "private",
			"start": "2027-01-05T10:00", "end": "2027-01-05T11:00"}, nil).Want(t, http.StatusCreated)

		var got calendar.Calendar
		ann.Do(t, "GET", "/api/v1/calendars/"+cal.ID, nil, &got).Want(t, http.StatusOK)
		if got.HasFeed {
			t.Fatal("a feed before one was created")
		}
		var f calendar.Feed
		ann.Do(t, "POST", "/api/v1/calendars/"+cal.ID+"/feed", nil, &f).Want(t, http.StatusCreated)
		if !strings.HasPrefix(f.URL, env.URL+"/ics/") || !strings.HasSuffix(f.URL, ".ics") {
			t.Fatalf("feed url %q", f.URL)
		}
		ann.Do(t, "GET", "/api/v1/calendars/"+cal.ID, nil, &got).Want(t, http.StatusOK)
		if !got.HasFeed {
			t.Fatal("has_feed not shown")
		}
		st, body := fetch(t, f.URL)
		if st != http.StatusOK || !strings.Contains(body, "SUMMARY:Planning") || !strings.Contains(body, "LOCATION:Room 1") ||
			strings.Contains(body, "Layoffs") || !strings.Contains(body, "SUMMARY:Busy") {
			t.Fatalf("ann's feed (%d):\n%s", st, body)
		}
		// The owner's feed shows the private event.
		var of calendar.Feed
		o.Do(t, "POST", "/api/v1/calendars/"+cal.ID+"/feed", nil, &of).Want(t, http.StatusCreated)
		if _, body := fetch(t, of.URL); !strings.Contains(body, "SUMMARY:Layoffs") || !strings.Contains(body, "CLASS:PRIVATE") {
			t.Fatalf("owner's feed:\n%s", body)
		}
		// Bob may not see the calendar: no feed of it.
		bob.Do(t, "POST", "/api/v1/calendars/"+cal.ID+"/feed", nil, nil).WantError(t, http.StatusNotFound, "not_found")

		// Rotating: the old URL stops, the new one works.
		var f2 calendar.Feed
		ann.Do(t, "POST", "/api/v1/calendars/"+cal.ID+"/feed", nil, &f2).Want(t, http.StatusCreated)
		if st, _ := fetch(t, f.URL); st != http.StatusNotFound {
			t.Fatalf("rotated feed answered %d", st)
		}
		if st, _ := fetch(t, f2.URL); st != http.StatusOK {
			t.Fatalf("new feed answered %d", st)
		}
		// Ann loses the calendar: her feed stops with it.
		o.Do(t, "PATCH", "/api/v1/calendars/"+cal.ID, map[string]any{"name": "Team", "access": []map[string]any{}}, nil).Want(t, http.StatusOK)
		if st, _ := fetch(t, f2.URL); st != http.StatusNotFound {
			t.Fatalf("feed of a calendar no longer visible answered %d", st)
		}
		// Revoked: 404.
		o.Do(t, "DELETE", "/api/v1/calendars/"+cal.ID+"/feed", nil, nil).Want(t, http.StatusNoContent)
		if st, _ := fetch(t, of.URL); st != http.StatusNotFound {
			t.Fatalf("revoked feed answered %d", st)
		}
		o.Do(t, "GET", "/api/v1/calendars/"+cal.ID, nil, &got).Want(t, http.StatusOK)
		if got.HasFeed {
			t.Fatal("has_feed after revoking")
		}
		if st, _ := fetch(t, env.URL+"/ics/nothing.ics"); st != http.StatusNotFound {
			t.Fatalf("unknown feed answered %d", st)
		}
	})
}
