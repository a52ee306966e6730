package attendance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/atrium-hq/atrium/internal/approval"
	"github.com/atrium-hq/atrium/internal/attendance"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

const pw = "correct horse battery"

// TestHTTPCheckInWithConsent: the real server on both databases — the
// notice and the privacy center's location consent come before any
// check-in, a retried check-in is answered with the first, and the
// monthly report downloads as CSV and XLSX for managers only.
func TestHTTPCheckInWithConsent(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		c := &clock{t: sh(7, 8, 0)}
		env.App.Attendance().Now = c.now
		owner, ann, annID := ownerAndAnn(t, env)

		ann.Do(t, "POST", "/api/v1/attendance-groups", map[string]any{"name": "x"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		var g attendance.Group
		owner.Do(t, "POST", "/api/v1/attendance-groups", map[string]any{"name": "HQ", "members": map[string]any{"member_ids": []string{annID}},
			"rules": map[string]any{"timezone": "Asia/Shanghai", "places": []map[string]any{{"name": "HQ", "lat": "31.2304", "lng": "121.4737", "radius_m": 200}}}},
			&g).Want(t, http.StatusCreated)
		if g.Rules.Kind != attendance.KindFixed || g.Rules.LocationDays != 90 || g.Rules.LegalBasis != attendance.BasisConsent {
			t.Fatalf("defaults: %+v", g.Rules)
		}
		owner.Do(t, "POST", "/api/v1/attendance-groups", map[string]any{"name": "x", "rules": map[string]any{"timezone": "Mars/Olympus"}}, nil).
			WantError(t, http.StatusBadRequest, "invalid_field")

		punch := map[string]any{"client_id": "c1", "lat": "31.2305", "lng": "121.4738"}
		ann.Do(t, "POST", "/api/v1/attendance/punches", punch, nil).WantError(t, http.StatusForbidden, "notice_required")
		ann.Do(t, "POST", "/api/v1/attendance/notice", nil, nil).Want(t, http.StatusOK)
		ann.Do(t, "POST", "/api/v1/attendance/punches", punch, nil).WantError(t, http.StatusForbidden, "consent_required")
		ann.Do(t, "PUT", "/api/v1/me/consents/location", map[string]any{"granted": true}, nil).Want(t, http.StatusOK)
		var first, again attendance.CheckIn
		ann.Do(t, "POST", "/api/v1/attendance/punches", punch, &first).Want(t, http.StatusCreated)
		ann.Do(t, "POST", "/api/v1/attendance/punches", punch, &again).Want(t, http.StatusCreated)
		if !first.Punch.InArea || first.Punch.Matched != "HQ" || again.Punch.ID != first.Punch.ID {
			t.Fatalf("check-in %+v, retried %+v", first.Punch, again.Punch)
		}
		var today attendance.Today
		ann.Do(t, "GET", "/api/v1/attendance/today", nil, &today).Want(t, http.StatusOK)
		if len(today.Punches) != 1 || today.Day.Status != attendance.StatusWorking || !today.NoticeAcknowledged || today.Places[0] != "HQ" {
			t.Fatalf("today: %+v", today)
		}
		// The month never carries the position.
		r := ann.Do(t, "GET", "/api/v1/attendance/month?month=2026-12", nil, nil).Want(t, http.StatusOK)
		if bytes.Contains(r.Body, []byte("31.2305")) {
			t.Fatalf("the month shows the position: %s", r.Body)
		}
		// Withdrawing the consent stops collection at once.
		ann.Do(t, "PUT", "/api/v1/me/consents/location", map[string]any{"granted": false}, nil).Want(t, http.StatusOK)
		ann.Do(t, "POST", "/api/v1/attendance/punches", map[string]any{"client_id": "c2"}, nil).WantError(t, http.StatusForbidden, "consent_required")

		ann.Do(t, "GET", "/api/v1/attendance/report.csv?month=2026-12", nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		csv := owner.Do(t, "GET", "/api/v1/attendance/report.csv?month=2026-12", nil, nil).Want(t, http.StatusOK)
		if !strings.HasPrefix(string(csv.Body), "member_id,name,") || !strings.Contains(string(csv.Body), annID+",Ann,") {
			t.Fatalf("csv: %s", csv.Body)
		}
		x := owner.Do(t, "GET", "/api/v1/attendance/report.xlsx?month=2026-12", nil, nil).Want(t, http.StatusOK)
		f, err := excelize.OpenReader(bytes.NewReader(x.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if v, _ := f.GetCellValue("Members", "B2"); v != "Ann" {
			t.Fatalf("xlsx name: %q", v)
		}
	})
}

// ownerAndAnn sets up Acme with its owner and has Ann join it; it returns
// both signed in, in Acme, and Ann's member id.
func ownerAndAnn(t *testing.T, env *servertest.Env) (owner, ann *servertest.Client, annID string) {
	t.Helper()
	tok := env.SetupToken(t)
	owner = env.Client()
	var res directory.SetupResult
	owner.Do(t, "POST", "/api/v1/setup", map[string]any{"token": tok, "organization": map[string]any{"name": "Acme"},
		"owner": map[string]any{"name": "Olivia", "email": "owner@acme.test", "password": pw}}, &res).Want(t, http.StatusCreated)
	if _, err := env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: "ann@acme.test", Password: pw, Name: "Ann"}); err != nil {
		t.Fatal(err)
	}
	ann = env.Client()
	ann.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": "ann@acme.test", "password": pw}, nil).Want(t, http.StatusOK)
	var inv directory.Invitation
	owner.Do(t, "POST", "/api/v1/invitations", map[string]any{"kind": "link"}, &inv).Want(t, http.StatusCreated)
	_, itok, _ := strings.Cut(inv.Link, "token=")
	var jr directory.JoinResult
	ann.Do(t, "POST", "/api/v1/join", map[string]any{"token": itok}, &jr).Want(t, http.StatusOK)
	ann.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": res.Org.ID}, nil).Want(t, http.StatusOK)
	return owner, ann, jr.MemberID
}

// TestHTTPCorrectionThroughApprovals: the two domains together on the
// real server — Ann forgets to check out, files the built-in "correction"
// approval, the owner (the approval admin, Ann having no supervisor)
// approves it, and her day turns normal with the corrected check-out; a
// second correction that month is approved but refused by attendance
// over the group's limit of one, and a time that is not one is refused
// when filed.
func TestHTTPCorrectionThroughApprovals(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		c := &clock{t: sh(7, 8, 55)}
		env.App.Attendance().Now = c.now
		owner, ann, annID := ownerAndAnn(t, env)
		owner.Do(t, "POST", "/api/v1/attendance-groups", map[string]any{"name": "HQ", "members": map[string]any{"member_ids": []string{annID}},
			"rules": map[string]any{"timezone": "Asia/Shanghai", "correction_limit": 1, "legal_basis": "contract",
				"places": []map[string]any{{"name": "HQ", "lat": "31.2304", "lng": "121.4737", "radius_m": 200}}}}, nil).Want(t, http.StatusCreated)
		ann.Do(t, "POST", "/api/v1/attendance/notice", nil, nil).Want(t, http.StatusOK)
		ann.Do(t, "POST", "/api/v1/attendance/punches", map[string]any{"client_id": "in7", "lat": "31.2305", "lng": "121.4738"}, nil).
			Want(t, http.StatusCreated)
		c.set(sh(8, 8, 50))
		day := func(date string) attendance.Day {
			t.Helper()
			var m attendance.Month
			ann.Do(t, "GET", "/api/v1/attendance/month?month=2026-12", nil, &m).Want(t, http.StatusOK)
			for _, d := range m.Days {
				if d.Date == date {
					return d
				}
			}
			t.Fatalf("no %s in the month", date)
			return attendance.Day{}
		}
		if d := day("2026-12-07"); d.Status != attendance.StatusAbnormal || d.LastOut != 0 {
			t.Fatalf("before the correction: %+v", d)
		}

		var list approval.TemplateList
		ann.Do(t, "GET", "/api/v1/approval-templates", nil, &list).Want(t, http.StatusOK)
		var tmpl approval.Template
		for _, x := range list.Items {
			if x.Builtin == "correction" {
				tmpl = x
			}
		}
		if tmpl.ID == "" {
			t.Fatalf("no built-in correction template in %+v", list.Items)
		}
		file := func(client, date, hm string) *servertest.Response {
			return ann.Do(t, "POST", "/api/v1/approvals", map[string]any{"template_id": tmpl.ID, "client_id": client,
				"form": map[string]any{"date": date, "kind": "Check-out", "time": hm, "reason": "Forgot to check out"}}, nil)
		}
		file("bad", "2026-12-07", "25:00").WantError(t, http.StatusBadRequest, "invalid_form")
		approve := func(client, date, hm string) {
			t.Helper()
			var r approval.Request
			if err := json.Unmarshal(file(client, date, hm).Want(t, http.StatusCreated).Body, &r); err != nil {
				t.Fatal(err)
			}
			owner.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/approve", map[string]any{"comment": "ok"}, nil).Want(t, http.StatusOK)
		}
		// The approval wakes attendance's reader at once (no 30-second
		// round): the day turns normal while the test waits.
		approve("fix1", "2026-12-07", "18:05")
		var d attendance.Day
		for i := 0; i < 500; i++ {
			if d = day("2026-12-07"); d.Status == attendance.StatusNormal {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if d.Status != attendance.StatusNormal || d.LastOut != sh(7, 18, 5).UnixMilli() {
			t.Fatalf("after the correction: %+v", d)
		}

		approve("fix2", "2026-12-04", "18:00")
		var adj attendance.AdjustmentList
		status := map[string]string{}
		for i := 0; i < 500 && status["2026-12-04"] == ""; i++ {
			ann.Do(t, "GET", "/api/v1/attendance/adjustments?month=2026-12", nil, &adj).Want(t, http.StatusOK)
			for _, x := range adj.Items {
				status[x.FirstDay] = x.Status
			}
			time.Sleep(10 * time.Millisecond)
		}
		if status["2026-12-07"] != attendance.AdjApplied || status["2026-12-04"] != attendance.AdjRefused {
			t.Fatalf("adjustments: %+v", adj.Items)
		}
	})
}
