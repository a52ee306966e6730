package calendar_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/calendar"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// notified reports whether an account got a stream event of typ about an
// event.
func notified(t *testing.T, env *servertest.Env, typ, accountID, eventID string) bool {
	t.Helper()
	evs, err := events.ReadAfter(context.Background(), env.App.DB, 0, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		var d map[string]string
		_ = json.Unmarshal(e.Data, &d)
		if e.Type == typ && e.ScopeID == accountID && d["event_id"] == eventID {
			return true
		}
	}
	return false
}

const propfindPrincipal = `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>` +
	`<C:calendar-user-address-set/><C:schedule-inbox-URL/><C:schedule-outbox-URL/><C:calendar-user-type/>` +
	`<C:schedule-default-calendar-URL/><D:displayname/></D:prop></D:propfind>`

// checkScheduling drives RFC 6638 scheduling (part of TestCalDAV): the
// DAV header, the principal's addresses, inbox and outbox; Olivia's
// invitation written by her calendar app reaches Bob (over CalDAV, with
// his PARTSTAT, and in the app, with an invitation and a notification);
// Bob's app accepts by PARTSTAT (an RSVP: counted, Olivia notified), may
// not change the title (403, unchanged), and deleting the event declines
// it (gone from his calendar and his sync); free/busy of a member and a
// room through the outbox;
// and a member invited by work email.
func checkScheduling(t *testing.T, env *servertest.Env, o, ann, bob person, annDAV davClient) {
	// The DAV header announces automatic scheduling.
	st, h, _ := annDAV.do("OPTIONS", "/caldav/"+ann.AccountID+"/", "")
	if st >= 300 || !strings.Contains(h.Get("DAV"), "calendar-auto-schedule") || !strings.Contains(h.Get("DAV"), "calendar-access") {
		t.Fatalf("OPTIONS: %d, DAV %q", st, h.Get("DAV"))
	}
	// Ann's principal: her addresses in both organizations, inbox, outbox,
	// her type and default calendar.
	principal := "/caldav/" + ann.AccountID + "/"
	_, body := annDAV.want(http.StatusMultiStatus, "PROPFIND", principal, propfindPrincipal, "Depth", "0")
	for _, want := range []string{"mailto:ann@acme.test", "urn:atrium:member:" + ann.MemberID, principal + "inbox/", principal + "outbox/",
		"INDIVIDUAL", "schedule-default-calendar-URL><D:href>" + principal + "calendars/cal_", "<D:displayname>Ann</D:displayname>"} {
		if !strings.Contains(body, want) {
			t.Fatalf("principal lacks %q: %s", want, body)
		}
	}
	if strings.Contains(body, "404 Not Found") {
		t.Fatalf("principal property missing: %s", body)
	}
	for _, box := range []string{"inbox", "outbox"} {
		_, body = annDAV.want(http.StatusMultiStatus, "PROPFIND", principal+box+"/", `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>`, "Depth", "1")
		if !strings.Contains(body, "<C:schedule-"+box+">") || !strings.Contains(body, "<D:collection>") {
			t.Fatalf("%s: %s", box, body)
		}
	}

	var oc, bc calendar.Calendar
	o.Do(t, "GET", "/api/v1/calendars/personal", nil, &oc).Want(t, http.StatusOK)
	bob.Do(t, "GET", "/api/v1/calendars/personal", nil, &bc).Want(t, http.StatusOK)
	od := davClient{t: t, base: env.URL, login: "owner@acme.test", pwd: appPassword(t, o)}
	bd := davClient{t: t, base: env.URL, login: "bob@acme.test", pwd: appPassword(t, bob)}
	oCal := "/caldav/" + o.AccountID + "/calendars/" + oc.ID + "/"
	bCal := "/caldav/" + bob.AccountID + "/calendars/" + bc.ID + "/"
	_, body = bd.want(http.StatusMultiStatus, "PROPFIND", bCal, `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:schedule-calendar-transp/><D:sync-token/></D:prop></D:propfind>`, "Depth", "0")
	if !strings.Contains(body, "<C:opaque>") {
		t.Fatalf("schedule-calendar-transp: %s", body)
	}
	tok0 := regexp.MustCompile(`(urn:atrium:sync:[^<]+)<`).FindStringSubmatch(body)
	if tok0 == nil {
		t.Fatalf("no sync token: %s", body)
	}

	// Olivia's app writes an invitation: Bob (a member, his answer in
	// Olivia's data ignored), Erin (external) and a room.
	var studio calendar.Room
	o.Do(t, "POST", "/api/v1/rooms", map[string]any{"name": "Studio", "capacity": 4}, &studio).Want(t, http.StatusCreated)
	invite := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:review@example.com\r\nDTSTAMP:20270101T000000Z\r\n" +
		"DTSTART;TZID=Europe/Berlin:20270310T140000\r\nDURATION:PT1H\r\nSUMMARY:Design review\r\nORGANIZER:mailto:owner@acme.test\r\n" +
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:owner@acme.test\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@acme.test\r\n" +
		"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:erin@example.com\r\nATTENDEE;CUTYPE=ROOM:urn:atrium:room:" + studio.ID + "\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"
	od.want(http.StatusCreated, "PUT", oCal+"review@example.com.ics", invite)
	var l calendar.OccurrenceList
	bob.Do(t, "GET", "/api/v1/events?from=2027-03-10&to=2027-03-11", nil, &l).Want(t, http.StatusOK)
	if len(l.Items) != 1 || l.Items[0].Title != "Design review" || l.Items[0].MyRSVP != calendar.RSVPNeedsAction {
		t.Fatalf("Bob's day: %+v", l.Items)
	}
	evID := l.Items[0].EventID
	if !notified(t, env, "calendar.invited", bob.AccountID, evID) {
		t.Fatal("Bob was not notified of the invitation")
	}
	var ev calendar.Event
	bob.Do(t, "GET", "/api/v1/events/"+evID, nil, &ev).Want(t, http.StatusOK)
	ext := false
	for _, x := range ev.Attendees {
		ext = ext || (x.Kind == calendar.AttendeeExternal && x.Email == "erin@example.com")
	}
	if !ext || ev.Counts.Accepted != 1 || ev.Counts.NeedsAction != 2 {
		t.Fatalf("attendees: %+v counts %+v", ev.Attendees, ev.Counts)
	}

	// In Bob's calendar app: reported by the sync, with his PARTSTAT.
	obj := bCal + "review@example.com.ics"
	_, body = bd.want(http.StatusMultiStatus, "REPORT", bCal, syncReport(tok0[1]))
	if !strings.Contains(body, "review@example.com.ics") {
		t.Fatalf("Bob's sync after the invitation: %s", body)
	}
	_, body = bd.want(http.StatusMultiStatus, "PROPFIND", bCal, propfindCal, "Depth", "1")
	if !strings.Contains(body, "review@example.com.ics") {
		t.Fatalf("Bob's listing: %s", body)
	}
	h, data := bd.want(http.StatusOK, "GET", obj, "")
	mine := regexp.MustCompile(`ATTENDEE;[^\r\n]*PARTSTAT=NEEDS-ACTION[^\r\n]*:mailto:bob@acme.test`)
	if !mine.MatchString(data) || !strings.Contains(data, "SUMMARY:Design review") {
		t.Fatalf("Bob's copy: %s", data)
	}
	_, body = bd.want(http.StatusMultiStatus, "PROPFIND", bCal, `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>`, "Depth", "0")
	tok1 := regexp.MustCompile(`(urn:atrium:sync:[^<]+)<`).FindStringSubmatch(body)[1]

	// Bob accepts by writing it back with his PARTSTAT: an RSVP.
	accepted := mine.ReplaceAllStringFunc(data, func(s string) string { return strings.Replace(s, "NEEDS-ACTION", "ACCEPTED", 1) })
	if st, _, b := bd.do("PUT", obj, accepted, "If-Match", h.Get("ETag")); st != http.StatusCreated && st != http.StatusNoContent {
		t.Fatalf("Bob's answer: %d %s", st, b)
	}
	bob.Do(t, "GET", "/api/v1/events/"+evID, nil, &ev).Want(t, http.StatusOK)
	if ev.MyRSVP != calendar.RSVPAccepted || ev.Counts.Accepted != 2 {
		t.Fatalf("after Bob's answer: %s %+v", ev.MyRSVP, ev.Counts)
	}
	if !notified(t, env, "calendar.rsvp", o.AccountID, evID) {
		t.Fatal("Olivia was not told of Bob's answer")
	}
	// An attendee may not change the title: 403, nothing changed.
	if st, _, _ := bd.do("PUT", obj, strings.Replace(accepted, "SUMMARY:Design review", "SUMMARY:Bob's review", 1)); st != http.StatusForbidden {
		t.Fatalf("attendee title change: %d", st)
	}
	o.Do(t, "GET", "/api/v1/events/"+evID, nil, &ev).Want(t, http.StatusOK)
	if ev.Title != "Design review" || ev.Counts.Accepted != 2 {
		t.Fatalf("after the refused change: %q %+v", ev.Title, ev.Counts)
	}
	// Olivia's own copy is unchanged by Bob's: she still sees Bob accepted.
	_, data = od.want(http.StatusOK, "GET", oCal+"review@example.com.ics", "")
	if !regexp.MustCompile(`PARTSTAT=ACCEPTED[^\r\n]*:mailto:bob@acme.test`).MatchString(data) {
		t.Fatalf("Olivia's copy: %s", data)
	}

	// Bob deletes it in his app: declined, gone from his calendar and his
	// sync; the event stays Olivia's.
	bd.want(http.StatusNoContent, "DELETE", obj, "")
	bob.Do(t, "GET", "/api/v1/events/"+evID, nil, &ev).Want(t, http.StatusOK)
	if ev.MyRSVP != calendar.RSVPDeclined || ev.Counts.Declined != 1 {
		t.Fatalf("after Bob's delete: %s %+v", ev.MyRSVP, ev.Counts)
	}
	bd.want(http.StatusNotFound, "GET", obj, "")
	_, body = bd.want(http.StatusMultiStatus, "REPORT", bCal, syncReport(tok1))
	if !regexp.MustCompile(`review@example.com.ics</D:href><D:status>HTTP/1.1 404`).MatchString(body) {
		t.Fatalf("Bob's sync after declining: %s", body)
	}
	od.want(http.StatusOK, "GET", oCal+"review@example.com.ics", "")

	// Free/busy through the outbox: Olivia's busy hour, an unknown address.
	fb := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\nUID:fb-1\r\nDTSTAMP:20270101T000000Z\r\n" +
		"DTSTART:20270310T000000Z\r\nDTEND:20270311T000000Z\r\nORGANIZER:mailto:bob@acme.test\r\nATTENDEE:mailto:owner@acme.test\r\n" +
		"ATTENDEE:mailto:nobody@example.com\r\nATTENDEE:urn:atrium:room:" + studio.ID + "\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n"
	_, body = bd.want(http.StatusOK, "POST", "/caldav/"+bob.AccountID+"/outbox/", fb)
	if strings.Count(body, "2.0;Success") != 2 || strings.Count(body, "FREEBUSY;FBTYPE=BUSY:20270310T130000Z/20270310T140000Z") != 2 ||
		!strings.Contains(body, "3.7;") || strings.Contains(body, "Design review") {
		t.Fatalf("free/busy: %s", body)
	}
	// Someone else's address as organizer: refused.
	bd.want(http.StatusForbidden, "POST", "/caldav/"+bob.AccountID+"/outbox/", strings.Replace(fb, "ORGANIZER:mailto:bob@", "ORGANIZER:mailto:ann@", 1))

	// Bob's work email: invitations to it reach him.
	o.Do(t, "PATCH", "/api/v1/members/"+bob.MemberID, map[string]any{"email": "robert@work.test"}, nil).Want(t, http.StatusOK)
	_, body = bd.want(http.StatusMultiStatus, "PROPFIND", "/caldav/"+bob.AccountID+"/", propfindPrincipal, "Depth", "0")
	if !strings.Contains(body, "mailto:robert@work.test") {
		t.Fatalf("Bob's addresses: %s", body)
	}
	od.want(http.StatusCreated, "PUT", oCal+"retro@example.com.ics", strings.NewReplacer("review@example.com", "retro@example.com",
		"Design review", "Retro", "mailto:bob@acme.test", "mailto:Robert@Work.test", "DURATION:PT1H", "DURATION:PT1H\r\nRRULE:FREQ=WEEKLY;UNTIL=20270501T000000Z",
		"ATTENDEE;CUTYPE=ROOM:urn:atrium:room:"+studio.ID+"\r\n", "").Replace(invite))
	bob.Do(t, "GET", "/api/v1/events?from=2027-03-10&to=2027-03-11", nil, &l).Want(t, http.StatusOK)
	found := false
	for _, x := range l.Items {
		found = found || (x.Title == "Retro" && x.MyRSVP == calendar.RSVPNeedsAction)
	}
	if !found {
		t.Fatalf("invitation by work email: %+v", l.Items)
	}
	_, data = bd.want(http.StatusOK, "GET", bCal+"retro@example.com.ics", "")
	robert := regexp.MustCompile(`ATTENDEE;[^\r\n]*PARTSTAT=NEEDS-ACTION[^\r\n]*:mailto:robert@work.test`)
	if !robert.MatchString(data) || !strings.Contains(data, "RRULE:") {
		t.Fatalf("Bob's copy by work email: %s", data)
	}
	// A repeating invitation accepted as written back (the rule unchanged).
	if st, _, b := bd.do("PUT", bCal+"retro@example.com.ics", robert.ReplaceAllStringFunc(data, func(s string) string {
		return strings.Replace(s, "NEEDS-ACTION", "TENTATIVE", 1)
	})); st != http.StatusCreated && st != http.StatusNoContent {
		t.Fatalf("Bob's answer to the series: %d %s", st, b)
	}
	bob.Do(t, "GET", "/api/v1/events?from=2027-03-17&to=2027-03-18", nil, &l).Want(t, http.StatusOK)
	if len(l.Items) != 1 || l.Items[0].MyRSVP != calendar.RSVPTentative {
		t.Fatalf("Bob's answer to the series: %+v", l.Items)
	}
}
