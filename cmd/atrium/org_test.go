package main

import (
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/server/servertest"
)

var setupLink = regexp.MustCompile(`/setup\?token=([0-9a-f]+)`)

// TestOrgCommands: a person signs in from the CLI, lists their
// organizations, creates one, switches between them and quits one.
func TestOrgCommands(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		var m []string
		for i := 0; i < 500 && m == nil; i++ {
			if m = setupLink.FindStringSubmatch(env.Out.String()); m == nil {
				time.Sleep(10 * time.Millisecond)
			}
		}
		if m == nil {
			t.Fatalf("no setup link: %s", env.Out.String())
		}
		owner := env.Client()
		var res struct {
			Organization struct{ ID string } `json:"organization"`
		}
		owner.Do(t, "POST", "/api/v1/setup", map[string]any{"token": m[1],
			"organization": map[string]any{"name": "Acme"},
			"owner":        map[string]any{"name": "Olivia", "email": "olivia@acme.test", "password": "correct horse battery"}}, &res).Want(t, http.StatusCreated)
		acme := res.Organization.ID

		tokenFile := filepath.Join(t.TempDir(), "token")
		run := func(stdin string, args ...string) string {
			t.Helper()
			out, code := runCLIIn(t, stdin, append(args, "--server", env.URL, "--token-file", tokenFile)...)
			if code != 0 {
				t.Fatalf("atrium %s: exit %d\n%s", strings.Join(args, " "), code, out)
			}
			return out
		}
		if out, code := runCLIIn(t, "", "org", "list", "--server", env.URL, "--token-file", tokenFile); code == 0 || !strings.Contains(out, "atrium org login") {
			t.Fatalf("list before login: exit %d\n%s", code, out)
		}
		if out, code := runCLIIn(t, "wrong password\n", "org", "login", "--email", "olivia@acme.test", "--password-stdin", "--server", env.URL, "--token-file", tokenFile); code == 0 || !strings.Contains(out, "invalid_credentials") {
			t.Fatalf("login with a wrong password: exit %d\n%s", code, out)
		}
		run("correct horse battery\n", "org", "login", "--email", "olivia@acme.test", "--password-stdin")
		out := run("", "org", "list")
		if !strings.Contains(out, acme) || !strings.Contains(out, "Acme") || !strings.Contains(out, "owner") {
			t.Fatalf("list:\n%s", out)
		}
		out = run("", "org", "create", "Beta Ltd", "--size", "1-10")
		beta := strings.TrimSpace(strings.TrimPrefix(out, "created "))
		out = run("", "org", "list")
		if !strings.Contains(out, "* "+beta) && !regexp.MustCompile(`\*\s+`+beta).MatchString(out) {
			t.Fatalf("the new organization is not current:\n%s", out)
		}
		run("", "org", "switch", acme)
		if out = run("", "org", "list"); !regexp.MustCompile(`\*\s+` + acme).MatchString(out) {
			t.Fatalf("switch did not take:\n%s", out)
		}
		// The owner cannot quit; the error names the reason.
		if out, code := runCLIIn(t, "", "org", "quit", "--server", env.URL, "--token-file", tokenFile); code == 0 || !strings.Contains(out, "owner_cannot_quit") {
			t.Fatalf("owner quit: exit %d\n%s", code, out)
		}
		if out, code := runCLIIn(t, "", "org", "switch", "org_00000000000000000000000000000000", "--server", env.URL, "--token-file", tokenFile); code == 0 || !strings.Contains(out, "not_found") {
			t.Fatalf("switch to a stranger's org: exit %d\n%s", code, out)
		}
	})
}
