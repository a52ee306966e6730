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
// updated and deleted, a write to a calendar only viewed refused, and sync
// tokens reporting the creation and the deletion. Without python3-caldav
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
		ps := acme(t, env, "Ann")
		o, ann := ps[0], ps[1]
		o.Do(t, "POST", "/api/v1/calendars", map[string]any{"kind": "team", "name": "Team",
			"access": []map[string]any{{"kind": "member", "id": ann.MemberID, "level": "view"}}}, nil).Want(t, http.StatusCreated)
		secret := appPassword(t, ann)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, python3Caldav, "testdata/caldav_interop.py", env.URL, "ann@acme.test", secret)
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
	})
}
