package identity_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const pw = "correct horse battery"

func svc(t *testing.T, env *servertest.Env) *identity.Service {
	t.Helper()
	s := env.App.Identity()
	if s == nil {
		t.Fatal("the server has no identity service")
	}
	return s
}

// setLimits lowers the lockout threshold for a test.
func setLimits(t *testing.T, env *servertest.Env, fn func(l *identity.Limits)) {
	l := svc(t, env).Limits()
	fn(&l)
	svc(t, env).SetLimits(l)
}

var codeRe = regexp.MustCompile(`code is (\d{6})`)

// emails returns the log lines of emails delivered to addr (no SMTP in
// tests: the outbox writes them to the log).
func emails(env *servertest.Env, addr string) []string {
	var out []string
	for _, line := range strings.Split(env.Logs.String(), "\n") {
		if strings.Contains(line, "msg=email to="+addr+" ") {
			out = append(out, line)
		}
	}
	return out
}

// waitEmail waits until the n-th email to addr arrives and returns it.
func waitEmail(t *testing.T, env *servertest.Env, addr string, n int) string {
	t.Helper()
	for i := 0; i < 500; i++ {
		if es := emails(env, addr); len(es) >= n {
			return es[n-1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no email #%d to %s; log:\n%s", n, addr, env.Logs.String())
	return ""
}

// codeIn extracts the 6-digit code of an email line.
func codeIn(t *testing.T, line string) string {
	t.Helper()
	m := codeRe.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("no code in %q", line)
	}
	return m[1]
}

// signUp registers and verifies an account, returning a signed-in cookie
// client.
func signUp(t *testing.T, env *servertest.Env, email, phone string) (*servertest.Client, identity.LoginResult) {
	t.Helper()
	c := env.Client()
	local, _, _ := strings.Cut(email, "@")
	body := map[string]any{"email": email, "password": pw, "name": "Test " + local}
	if phone != "" {
		body["phone"] = phone
	}
	before := len(emails(env, email))
	c.Do(t, "POST", "/api/v1/auth/register", body, nil).Want(t, http.StatusAccepted)
	code := codeIn(t, waitEmail(t, env, email, before+1))
	var res identity.LoginResult
	c.Do(t, "POST", "/api/v1/auth/verify", map[string]any{"email": email, "code": code, "password": pw}, &res).Want(t, http.StatusOK)
	if res.Account.Status != identity.StatusActive || res.Account.Email != email {
		t.Fatalf("verified account = %+v", res.Account)
	}
	return c, res
}

// login signs in a new cookie client.
func login(t *testing.T, env *servertest.Env, body map[string]any) (*servertest.Client, *servertest.Response) {
	t.Helper()
	c := env.Client()
	var res identity.LoginResult
	r := c.Do(t, "POST", "/api/v1/auth/login", body, &res)
	if res.Token != "" {
		c.Token = res.Token
	}
	return c, r
}

// auditActions lists the audit actions (with outcome) recorded so far.
func auditActions(t *testing.T, env *servertest.Env) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := env.App.DB.R(ctx).QueryContext(ctx, `SELECT action, outcome FROM audit_log ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a, o string
		if err := rows.Scan(&a, &o); err != nil {
			t.Fatal(err)
		}
		out = append(out, a+":"+o)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
