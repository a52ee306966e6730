package calendar_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/calendar"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestPrivacyLeaver: when a person's membership is erased (they left and
// the organization anonymizes), their personal calendar goes with its
// events; the events they organized in an organization calendar stay
// with the organizer replaced; their answers on others' events are
// anonymized; their feed links are deleted; their export lists their
// calendar data.
func TestPrivacyLeaver(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann")
		o, ann := ps[0], ps[1]
		var team calendar.Calendar
		o.Do(t, "POST", "/api/v1/calendars", map[string]any{"kind": "team", "name": "Team",
			"access": []map[string]any{{"kind": "member", "id": ann.MemberID, "level": "edit"}}}, &team).Want(t, http.StatusCreated)
		ann.Do(t, "POST", "/api/v1/calendars", map[string]any{"kind": "team", "name": "Mine"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		var own, sync, review calendar.Event
		ann.Do(t, "POST", "/api/v1/events", map[string]any{"title": "Dentist", "start": "2027-01-05T08:00", "end": "2027-01-05T09:00",
			"attendees": map[string]any{"member_ids": []string{o.MemberID}}}, &own).Want(t, http.StatusCreated)
		ann.Do(t, "POST", "/api/v1/events", map[string]any{"calendar_id": team.ID, "title": "Team sync", "start": "2027-01-06T08:00", "end": "2027-01-06T09:00",
			"attendees": map[string]any{"member_ids": []string{o.MemberID}}}, &sync).Want(t, http.StatusCreated)
		o.Do(t, "POST", "/api/v1/events", map[string]any{"title": "Review", "start": "2027-01-07T08:00", "end": "2027-01-07T09:00",
			"attendees": map[string]any{"member_ids": []string{ann.MemberID}, "emails": []string{"guest@example.com"}}}, &review).Want(t, http.StatusCreated)
		ann.Do(t, "PUT", "/api/v1/events/"+review.ID+"/rsvp", map[string]any{"status": "tentative"}, nil).Want(t, http.StatusOK)
		var feed calendar.Feed
		ann.Do(t, "POST", "/api/v1/calendars/"+team.ID+"/feed", nil, &feed).Want(t, http.StatusCreated)

		p := env.App.Calendar().Privacy()
		held, err := p.Count(context.Background(), datamap.Subject{AccountID: ann.AccountID, Members: map[string]string{"x": ann.MemberID}})
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int64{}
		for _, h := range held {
			counts[h.Table] += h.Count
		}
		if counts["calendars"] != 1 || counts["calendar_events"] != 2 || counts["calendar_attendees"] != 3 || counts["calendar_feeds"] != 1 {
			t.Fatalf("held about ann: %+v", counts)
		}

		var orgID string
		if err := env.App.DB.Reader().QueryRow(`SELECT org_id FROM calendars WHERE id = $1`, team.ID).Scan(&orgID); err != nil {
			t.Fatal(err)
		}
		err = env.App.DB.Tx(context.Background(), func(ctx context.Context) error {
			_, err := p.Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: datamap.Subject{AccountID: ann.AccountID},
				OrgID: orgID, MemberID: ann.MemberID, Mode: datamap.ModeAnonymize, Tombstone: "tmb_former"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		o.Do(t, "GET", "/api/v1/events/"+own.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		o.Do(t, "GET", "/api/v1/events/"+sync.ID, nil, &sync).Want(t, http.StatusOK)
		if sync.Organizer.MemberID != "tmb_former" || sync.Title != "Team sync" {
			t.Fatalf("the organization's event: %+v", sync)
		}
		o.Do(t, "GET", "/api/v1/events/"+review.ID, nil, &review).Want(t, http.StatusOK)
		anon := false
		for _, a := range review.Attendees {
			if a.MemberID == ann.MemberID {
				t.Fatalf("ann still named: %+v", review.Attendees)
			}
			anon = anon || (a.MemberID == "tmb_former" && a.RSVP == "tentative")
		}
		if !anon || review.Counts.Tentative != 1 {
			t.Fatalf("answers after: %+v", review.Attendees)
		}
		var n int
		env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM calendars WHERE owner_account_id = $1`, ann.AccountID).Scan(&n)
		if n != 0 {
			t.Fatalf("%d personal calendars of ann left", n)
		}
		// Her feed link went with her.
		env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM calendar_feeds WHERE account_id = $1`, ann.AccountID).Scan(&n)
		if st, _ := fetch(t, feed.URL); n != 0 || st != http.StatusNotFound {
			t.Fatalf("feed after erasure: %d rows, answers %d", n, st)
		}
	})
}

// When an organizer's personal calendar goes with their erasure, the
// attendees' calendar apps learn that its events are gone: the next sync
// of an attendee's calendar reports them deleted.
func TestErasedOrganizersEventsLeaveAttendeesApps(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann", "Bob")
		ann, bob := ps[1], ps[2]
		var ev calendar.Event
		ann.Do(t, "POST", "/api/v1/events", map[string]any{"title": "Ann's dentist", "start": "2027-03-10T14:00", "end": "2027-03-10T15:00",
			"time_zone": "UTC", "attendees": map[string]any{"member_ids": []string{bob.MemberID}}}, &ev).Want(t, http.StatusCreated)
		var bc calendar.Calendar
		bob.Do(t, "GET", "/api/v1/calendars/personal", nil, &bc).Want(t, http.StatusOK)
		bd := davClient{t: t, base: env.URL, login: "bob@acme.test", pwd: appPassword(t, bob)}
		bCal := "/caldav/" + bob.AccountID + "/calendars/" + bc.ID + "/"
		_, body := bd.want(http.StatusMultiStatus, "PROPFIND", bCal, `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>`, "Depth", "0")
		tok := syncTokenRe.FindStringSubmatch(body)
		if tok == nil {
			t.Fatalf("no sync token: %s", body)
		}
		_, body = bd.want(http.StatusMultiStatus, "PROPFIND", bCal, propfindCal, "Depth", "1")
		if !strings.Contains(body, ev.UID) {
			t.Fatalf("Bob's app does not list Ann's event: %s", body)
		}

		err := env.App.DB.Tx(context.Background(), func(ctx context.Context) error {
			_, err := env.App.Calendar().Privacy().Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeAccount,
				Subject: datamap.Subject{AccountID: ann.AccountID}, Tombstone: "tmb_gone"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		_, body = bd.want(http.StatusMultiStatus, "REPORT", bCal, syncReport(tok[1]))
		if !regexp.MustCompile(regexp.QuoteMeta(ev.UID) + `[^<]*</D:href><D:status>HTTP/1.1 404`).MatchString(body) {
			t.Fatalf("Bob's sync after Ann's erasure does not report her event gone: %s", body)
		}
	})
}
