package directory_test

import (
	"bytes"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// waitLog waits until the server's log holds substr and returns the line.
func waitLog(t *testing.T, env *servertest.Env, substr string) string {
	t.Helper()
	for i := 0; i < 500; i++ {
		for _, line := range strings.Split(env.Logs.String(), "\n") {
			if strings.Contains(line, substr) {
				return line
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no log line with %q", substr)
	return ""
}

func TestInvitations(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		ow := o.Owner
		ops := dept(t, ow, "Ops", "")
		join := func(p *person, body map[string]any) *servertest.Response {
			t.Helper()
			return p.do(t, "POST", "/api/v1/join", body, nil)
		}

		// A link for one use, into a department.
		once := inviteLink(t, ow, map[string]any{"max_uses": 1, "department_id": ops.ID})
		if !strings.HasPrefix(once.Link, env.URL+"/join?token=") || once.Status != "active" || once.MaxUses != 1 {
			t.Fatalf("invitation %+v", once)
		}
		p1, p2 := newPerson(t, env, "Pat One"), newPerson(t, env, "Pat Two")
		var prev directory.InvitationPreview
		p1.do(t, "POST", "/api/v1/join/preview", map[string]any{"token": tokenOf(t, once.Link)}, &prev).Want(t, http.StatusOK)
		if prev.OrgName != "Acme" || prev.RequiresApproval {
			t.Fatalf("preview %+v", prev)
		}
		var res directory.JoinResult
		p1.do(t, "POST", "/api/v1/join", map[string]any{"token": tokenOf(t, once.Link)}, &res).Want(t, http.StatusOK)
		if res.Status != "joined" {
			t.Fatalf("join %+v", res)
		}
		var m directory.Member
		ow.do(t, "GET", "/api/v1/members/"+res.MemberID, nil, &m).Want(t, http.StatusOK)
		if len(m.Departments) != 1 || m.Departments[0].ID != ops.ID || m.DisplayName != "Pat One" {
			t.Fatalf("joined member %+v", m)
		}
		join(p1, map[string]any{"token": tokenOf(t, once.Link)}).WantError(t, http.StatusGone, "invitation_used_up")
		join(p2, map[string]any{"token": tokenOf(t, once.Link)}).WantError(t, http.StatusGone, "invitation_used_up")
		p2.do(t, "POST", "/api/v1/join/preview", map[string]any{"code": once.Code}, nil).WantError(t, http.StatusGone, "invitation_used_up")

		// The short team code, typed loosely.
		open := inviteLink(t, ow, nil)
		loose := strings.ToLower(open.Code[:4] + "-" + open.Code[4:])
		join(p2, map[string]any{"code": loose}).Want(t, http.StatusOK)
		join(p2, map[string]any{"code": loose}).WantError(t, http.StatusConflict, "already_member")
		p3 := newPerson(t, env, "Pat Three")
		join(p3, map[string]any{"token": "nope"}).WantError(t, http.StatusNotFound, "invitation_not_found")
		join(p3, map[string]any{"code": "ZZZZZZZZ"}).WantError(t, http.StatusNotFound, "invitation_not_found")
		join(p3, map[string]any{}).WantError(t, http.StatusBadRequest, "invalid_field")

		// Expired.
		exp := inviteLink(t, ow, map[string]any{"expires_in_hours": 1})
		if _, err := env.App.DB.Writer().Exec(`UPDATE invitations SET expires_at = 1 WHERE id = $1`, exp.ID); err != nil {
			t.Fatal(err)
		}
		join(p3, map[string]any{"token": tokenOf(t, exp.Link)}).WantError(t, http.StatusGone, "invitation_expired")
		var got directory.Invitation
		ow.do(t, "GET", "/api/v1/invitations/"+exp.ID, nil, &got).Want(t, http.StatusOK)
		if got.Status != "expired" {
			t.Fatalf("status %q", got.Status)
		}
		ow.do(t, "POST", "/api/v1/invitations", map[string]any{"kind": "link", "expires_in_hours": 10000}, nil).WantError(t, http.StatusBadRequest, "invalid_field")

		// Revoked.
		rev := inviteLink(t, ow, nil)
		ow.do(t, "DELETE", "/api/v1/invitations/"+rev.ID, nil, &got).Want(t, http.StatusOK)
		if got.Status != "revoked" {
			t.Fatalf("status %q", got.Status)
		}
		join(p3, map[string]any{"token": tokenOf(t, rev.Link)}).WantError(t, http.StatusGone, "invitation_revoked")

		// Before sign-up, with no account at all: a link names its
		// organization and says whether it can still be used.
		anon := env.Client()
		for link, want := range map[string]string{open.Link: "active", exp.Link: "expired", rev.Link: "revoked", once.Link: "used_up"} {
			var lp directory.LinkPreview
			anon.Do(t, "POST", "/api/v1/invitation-links/preview", map[string]any{"token": tokenOf(t, link)}, &lp).Want(t, http.StatusOK)
			if lp.OrgName != "Acme" || lp.Status != want {
				t.Errorf("link preview of a %s link: %+v", want, lp)
			}
		}
		anon.Do(t, "POST", "/api/v1/invitation-links/preview", map[string]any{"token": "nope"}, nil).WantError(t, http.StatusNotFound, "invitation_not_found")
		anon.Do(t, "POST", "/api/v1/invitation-links/preview", map[string]any{}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		// Team codes, short enough to guess, are not previewed without an account.
		anon.Do(t, "POST", "/api/v1/invitation-links/preview", map[string]any{"code": open.Code}, nil).WantError(t, http.StatusBadRequest, "unknown_field")

		// QR codes of the link.
		r := ow.do(t, "GET", "/api/v1/invitations/"+open.ID+"/qr.png", nil, nil).Want(t, http.StatusOK)
		if r.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("content type %q", r.Header.Get("Content-Type"))
		}
		img, err := png.Decode(bytes.NewReader(r.Body))
		if err != nil || img.Bounds().Dx() < 100 {
			t.Fatalf("png: %v %v", err, img)
		}
		r = ow.do(t, "GET", "/api/v1/invitations/"+open.ID+"/qr.svg", nil, nil).Want(t, http.StatusOK)
		if r.Header.Get("Content-Type") != "image/svg+xml" || !bytes.HasPrefix(r.Body, []byte("<svg")) || !bytes.Contains(r.Body, []byte("<path")) {
			t.Fatalf("svg: %s", r.Body)
		}

		// An email invitation, sent through the outbox; only that address may use it.
		p4 := newPerson(t, env, "Pat Four")
		var ei directory.Invitation
		ow.do(t, "POST", "/api/v1/invitations", map[string]any{"kind": "email", "email": p4.Email}, &ei).Want(t, http.StatusCreated)
		line := waitLog(t, env, "to="+p4.Email)
		if !strings.Contains(line, tokenOf(t, ei.Link)) || !strings.Contains(line, ei.Code) {
			t.Fatalf("email without link or code: %s", line)
		}
		join(p3, map[string]any{"token": tokenOf(t, ei.Link)}).WantError(t, http.StatusForbidden, "invitation_email_mismatch")
		join(p4, map[string]any{"token": tokenOf(t, ei.Link)}).Want(t, http.StatusOK)

		var list directory.InvitationList
		ow.do(t, "GET", "/api/v1/invitations", nil, &list).Want(t, http.StatusOK)
		if len(list.Items) != 5 {
			t.Fatalf("%d invitations", len(list.Items))
		}

		// Approval required: requests wait for an admin.
		ow.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"join_requires_approval": true}, nil).Want(t, http.StatusOK)
		p5 := newPerson(t, env, "Pat Five")
		p6 := newPerson(t, env, "Pat Six")
		var r5, r6 directory.JoinResult
		p5.do(t, "POST", "/api/v1/join", map[string]any{"token": tokenOf(t, open.Link), "message": "hi"}, &r5).Want(t, http.StatusOK)
		p6.do(t, "POST", "/api/v1/join", map[string]any{"code": open.Code}, &r6).Want(t, http.StatusOK)
		if r5.Status != "pending" || r6.Status != "pending" {
			t.Fatalf("join results %+v %+v", r5, r6)
		}
		join(p5, map[string]any{"token": tokenOf(t, open.Link)}).WantError(t, http.StatusConflict, "join_request_pending")
		p5.do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": o.ID}, nil).WantError(t, http.StatusNotFound, "not_found")
		var reqs directory.JoinRequestList
		ow.do(t, "GET", "/api/v1/join-requests", nil, &reqs).Want(t, http.StatusOK)
		if len(reqs.Items) != 2 {
			t.Fatalf("requests %+v", reqs.Items)
		}
		ow.do(t, "POST", "/api/v1/join-requests/"+r5.RequestID+"/approve", nil, nil).Want(t, http.StatusOK)
		ow.do(t, "POST", "/api/v1/join-requests/"+r6.RequestID+"/reject", nil, nil).Want(t, http.StatusOK)
		ow.do(t, "POST", "/api/v1/join-requests/"+r6.RequestID+"/approve", nil, nil).WantError(t, http.StatusConflict, "join_request_decided")
		p5.do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": o.ID}, nil).Want(t, http.StatusOK)
		p5.do(t, "GET", "/api/v1/members/me", nil, nil).Want(t, http.StatusOK)
		p6.do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": o.ID}, nil).WantError(t, http.StatusNotFound, "not_found")
		var mine directory.JoinRequestList
		p6.do(t, "GET", "/api/v1/me/join-requests", nil, &mine).Want(t, http.StatusOK)
		if len(mine.Items) != 1 || mine.Items[0].Status != "rejected" {
			t.Fatalf("p6 requests %+v", mine.Items)
		}

		acts := auditActions(t, env, o)
		for _, want := range []string{"invitation.create:success", "invitation.revoke:success", "member.join:success", "join_request.create:success", "join_request.approve:success", "join_request.reject:success"} {
			if !hasAction(acts, want) {
				t.Errorf("audit lacks %s", want)
			}
		}
	})
}
