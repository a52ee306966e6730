package privacy_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const pw = "correct horse battery"

func setupToken(t *testing.T, env *servertest.Env) string { return env.SetupToken(t) }

type person struct {
	*servertest.Client
	AccountID string
	MemberID  string
	Email     string
}

type org struct {
	ID    string
	Owner *person
	env   *servertest.Env
}

func setupOrg(t *testing.T, env *servertest.Env) *org {
	t.Helper()
	c := env.Client()
	var res directory.SetupResult
	c.Do(t, "POST", "/api/v1/setup", map[string]any{
		"token":        setupToken(t, env),
		"organization": map[string]any{"name": "Acme", "region": "CN", "industry": "Software", "size": "11-50"},
		"owner":        map[string]any{"name": "Olivia Owner", "email": "owner@acme.test", "password": pw},
	}, &res).Want(t, http.StatusCreated)
	return &org{ID: res.Org.ID, Owner: &person{Client: c, AccountID: res.AccountID, Email: "owner@acme.test"}, env: env}
}

var seq atomic.Int64

func newPerson(t *testing.T, env *servertest.Env, n identity.NewAccount) *person {
	t.Helper()
	if n.Email == "" {
		n.Email = fmt.Sprintf("p%d@example.test", seq.Add(1))
	}
	if n.Name == "" {
		n.Name = "Pat Person"
	}
	n.Password = pw
	acc, err := env.App.Identity().CreateAccount(context.Background(), n)
	if err != nil {
		t.Fatalf("create account %s: %v", n.Email, err)
	}
	c := env.Client()
	c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": n.Email, "password": pw}, nil).Want(t, http.StatusOK)
	return &person{Client: c, AccountID: acc.ID, Email: n.Email}
}

// join adds p to o through a link invitation and switches p to it.
func (o *org) join(t *testing.T, p *person) {
	t.Helper()
	var inv directory.Invitation
	o.Owner.Do(t, "POST", "/api/v1/invitations", map[string]any{"kind": "link"}, &inv).Want(t, http.StatusCreated)
	_, tok, _ := strings.Cut(inv.Link, "token=")
	var res directory.JoinResult
	p.Do(t, "POST", "/api/v1/join", map[string]any{"token": tok}, &res).Want(t, http.StatusOK)
	p.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": o.ID}, nil).Want(t, http.StatusOK)
	p.MemberID = res.MemberID
}

// runJobs runs every due job of the privacy queue now.
func runJobs(t *testing.T, env *servertest.Env) {
	t.Helper()
	if _, err := env.App.Privacy().Jobs.RunDue(context.Background()); err != nil {
		t.Fatalf("run jobs: %v", err)
	}
}

// waitExport polls an export until it is ready.
func waitExport(t *testing.T, env *servertest.Env, p *person, id string) privacy.Export {
	t.Helper()
	var e privacy.Export
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		runJobs(t, env)
		p.Do(t, "GET", "/api/v1/me/exports/"+id, nil, &e).Want(t, http.StatusOK)
		if e.Status == privacy.ExportReady || e.Status == privacy.ExportFailed {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if e.Status != privacy.ExportReady {
		t.Fatalf("export not ready: %+v", e)
	}
	return e
}

// waitErasures runs jobs until none of the account's erasures is pending.
func waitErasures(t *testing.T, env *servertest.Env, accountID string) {
	t.Helper()
	for i := 0; i < 500; i++ {
		runJobs(t, env)
		var n int
		if err := env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM erasure_ledger WHERE account_id = $1 AND status = 'scheduled'`, accountID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		var running int
		_ = env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM jobs WHERE state IN ('running', 'queued') AND kind = 'privacy.erase' AND run_at <= $1`, time.Now().UnixMilli()).Scan(&running)
		if n == 0 && running == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("erasures of %s did not finish", accountID)
}

// waitJobs runs jobs until no privacy job is due or running (the server's
// own worker may hold one).
func waitJobs(t *testing.T, env *servertest.Env) {
	t.Helper()
	for i := 0; i < 500; i++ {
		runJobs(t, env)
		var n int
		if err := env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM jobs WHERE kind LIKE 'privacy.%' AND (state = 'running' OR (state = 'queued' AND run_at <= $1))`, time.Now().UnixMilli()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("privacy jobs did not finish")
}
