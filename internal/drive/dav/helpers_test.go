package dav_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const pw = "correct horse battery"

// person is a signed-in member of Acme.
type person struct {
	*servertest.Client
	Email     string
	MemberID  string
	AccountID string
	OrgID     string
}

// ctx is a context acting as the person in Acme (for the drive service).
func (p person) ctx() context.Context {
	return actor.With(context.Background(), &actor.Actor{AccountID: p.AccountID, OrgID: p.OrgID, MemberID: p.MemberID})
}

// acme sets up Acme with its owner Olivia and has the named people join
// it; it returns them signed in, in Acme, owner first.
func acme(t testing.TB, env *servertest.Env, names ...string) []person {
	t.Helper()
	tok := env.SetupToken(t)
	owner := env.Client()
	var res directory.SetupResult
	owner.Do(t, "POST", "/api/v1/setup", map[string]any{"token": tok, "organization": map[string]any{"name": "Acme"},
		"owner": map[string]any{"name": "Olivia", "email": "owner@acme.test", "password": pw}}, &res).Want(t, http.StatusCreated)
	var me directory.Member
	owner.Do(t, "GET", "/api/v1/members/me", nil, &me).Want(t, http.StatusOK)
	out := []person{{Client: owner, Email: "owner@acme.test", MemberID: me.ID, AccountID: me.AccountID, OrgID: res.Org.ID}}
	for _, n := range names {
		email := strings.ToLower(n) + "@acme.test"
		acc, err := env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: email, Password: pw, Name: n})
		if err != nil {
			t.Fatal(err)
		}
		c := env.Client()
		c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw}, nil).Want(t, http.StatusOK)
		var inv directory.Invitation
		owner.Do(t, "POST", "/api/v1/invitations", map[string]any{"kind": "link"}, &inv).Want(t, http.StatusCreated)
		_, itok, _ := strings.Cut(inv.Link, "token=")
		var jr directory.JoinResult
		c.Do(t, "POST", "/api/v1/join", map[string]any{"token": itok}, &jr).Want(t, http.StatusOK)
		c.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": res.Org.ID}, nil).Want(t, http.StatusOK)
		out = append(out, person{Client: c, Email: email, MemberID: jr.MemberID, AccountID: acc.ID, OrgID: res.Org.ID})
	}
	return out
}

// teamSpace has the owner create an organization space with members.
func teamSpace(t testing.TB, env *servertest.Env, owner person, name string, members ...drive.Member) drive.Space {
	t.Helper()
	sp, err := env.App.Drive().CreateSpace(owner.ctx(), drive.SpaceInput{Kind: drive.KindTeam, Name: name, Members: members})
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// dav is a WebDAV client signed in with an app password.
type dav struct {
	t             testing.TB
	base          string
	login, secret string
}

func davOf(t testing.TB, env *servertest.Env, p person) dav {
	t.Helper()
	var np identity.NewAppPassword
	p.Do(t, "POST", "/api/v1/me/app-passwords", map[string]any{"name": "Files", "password": pw}, &np).Want(t, http.StatusCreated)
	return dav{t: t, base: env.URL, login: p.Email, secret: np.Password}
}

// do sends a request (headers as name, value pairs) and returns the
// status, headers and body.
func (d dav) do(method, path, body string, hdr ...string) (int, http.Header, string) {
	d.t.Helper()
	u := path
	if !strings.HasPrefix(u, "http") {
		u = d.base + path
	}
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	req.SetBasicAuth(d.login, d.secret)
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

// want sends a request and fails unless it answers status.
func (d dav) want(status int, method, path, body string, hdr ...string) (http.Header, string) {
	d.t.Helper()
	code, h, b := d.do(method, path, body, hdr...)
	if code != status {
		d.t.Fatalf("%s %s: %d, want %d\n%s", method, path, code, status, b)
	}
	return h, b
}

const propfindAll = `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`
