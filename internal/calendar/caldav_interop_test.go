package calendar_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/calendar"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// python3Caldav is the interpreter with Debian's python3-caldav.
const python3Caldav = "/usr/bin/python3"

// TestCalDAVInterop drives the real server on both databases with
// python3-caldav (testdata/caldav_interop.py): discovery through
// /.well-known/caldav, the principal and its calendars, an event created,
// updated and deleted, a write to a calendar only viewed refused, sync
// tokens reporting the creation and the deletion; and scheduling: Ann's
// address set, her invitation to Bob (save_with_invites) found in Bob's
// calendar, accepted by Bob (change_attendee_status) and counted in the
// app, his title change refused, free/busy through the outbox. Without python3-caldav
// the test fails in CI (scripts/test.sh installs it) and is skipped
// elsewhere.
func TestCalDAVInterop(t *testing.T) {
	if err := exec.Command(python3Caldav, "-c", "import caldav").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3-caldav is needed for the CalDAV interop test (apt-get install python3-caldav): %v", err)
		}
		t.Skipf("python3-caldav is not installed (apt-get install python3-caldav): skipping the CalDAV interop test")
	}
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann", "Bob")
		o, ann, bob := ps[0], ps[1], ps[2]
		o.Do(t, "POST", "/api/v1/calendars", map[string]any{"kind": "team", "name": "Team",
			"access": []map[string]any{{"kind": "member", "id": ann.MemberID, "level": "view"}}}, nil).Want(t, http.StatusCreated)
		secret := appPassword(t, ann)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, python3Caldav, "testdata/caldav_interop.py", env.URL, "ann@acme.test", secret, "bob@acme.test", appPassword(t, bob))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("python3-caldav: %v\n%s", err, out)
		}
		t.Logf("%s", out)
		// What the client left: nothing of the interop event.
		var l calendar.OccurrenceList
		ann.Do(t, "GET", "/api/v1/events?calendar_id=personal&from=2027-03-01&to=2027-05-01", nil, &l).Want(t, http.StatusOK)
		if len(l.Items) != 0 {
			t.Fatalf("left behind: %+v", l.Items)
		}
		// The invitation and Bob's answer through the app: invited and
		// notified, his answer counted and Ann told of it.
		ann.Do(t, "GET", "/api/v1/events?from=2027-06-14&to=2027-06-15", nil, &l).Want(t, http.StatusOK)
		if len(l.Items) != 1 || l.Items[0].Title != "Interop meeting" {
			t.Fatalf("Ann's invitation: %+v", l.Items)
		}
		var ev calendar.Event
		bob.Do(t, "GET", "/api/v1/events/"+l.Items[0].EventID, nil, &ev).Want(t, http.StatusOK)
		if ev.MyRSVP != calendar.RSVPAccepted || ev.Counts.Accepted != 2 || ev.Counts.NeedsAction != 1 || ev.Title != "Interop meeting" {
			t.Fatalf("after Bob's answer: %s %+v %q", ev.MyRSVP, ev.Counts, ev.Title)
		}
		if !notified(t, env, "calendar.invited", bob.AccountID, ev.ID) || !notified(t, env, "calendar.rsvp", ann.AccountID, ev.ID) {
			t.Fatal("the invitation or the answer was not notified")
		}
	})
}
