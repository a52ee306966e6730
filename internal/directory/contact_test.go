package directory_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

type groups map[string]bool

func (g groups) ShareGroup(_ context.Context, conv, a, b string) bool { return g[conv] }

// contactWorld: T (with a phone) owns "Tee Co", where T has a title, a
// department and two custom fields; C is T's colleague there.
type contactWorld struct {
	env *servertest.Env
	T   *person
	C   *person
	org *org
}

func newContactWorld(t *testing.T, env *servertest.Env) *contactWorld {
	tp := newPersonWith(t, env, "Tia Target", "tia@example.test", "+86 139 1234 5678")
	var o directory.Org
	tp.do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Tee Co"}, &o).Want(t, http.StatusCreated)
	w := &contactWorld{env: env, T: tp, org: &org{ID: o.ID, Owner: tp, env: env}}
	rd := dept(t, tp, "R&D", "")
	var langs, desk directory.Field
	tp.do(t, "POST", "/api/v1/fields", map[string]any{"name": "Languages", "kind": "text", "visibility": "external"}, &langs).Want(t, http.StatusCreated)
	tp.do(t, "POST", "/api/v1/fields", map[string]any{"name": "Desk", "kind": "text"}, &desk).Want(t, http.StatusCreated)
	tp.do(t, "PATCH", "/api/v1/members/me", map[string]any{"title": "Chief Scientist", "work_phone": "+86 10 5555 0000", "department_ids": []string{rd.ID},
		"fields": map[string]any{langs.ID: "Chinese, English", desk.ID: "B-12"}}, nil).Want(t, http.StatusOK)
	w.C, _ = w.org.member(t, "Cai Colleague")
	return w
}

func (w *contactWorld) privacy(t *testing.T, patch map[string]any) {
	t.Helper()
	w.T.do(t, "PATCH", "/api/v1/me/privacy", patch, nil).Want(t, http.StatusOK)
}

func (w *contactWorld) view(t *testing.T, p *person) directory.Person {
	t.Helper()
	var out directory.Person
	p.do(t, "GET", "/api/v1/people/"+w.T.AccountID, nil, &out).Want(t, http.StatusOK)
	return out
}

// TestPrivacyDiscoverable: "allow others to find my company identity" decides
// whether people outside T's organizations find T by email, phone or id —
// in lookups, profile views and contact requests — on the next request.
func TestPrivacyDiscoverable(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newContactWorld(t, env)
		x := newPerson(t, env, "Xavier Outsider")
		var def directory.PrivacySettings
		w.T.do(t, "GET", "/api/v1/me/privacy", nil, &def).Want(t, http.StatusOK)
		if !def.Discoverable || !def.RequireVerification || !def.AllowViaCard || !def.AllowViaGroup {
			t.Fatalf("defaults %+v", def)
		}
		// Discoverable: a stranger finds T and sees only where T works.
		var found directory.Person
		x.do(t, "POST", "/api/v1/people/lookup", map[string]any{"email": "TIA@example.test"}, &found).Want(t, http.StatusOK)
		if found.AccountID != w.T.AccountID || found.Relation != "none" || len(found.Companies) != 1 || found.Companies[0].OrgName != "Tee Co" ||
			found.Companies[0].Title != "" || found.Mobile != "" || found.Email != "" {
			t.Fatalf("stranger's view %+v", found)
		}
		x.do(t, "POST", "/api/v1/people/lookup", map[string]any{"phone": "+8613912345678"}, &found).Want(t, http.StatusOK)

		// Not discoverable: strangers find nothing, anywhere.
		w.privacy(t, map[string]any{"discoverable": false})
		x.do(t, "POST", "/api/v1/people/lookup", map[string]any{"email": "tia@example.test"}, nil).WantError(t, http.StatusNotFound, "not_found")
		x.do(t, "POST", "/api/v1/people/lookup", map[string]any{"phone": "+8613912345678"}, nil).WantError(t, http.StatusNotFound, "not_found")
		x.do(t, "GET", "/api/v1/people/"+w.T.AccountID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		x.do(t, "POST", "/api/v1/contacts", map[string]any{"email": "tia@example.test"}, nil).WantError(t, http.StatusNotFound, "not_found")
		x.do(t, "POST", "/api/v1/contacts", map[string]any{"account_id": w.T.AccountID}, nil).WantError(t, http.StatusNotFound, "not_found")
		// Claiming a shared group or a card without one tells nothing either.
		for _, who := range []map[string]any{{"email": "tia@example.test"}, {"phone": "+8613912345678"}} {
			for _, via := range []map[string]any{{"via": "group", "group_id": "cnv_made_up"}, {"via": "card", "card": "not-a-card"}} {
				body := map[string]any{}
				for k, v := range who {
					body[k] = v
				}
				for k, v := range via {
					body[k] = v
				}
				x.do(t, "POST", "/api/v1/contacts", body, nil).WantError(t, http.StatusNotFound, "not_found")
			}
		}
		// …and exactly like an unknown address.
		x.do(t, "POST", "/api/v1/people/lookup", map[string]any{"email": "nobody@example.test"}, nil).WantError(t, http.StatusNotFound, "not_found")
		// Colleagues still do, with the shared organization in full.
		var cv directory.Person
		w.C.do(t, "POST", "/api/v1/people/lookup", map[string]any{"email": "tia@example.test"}, &cv).Want(t, http.StatusOK)
		if cv.Relation != "colleague" || len(cv.Companies) != 1 || cv.Companies[0].Title != "Chief Scientist" || cv.Companies[0].Fields["Desk"] == nil {
			t.Fatalf("colleague's view %+v", cv)
		}
		w.C.do(t, "POST", "/api/v1/contacts", map[string]any{"email": "tia@example.test"}, nil).Want(t, http.StatusAccepted)
		// Names for lists (chat's last messages) follow the same rule.
		dir := env.App.Server.Directory
		ids := []string{w.T.AccountID, w.T.AccountID, "acc_unknown"}
		if got := dir.PersonNames(context.Background(), x.AccountID, ids); len(got) != 0 {
			t.Fatalf("a stranger is told the names %v", got)
		}
		if got := dir.PersonNames(context.Background(), w.C.AccountID, ids); len(got) != 1 || got[w.T.AccountID] == "" {
			t.Fatalf("a colleague is told the names %v", got)
		}

		// Back on: found again at once.
		w.privacy(t, map[string]any{"discoverable": true})
		x.do(t, "POST", "/api/v1/people/lookup", map[string]any{"email": "tia@example.test"}, nil).Want(t, http.StatusOK)

		var n int
		if err := env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'privacy.settings_update' AND target_id = $1`, w.T.AccountID).Scan(&n); err != nil || n != 2 {
			t.Fatalf("privacy changes audited %d times (%v), want 2", n, err)
		}
	})
}

// TestPrivacyVerificationAndExternalFields: "verification required" turns
// an add into a request; external contacts see only the fields T allows.
func TestPrivacyVerificationAndExternalFields(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newContactWorld(t, env)
		x := newPerson(t, env, "Xavier Outsider")
		y := newPerson(t, env, "Yara Outsider")
		z := newPerson(t, env, "Zed Outsider")

		// Verification required (default): a request that T accepts.
		var res directory.AddContactResult
		x.do(t, "POST", "/api/v1/contacts", map[string]any{"email": "tia@example.test", "message": "hello"}, &res).Want(t, http.StatusAccepted)
		if res.Status != "pending" || res.RequestID == "" {
			t.Fatalf("add %+v", res)
		}
		x.do(t, "POST", "/api/v1/contacts", map[string]any{"email": "tia@example.test"}, nil).WantError(t, http.StatusConflict, "contact_request_pending")
		if env.App.Directory().AreContacts(context.Background(), x.AccountID, w.T.AccountID) {
			t.Fatal("contacts before acceptance")
		}
		var reqs directory.ContactRequestList
		w.T.do(t, "GET", "/api/v1/contact-requests", nil, &reqs).Want(t, http.StatusOK)
		if len(reqs.Incoming) != 1 || reqs.Incoming[0].FromAccount != x.AccountID || reqs.Incoming[0].Message != "hello" {
			t.Fatalf("incoming %+v", reqs.Incoming)
		}
		x.do(t, "POST", "/api/v1/contact-requests/"+res.RequestID+"/accept", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		w.T.do(t, "POST", "/api/v1/contact-requests/"+res.RequestID+"/accept", nil, nil).Want(t, http.StatusOK)
		if !env.App.Directory().AreContacts(context.Background(), x.AccountID, w.T.AccountID) || !env.App.Directory().AreContacts(context.Background(), w.T.AccountID, x.AccountID) {
			t.Fatal("not contacts after acceptance")
		}
		// A declined request.
		var yr directory.AddContactResult
		y.do(t, "POST", "/api/v1/contacts", map[string]any{"phone": "+86 139-1234-5678"}, &yr).Want(t, http.StatusAccepted)
		w.T.do(t, "POST", "/api/v1/contact-requests/"+yr.RequestID+"/decline", nil, nil).Want(t, http.StatusOK)
		if env.App.Directory().AreContacts(context.Background(), y.AccountID, w.T.AccountID) {
			t.Fatal("contacts after decline")
		}
		// Verification off: added at once.
		w.privacy(t, map[string]any{"require_verification": false})
		z.do(t, "POST", "/api/v1/contacts", map[string]any{"account_id": w.T.AccountID}, &res).Want(t, http.StatusCreated)
		if res.Status != "added" {
			t.Fatalf("add %+v", res)
		}
		z.do(t, "POST", "/api/v1/contacts", map[string]any{"account_id": w.T.AccountID}, nil).WantError(t, http.StatusConflict, "already_contact")
		z.do(t, "POST", "/api/v1/contacts", map[string]any{"account_id": z.AccountID}, nil).WantError(t, http.StatusBadRequest, "cannot_add_self")
		var cl directory.ContactList
		w.T.do(t, "GET", "/api/v1/contacts", nil, &cl).Want(t, http.StatusOK)
		if len(cl.Items) != 2 {
			t.Fatalf("T's contacts %+v", cl.Items)
		}

		// External fields: the default shows organization, title, department.
		v := w.view(t, x)
		if v.Relation != "contact" || v.Mobile != "" || v.Email != "" || len(v.Companies) != 1 {
			t.Fatalf("default external view %+v", v)
		}
		c := v.Companies[0]
		if c.OrgName != "Tee Co" || c.Title != "Chief Scientist" || len(c.Departments) != 1 || c.WorkPhone != "" || len(c.Fields) != 0 {
			t.Fatalf("default external company %+v", c)
		}
		// Only the mobile: no company identity at all.
		w.privacy(t, map[string]any{"external_fields": []string{"mobile"}})
		v = w.view(t, x)
		if v.Mobile != "+8613912345678" || len(v.Companies) != 0 || v.Email != "" {
			t.Fatalf("mobile-only view %+v", v)
		}
		// Organization with email, work phone and the external custom fields.
		w.privacy(t, map[string]any{"external_fields": []string{"organization", "email", "work_phone", "custom_fields"}})
		v = w.view(t, x)
		c = v.Companies[0]
		if v.Email != "tia@example.test" || v.Mobile != "" || c.Title != "" || len(c.Departments) != 0 || c.WorkPhone != "+861055550000" ||
			string(c.Fields["Languages"]) != `"Chinese, English"` || c.Fields["Desk"] != nil {
			t.Fatalf("custom external view %+v / %+v", v, c)
		}
		w.T.do(t, "PATCH", "/api/v1/me/privacy", map[string]any{"external_fields": []string{"shoe_size"}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		// Colleagues are not external: they see the shared organization in full.
		cv := w.view(t, w.C)
		if cv.Companies[0].Title != "Chief Scientist" || cv.Companies[0].Fields["Desk"] == nil {
			t.Fatalf("colleague view %+v", cv)
		}
		// Removing a contact ends it on both sides.
		x.do(t, "DELETE", "/api/v1/contacts/"+w.T.AccountID, nil, nil).Want(t, http.StatusNoContent)
		if env.App.Directory().AreContacts(context.Background(), w.T.AccountID, x.AccountID) {
			t.Fatal("still contacts")
		}
		x.do(t, "DELETE", "/api/v1/contacts/"+w.T.AccountID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
	})
}

// TestPrivacyViaGroupAndCard: requests via a group chat or a shared contact
// card are allowed only while T allows them.
func TestPrivacyViaGroupAndCard(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newContactWorld(t, env)
		w.privacy(t, map[string]any{"discoverable": false})
		g := newPerson(t, env, "Gus Groupmate")
		k := newPerson(t, env, "Kim Cardholder")

		// Via a group chat.
		add := map[string]any{"account_id": w.T.AccountID, "via": "group", "group_id": "cnv_1"}
		// T is not discoverable: without a shared group T is, to Gus, no one.
		g.do(t, "POST", "/api/v1/contacts", add, nil).WantError(t, http.StatusNotFound, "not_found")
		env.App.Directory().SetGroupChecker(groups{"cnv_1": true})
		w.privacy(t, map[string]any{"allow_via_group": false})
		g.do(t, "POST", "/api/v1/contacts", add, nil).WantError(t, http.StatusForbidden, "contact_via_group_disabled")
		w.privacy(t, map[string]any{"allow_via_group": true})
		g.do(t, "POST", "/api/v1/contacts", map[string]any{"account_id": w.T.AccountID, "via": "group", "group_id": "cnv_2"}, nil).WantError(t, http.StatusNotFound, "not_found")
		g.do(t, "POST", "/api/v1/contacts", add, nil).Want(t, http.StatusAccepted)

		// Via a card: C (a colleague) passes T's card on; strangers cannot make one.
		k.do(t, "POST", "/api/v1/contacts/"+w.T.AccountID+"/card", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		var card directory.ContactCard
		w.C.do(t, "POST", "/api/v1/contacts/"+w.T.AccountID+"/card", nil, &card).Want(t, http.StatusOK)
		byCard := map[string]any{"via": "card", "card": card.Card}
		k.do(t, "POST", "/api/v1/contacts", map[string]any{"via": "card", "card": card.Card + "x"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		k.do(t, "POST", "/api/v1/contacts", map[string]any{"account_id": w.T.AccountID, "via": "card", "card": card.Card + "x"}, nil).WantError(t, http.StatusNotFound, "not_found")
		w.privacy(t, map[string]any{"allow_via_card": false})
		k.do(t, "POST", "/api/v1/contacts", byCard, nil).WantError(t, http.StatusForbidden, "contact_via_card_disabled")
		w.privacy(t, map[string]any{"allow_via_card": true, "require_verification": false})
		var res directory.AddContactResult
		k.do(t, "POST", "/api/v1/contacts", byCard, &res).Want(t, http.StatusCreated)
		if res.Status != "added" || res.AccountID != w.T.AccountID {
			t.Fatalf("add by card %+v", res)
		}
		// Search (by email) is still closed: T is not discoverable.
		g2 := newPerson(t, env, "Gil Searcher")
		g2.do(t, "POST", "/api/v1/contacts", map[string]any{"email": "tia@example.test"}, nil).WantError(t, http.StatusNotFound, "not_found")
		g2.do(t, "POST", "/api/v1/contacts", map[string]any{"email": "tia@example.test", "via": "carrier pigeon"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
	})
}
