package calendar_test

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/calendar"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// davClient speaks CalDAV to the real server with an app password.
type davClient struct {
	t          *testing.T
	base       string
	login, pwd string
}

func appPassword(t testing.TB, p person) string {
	t.Helper()
	var np identity.NewAppPassword
	p.Do(t, "POST", "/api/v1/me/app-passwords", map[string]any{"name": "Calendar", "password": pw}, &np).Want(t, http.StatusCreated)
	return np.Password
}

func (d davClient) do(method, path, body string, hdr ...string) (int, http.Header, string) {
	d.t.Helper()
	u := path
	if !strings.HasPrefix(u, "http") {
		u = d.base + path
	}
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	req.SetBasicAuth(d.login, d.pwd)
	if body != "" {
		if strings.HasPrefix(body, "BEGIN:") {
			req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
		} else {
			req.Header.Set("Content-Type", "application/xml; charset=utf-8")
		}
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func (d davClient) want(status int, method, path, body string, hdr ...string) (http.Header, string) {
	d.t.Helper()
	st, h, b := d.do(method, path, body, hdr...)
	if st != status {
		d.t.Fatalf("%s %s: %d, want %d: %s", method, path, st, status, b)
	}
	return h, b
}

const propfindCal = `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:resourcetype/><D:displayname/><CS:getctag/><D:sync-token/><D:current-user-privilege-set/></D:prop></D:propfind>`

func davEvent(uid, summary, start string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20270101T000000Z\r\n" +
		"DTSTART;TZID=Europe/Berlin:" + start + "\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:" + summary + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

func syncReport(token string) string {
	return `<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>` + token +
		`</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`
}

var syncTokenRe = regexp.MustCompile(`<D:sync-token>([^<]+)</D:sync-token>`)

// TestCalDAV drives /dav with raw requests on both databases: discovery,
// the calendar home across two organizations with ctag, sync token and
// privileges, PUT with If-None-Match and If-Match (412), GET, REPORT
// calendar-query over a range and multiget, sync-collection before and
// after a change and a deletion, DELETE with If-Match, writes refused on
// a calendar only viewed (403), other people's calendars 404, no access
// without an app password; and scheduling (RFC 6638, checkScheduling).
func TestCalDAV(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann", "Bob")
		o, ann, bob := ps[0], ps[1], ps[2]
		var team calendar.Calendar
		o.Do(t, "POST", "/api/v1/calendars", map[string]any{"kind": "team", "name": "Team",
			"access": []map[string]any{{"kind": "member", "id": ann.MemberID, "level": "view"}}}, &team).Want(t, http.StatusCreated)
		// Ann also belongs to a second organization (now her current one).
		var org2 struct {
			ID string `json:"id"`
		}
		ann.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Side"}, &org2).Want(t, http.StatusCreated)
		var side calendar.Calendar
		ann.Do(t, "GET", "/api/v1/calendars/personal", nil, &side).Want(t, http.StatusOK)

		d := davClient{t: t, base: env.URL, login: "ann@acme.test", pwd: appPassword(t, ann)}
		// No credentials, a session cookie or a wrong password: 401.
		if st, _, _ := (davClient{t: t, base: env.URL, login: "ann@acme.test", pwd: "wrong"}).do("PROPFIND", "/caldav/", ""); st != http.StatusUnauthorized {
			t.Fatalf("wrong app password: %d", st)
		}
		h, _ := d.want(http.StatusMovedPermanently, "PROPFIND", "/.well-known/caldav", "")
		if h.Get("Location") != "/caldav/" {
			t.Fatalf("well-known redirects to %q", h.Get("Location"))
		}
		_, body := d.want(http.StatusMultiStatus, "PROPFIND", "/caldav/", `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:current-user-principal/></D:prop></D:propfind>`, "Depth", "0")
		principal := "/caldav/" + ann.AccountID + "/"
		if !strings.Contains(body, principal) {
			t.Fatalf("principal: %s", body)
		}
		_, body = d.want(http.StatusMultiStatus, "PROPFIND", principal, `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-home-set/></D:prop></D:propfind>`, "Depth", "0")
		home := principal + "calendars/"
		if !strings.Contains(body, home) {
			t.Fatalf("home set: %s", body)
		}
		_, body = d.want(http.StatusMultiStatus, "PROPFIND", home, propfindCal, "Depth", "1")
		var annCal calendar.Calendar
		for _, id := range []string{team.ID, side.ID} {
			if !strings.Contains(body, home+id+"/") {
				t.Fatalf("calendar %s not listed: %s", id, body)
			}
		}
		if strings.Count(body, "<C:calendar") < 3 || !strings.Contains(body, "getctag") || !strings.Contains(body, "urn:atrium:sync:") ||
			!strings.Contains(body, "<D:write") {
			t.Fatalf("home listing: %s", body)
		}
		// Ann's personal calendar in Acme.
		m := regexp.MustCompile(regexp.QuoteMeta(home)+`(cal_[^/]+)/`).FindAllStringSubmatch(body, -1)
		for _, x := range m {
			if x[1] != team.ID && x[1] != side.ID {
				annCal.ID = x[1]
			}
		}
		if annCal.ID == "" {
			t.Fatalf("no personal calendar in Acme: %s", body)
		}
		calURL := home + annCal.ID + "/"
		_, body = d.want(http.StatusMultiStatus, "PROPFIND", calURL, propfindCal, "Depth", "0")
		tok0 := regexp.MustCompile(`(urn:atrium:sync:[^<]+)<`).FindStringSubmatch(body)
		if tok0 == nil {
			t.Fatalf("no sync token: %s", body)
		}

		// Create with If-None-Match: *; again: 412.
		obj := calURL + "weekly@example.com.ics"
		h, _ = d.want(http.StatusCreated, "PUT", obj, davEvent("weekly@example.com", "Weekly", "20270308T090000"), "If-None-Match", "*")
		et := h.Get("ETag")
		if et == "" {
			t.Fatal("no ETag")
		}
		d.want(http.StatusPreconditionFailed, "PUT", obj, davEvent("weekly@example.com", "Weekly", "20270308T090000"), "If-None-Match", "*")
		// Sync from the first token: the new event.
		_, body = d.want(http.StatusMultiStatus, "REPORT", calURL, syncReport(tok0[1]))
		if !strings.Contains(body, "weekly@example.com.ics") || !strings.Contains(body, et) {
			t.Fatalf("sync after create: %s", body)
		}
		tok1 := syncTokenRe.FindStringSubmatch(body)[1]
		// Update with the right ETag; a stale one: 412.
		h, _ = d.want(http.StatusCreated, "PUT", obj, davEvent("weekly@example.com", "Weekly sync", "20270308T100000"), "If-Match", et)
		et2 := h.Get("ETag")
		if et2 == et {
			t.Fatal("ETag unchanged by an update")
		}
		d.want(http.StatusPreconditionFailed, "PUT", obj, davEvent("weekly@example.com", "Lost update", "20270308T100000"), "If-Match", et)
		_, body = d.want(http.StatusOK, "GET", obj, "")
		if !strings.Contains(body, "SUMMARY:Weekly sync") || !strings.Contains(body, "DTSTART;TZID=Europe/Berlin:20270308T100000") {
			t.Fatalf("GET: %s", body)
		}
		// calendar-query over a range: the series has an occurrence in it;
		// a range with none finds nothing.
		q := func(start, end string) string {
			return `<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>` +
				`<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="` + start + `" end="` + end +
				`"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`
		}
		_, body = d.want(http.StatusMultiStatus, "REPORT", calURL, q("20270322T000000Z", "20270323T000000Z"), "Depth", "1")
		if !strings.Contains(body, "weekly@example.com.ics") || !strings.Contains(body, "Weekly sync") {
			t.Fatalf("calendar-query in range: %s", body)
		}
		_, body = d.want(http.StatusMultiStatus, "REPORT", calURL, q("20270501T000000Z", "20270601T000000Z"), "Depth", "1")
		if strings.Contains(body, "weekly@example.com") {
			t.Fatalf("calendar-query out of range: %s", body)
		}
		_, body = d.want(http.StatusMultiStatus, "REPORT", calURL, `<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">`+
			`<D:prop><D:getetag/><C:calendar-data/></D:prop><D:href>`+obj+`</D:href><D:href>`+calURL+`nothing.ics</D:href></C:calendar-multiget>`)
		if !strings.Contains(body, "Weekly sync") || !strings.Contains(body, "404") {
			t.Fatalf("multiget: %s", body)
		}

		// Delete with a stale ETag: 412; with the right one: gone, and the
		// sync from tok1 reports it 404.
		d.want(http.StatusPreconditionFailed, "DELETE", obj, "", "If-Match", et)
		d.want(http.StatusNoContent, "DELETE", obj, "", "If-Match", et2)
		d.want(http.StatusNotFound, "GET", obj, "")
		_, body = d.want(http.StatusMultiStatus, "REPORT", calURL, syncReport(tok1))
		if !regexp.MustCompile(`weekly@example.com.ics</D:href><D:status>HTTP/1.1 404`).MatchString(body) {
			t.Fatalf("sync after delete: %s", body)
		}
		d.want(http.StatusForbidden, "REPORT", calURL, syncReport("urn:atrium:sync:other:1"))

		// A room booked twice at the same time: 409 room_unavailable.
		var room calendar.Room
		o.Do(t, "POST", "/api/v1/rooms", map[string]any{"name": "Aquarium", "capacity": 6}, &room).Want(t, http.StatusCreated)
		booking := func(uid string) string {
			return strings.Replace(davEvent(uid, "Booked", "20270401T090000"), "SUMMARY:", "ATTENDEE;CUTYPE=ROOM:urn:atrium:room:"+room.ID+"\r\nSUMMARY:", 1)
		}
		d.want(http.StatusCreated, "PUT", calURL+"room-1.ics", booking("room-1"))
		if _, body := d.want(http.StatusConflict, "PUT", calURL+"room-2.ics", booking("room-2")); !strings.Contains(body, "room_unavailable") {
			t.Fatalf("double booking: %s", body)
		}
		// A private event of Olivia's in the team calendar: busy time only.
		o.Do(t, "POST", "/api/v1/events", map[string]any{"calendar_id": team.ID, "title": "Secret plans", "visibility": "private",
			"start": "2027-03-09T09:00", "end": "2027-03-09T10:00"}, nil).Want(t, http.StatusCreated)
		_, body = d.want(http.StatusMultiStatus, "REPORT", home+team.ID+"/", q("20270309T000000Z", "20270310T000000Z"), "Depth", "1")
		if strings.Contains(body, "Secret plans") || !strings.Contains(body, "SUMMARY:Busy") {
			t.Fatalf("private event in a viewed calendar: %s", body)
		}

		// Property changes are refused, each with 403 in a multistatus.
		_, body = d.want(http.StatusMultiStatus, "PROPPATCH", calURL, `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/">`+
			`<D:set><D:prop><A:calendar-color>#FF0000</A:calendar-color></D:prop></D:set></D:propertyupdate>`)
		if !strings.Contains(body, "calendar-color") || !strings.Contains(body, "403 Forbidden") {
			t.Fatalf("PROPPATCH: %s", body)
		}

		// The team calendar is only viewed: writes refused.
		st, _, _ := d.do("PUT", home+team.ID+"/x.ics", davEvent("x", "x", "20270308T090000"))
		if st != http.StatusForbidden {
			t.Fatalf("PUT on a viewed calendar: %d", st)
		}
		// Olivia's personal calendar is not Ann's: 404.
		var oc calendar.Calendar
		o.Do(t, "GET", "/api/v1/calendars/personal", nil, &oc).Want(t, http.StatusOK)
		d.want(http.StatusNotFound, "PROPFIND", home+oc.ID+"/", propfindCal, "Depth", "0")
		d.want(http.StatusNotFound, "PUT", home+oc.ID+"/y.ics", davEvent("y", "y", "20270308T090000"))
		// Another person's home: 404.
		d.want(http.StatusNotFound, "PROPFIND", "/caldav/"+bob.AccountID+"/calendars/"+annCal.ID+"/", propfindCal, "Depth", "0")
		// Malformed calendar data: refused, never 500.
		st, _, _ = d.do("PUT", calURL+"bad.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
		if st < 400 || st >= 500 {
			t.Fatalf("bad calendar data: %d", st)
		}
		if st, _, _ := d.do("PUT", calURL+"big.ics", "BEGIN:VCALENDAR\r\n"+string(bytes.Repeat([]byte("X-A:b\r\n"), 200000))); st < 400 || st >= 500 {
			t.Fatalf("huge object: %d", st)
		}

		checkScheduling(t, env, o, ann, bob, d)
	})
}
