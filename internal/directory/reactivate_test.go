package directory_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestReactivateRefusesLeftAndAnonymized: a member who left, and one whose
// membership the leave policy anonymized, are listed with their real state
// and are never brought back as an active member (the anonymized one would
// come back nameless and unlinked).
func TestReactivateRefusesLeftAndAnonymized(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		ow := o.Owner
		ow.do(t, "PUT", "/api/v1/admin/privacy/settings", map[string]any{"leave_action": "anonymize", "leave_period_days": 0, "disband_grace_days": 30}, nil).Want(t, http.StatusOK)
		_, goneID := o.member(t, "Gina Gone")
		quitter, quitID := o.member(t, "Quinn Quit")
		_, pausedID := o.member(t, "Paula Paused")

		ow.do(t, "POST", "/api/v1/members/"+goneID+"/deactivate", nil, nil).Want(t, http.StatusOK)
		quitter.do(t, "POST", "/api/v1/me/erasures/quit-org", nil, nil).Want(t, http.StatusOK)
		// The privacy center's departure scan (every ten minutes) finds the
		// deactivated member; then run the scheduled erasures (period 0:
		// due now).
		if _, err := env.App.Privacy().ScanDepartures(context.Background()); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 200; i++ {
			if _, err := env.App.Privacy().Jobs.RunDue(context.Background()); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM erasure_ledger WHERE status = 'scheduled'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		// A deactivation under a 30-day period keeps the person reversible.
		ow.do(t, "PUT", "/api/v1/admin/privacy/settings", map[string]any{"leave_action": "anonymize", "leave_period_days": 30, "disband_grace_days": 30}, nil).Want(t, http.StatusOK)
		ow.do(t, "POST", "/api/v1/members/"+pausedID+"/deactivate", nil, nil).Want(t, http.StatusOK)

		var page directory.MemberPage
		ow.do(t, "GET", "/api/v1/members?status=all&limit=100", nil, &page).Want(t, http.StatusOK)
		byID := map[string]directory.Member{}
		for _, m := range page.Items {
			byID[m.ID] = m
		}
		if m := byID[goneID]; !m.Anonymized || m.Status != directory.StatusDeactivated {
			t.Fatalf("anonymized member listed as %+v", m)
		}
		if m := byID[quitID]; !m.Anonymized || m.Status != directory.StatusLeft {
			t.Fatalf("member who quit listed as status %q anonymized %v", m.Status, m.Anonymized)
		}
		if m := byID[pausedID]; m.Anonymized || m.Status != directory.StatusDeactivated {
			t.Fatalf("deactivated member listed as status %q anonymized %v", m.Status, m.Anonymized)
		}

		ow.do(t, "POST", "/api/v1/members/"+goneID+"/reactivate", nil, nil).WantError(t, http.StatusConflict, "member_anonymized")
		ow.do(t, "POST", "/api/v1/members/"+quitID+"/reactivate", nil, nil).WantError(t, http.StatusConflict, "member_anonymized")
		var back directory.Member
		ow.do(t, "POST", "/api/v1/members/"+pausedID+"/reactivate", nil, &back).Want(t, http.StatusOK)
		if back.Status != directory.StatusActive || back.DisplayName != "Paula Paused" {
			t.Fatalf("reactivated = %+v", back)
		}
		ow.do(t, "GET", "/api/v1/members?status=active&limit=100", nil, &page).Want(t, http.StatusOK)
		for _, m := range page.Items {
			if m.ID == goneID || m.ID == quitID || m.DisplayName == "" {
				t.Fatalf("active list holds %+v", m)
			}
		}
	})
}

// TestReactivateRefusesWhoLeft: someone who quit (kept, not yet erased)
// cannot be reactivated either; they come back through an invitation.
func TestReactivateRefusesWhoLeft(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		ow := o.Owner
		ow.do(t, "PUT", "/api/v1/admin/privacy/settings", map[string]any{"leave_action": "anonymize", "leave_period_days": 30, "disband_grace_days": 30}, nil).Want(t, http.StatusOK)
		quitter, quitID := o.member(t, "Quinn Quit")
		quitter.do(t, "POST", "/api/v1/me/erasures/quit-org", nil, nil).Want(t, http.StatusOK)
		var m directory.Member
		ow.do(t, "GET", "/api/v1/members/"+quitID, nil, &m).Want(t, http.StatusOK)
		if m.Status != directory.StatusLeft || m.Anonymized {
			t.Fatalf("member who quit = %+v", m)
		}
		ow.do(t, "POST", "/api/v1/members/"+quitID+"/reactivate", nil, nil).WantError(t, http.StatusConflict, "member_left")
	})
}

// TestMembershipErasureSparesAnActiveMember: an erasure after a departure
// (OnlyIfGone) that reaches a member who is active again refuses with
// datamap.ErrMemberActive and changes nothing; once the member is gone
// again it runs, and a reactivation then finds the membership anonymized.
func TestMembershipErasureSparesAnActiveMember(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		o := setupOrg(t, env)
		ow := o.Owner
		p, id := o.member(t, "Ava Active")
		erase := func() error {
			return env.App.DB.Tx(ctx, func(ctx context.Context) error {
				_, err := env.App.Directory().Privacy().Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership,
					Subject: datamap.Subject{AccountID: p.AccountID, Members: map[string]string{o.ID: id}}, OrgID: o.ID, MemberID: id,
					Mode: datamap.ModeAnonymize, Tombstone: "tmb_01a2480000000000000000000000beef", OnlyIfGone: true})
				return err
			})
		}
		if err := erase(); !errors.Is(err, datamap.ErrMemberActive) {
			t.Fatalf("erasing an active member: %v, want ErrMemberActive", err)
		}
		var m directory.Member
		ow.do(t, "GET", "/api/v1/members/"+id, nil, &m).Want(t, http.StatusOK)
		if m.Status != directory.StatusActive || m.Anonymized || m.DisplayName != "Ava Active" {
			t.Fatalf("active member after a refused erasure: %+v", m)
		}
		ow.do(t, "POST", "/api/v1/members/"+id+"/deactivate", nil, nil).Want(t, http.StatusOK)
		if err := erase(); err != nil {
			t.Fatalf("erasing a deactivated member: %v", err)
		}
		ow.do(t, "POST", "/api/v1/members/"+id+"/reactivate", nil, nil).WantError(t, http.StatusConflict, "member_anonymized")
	})
}
