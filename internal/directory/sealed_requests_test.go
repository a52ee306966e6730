package directory_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestJoinRequestAndInvitationSealed: a join request's name and note are
// stored sealed under the asking person's key and an email invitation's
// address under the organization's key — raw rows hold none of them —
// while admins and the person see them, the person registering with the
// address later finds and accepts the invitation, the export opens the
// request, and once the person's key is destroyed the request reads empty.
func TestJoinRequestAndInvitationSealed(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		o := setupOrg(t, env)
		const (
			name  = "Joiner Sealedjoinname"
			note  = "Sealedjoinnote from the fourth floor"
			email = "sealedinvitee@example.test"
		)

		// An email invitation to an address with no account yet.
		var ei directory.Invitation
		o.Owner.do(t, "POST", "/api/v1/invitations", map[string]any{"kind": "email", "email": email}, &ei).Want(t, http.StatusCreated)
		if ei.Email != email {
			t.Fatalf("created invitation %+v", ei)
		}

		// A join request waiting for approval.
		o.Owner.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"join_requires_approval": true}, nil).Want(t, http.StatusOK)
		link := inviteLink(t, o.Owner, nil)
		p := newPerson(t, env, name)
		var res directory.JoinResult
		p.do(t, "POST", "/api/v1/join", map[string]any{"token": tokenOf(t, link.Link), "message": note}, &res).Want(t, http.StatusOK)
		if res.Status != "pending" {
			t.Fatalf("join = %+v", res)
		}

		for _, tb := range []string{"join_requests", "invitations"} {
			if hits := rawContains(t, env, tb, "Sealedjoinname", "Sealedjoinnote", "sealedinvitee"); len(hits) > 0 {
				t.Errorf("stored in plaintext: %v", hits)
			}
		}

		// Admins and the person read them.
		var reqs directory.JoinRequestList
		o.Owner.do(t, "GET", "/api/v1/join-requests", nil, &reqs).Want(t, http.StatusOK)
		if len(reqs.Items) != 1 || reqs.Items[0].DisplayName != name || reqs.Items[0].Message != note {
			t.Fatalf("requests %+v", reqs.Items)
		}
		var mine directory.JoinRequestList
		p.do(t, "GET", "/api/v1/me/join-requests", nil, &mine).Want(t, http.StatusOK)
		if len(mine.Items) != 1 || mine.Items[0].DisplayName != name || mine.Items[0].Message != note {
			t.Fatalf("my requests %+v", mine.Items)
		}
		var got directory.Invitation
		o.Owner.do(t, "GET", "/api/v1/invitations/"+ei.ID, nil, &got).Want(t, http.StatusOK)
		if got.Email != email {
			t.Fatalf("invitation %+v", got)
		}
		var list directory.InvitationList
		o.Owner.do(t, "GET", "/api/v1/invitations", nil, &list).Want(t, http.StatusOK)
		found := false
		for _, it := range list.Items {
			found = found || (it.ID == ei.ID && it.Email == email)
		}
		if !found {
			t.Fatalf("the email invitation is not listed with its address: %+v", list.Items)
		}

		// The export opens the request's sealed columns.
		var sink exportSink
		subj := datamap.Subject{AccountID: p.AccountID}
		if err := env.App.Server.Directory.Privacy().Export(ctx, datamap.ExportRequest{Subject: subj}, &sink); err != nil {
			t.Fatal(err)
		}
		cols := map[string]any{}
		for _, s := range sink.sections {
			for _, r := range s.Rows {
				for c, v := range r {
					cols[s.Table+"."+c] = v
				}
			}
		}
		if cols["join_requests.display_name_sealed"] != name || cols["join_requests.message_sealed"] != note {
			t.Errorf("export: name %v, note %v", cols["join_requests.display_name_sealed"], cols["join_requests.message_sealed"])
		}

		// The person who registers with the address finds the invitation
		// by the address's keyed hash and accepts it.
		invitee := newPersonWith(t, env, "Ivy Invitee", email, "")
		var my directory.MyInvitationList
		invitee.do(t, "GET", "/api/v1/me/invitations", nil, &my).Want(t, http.StatusOK)
		if len(my.Items) != 1 || my.Items[0].ID != ei.ID {
			t.Fatalf("my invitations %+v", my.Items)
		}
		invitee.do(t, "POST", "/api/v1/me/invitations/"+ei.ID+"/accept", nil, &res).Want(t, http.StatusOK)
		if res.Status != "joined" {
			t.Fatalf("accept = %+v", res)
		}

		// The asking person's key destroyed: the request reads empty.
		if err := env.App.Keyring.Destroy(ctx, p.AccountID); err != nil {
			t.Fatal(err)
		}
		reqs = directory.JoinRequestList{}
		o.Owner.do(t, "GET", "/api/v1/join-requests", nil, &reqs).Want(t, http.StatusOK)
		if len(reqs.Items) != 1 || reqs.Items[0].DisplayName != "" || reqs.Items[0].Message != "" {
			t.Fatalf("after the key was destroyed: %+v", reqs.Items)
		}
	})
}

// TestLegacyRequestsSealed: join requests and email invitations written
// before sealing (plaintext columns) are read as they are — the invitee
// still finds the invitation by its plaintext address — and the start-up
// sealing seals them and clears the plaintext; a second run finds nothing.
func TestLegacyRequestsSealed(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		o := setupOrg(t, env)
		const email = "legacyinvitee@example.test"
		var ei directory.Invitation
		o.Owner.do(t, "POST", "/api/v1/invitations", map[string]any{"kind": "email", "email": email}, &ei).Want(t, http.StatusCreated)
		o.Owner.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"join_requires_approval": true}, nil).Want(t, http.StatusOK)
		link := inviteLink(t, o.Owner, nil)
		p := newPerson(t, env, "Someone")
		var res directory.JoinResult
		p.do(t, "POST", "/api/v1/join", map[string]any{"token": tokenOf(t, link.Link), "message": "x"}, &res).Want(t, http.StatusOK)
		for _, q := range []string{
			`UPDATE join_requests SET display_name = 'Legacyjoinname', display_name_sealed = NULL, message = 'Legacyjoinnote', message_sealed = NULL`,
			`UPDATE invitations SET email = '` + email + `', email_sealed = NULL, email_hash = '' WHERE id = '` + ei.ID + `'`,
		} {
			if _, err := env.App.DB.W(ctx).ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		invitee := newPersonWith(t, env, "Lee Legacy", email, "")
		check := func(stage string) {
			t.Helper()
			var reqs directory.JoinRequestList
			o.Owner.do(t, "GET", "/api/v1/join-requests", nil, &reqs).Want(t, http.StatusOK)
			if len(reqs.Items) != 1 || reqs.Items[0].DisplayName != "Legacyjoinname" || reqs.Items[0].Message != "Legacyjoinnote" {
				t.Fatalf("%s: requests %+v", stage, reqs.Items)
			}
			var got directory.Invitation
			o.Owner.do(t, "GET", "/api/v1/invitations/"+ei.ID, nil, &got).Want(t, http.StatusOK)
			if got.Email != email {
				t.Fatalf("%s: invitation %+v", stage, got)
			}
			var my directory.MyInvitationList
			invitee.do(t, "GET", "/api/v1/me/invitations", nil, &my).Want(t, http.StatusOK)
			if len(my.Items) != 1 || my.Items[0].ID != ei.ID {
				t.Fatalf("%s: my invitations %+v", stage, my.Items)
			}
		}
		check("before sealing")
		canaries := []string{"Legacyjoinname", "Legacyjoinnote", "legacyinvitee"}
		if hits := rawContains(t, env, "join_requests", canaries...); len(hits) == 0 {
			t.Fatal("the legacy rows were not written")
		}
		if n, err := env.App.Server.Directory.SealPlaintextRequests(ctx); err != nil || n != 2 {
			t.Fatalf("seal: %d, %v", n, err)
		}
		for _, tb := range []string{"join_requests", "invitations"} {
			if hits := rawContains(t, env, tb, canaries...); len(hits) > 0 {
				t.Errorf("after sealing: %v", hits)
			}
		}
		check("after sealing")
		if n, err := env.App.Server.Directory.SealPlaintextRequests(ctx); err != nil || n != 0 {
			t.Fatalf("second run: %d, %v", n, err)
		}
	})
}
