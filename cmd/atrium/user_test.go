package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// runCLIIn is runCLI with standard input.
func runCLIIn(t *testing.T, stdin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "ATRIUM_TEST_RUN_MAIN=1")
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), 0
}

func TestUserCommands(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			dir := t.TempDir()
			where := []string{"--data-dir", dir}
			pgURL := ""
			if kind == db.Postgres {
				pgURL = dbtest.NewPostgresURL(t)
				where = append(where, "--database-url", pgURL)
			}
			run := func(stdin string, args ...string) (string, int) {
				return runCLIIn(t, stdin, append(args, where...)...)
			}
			out, code := run("first password\n", "user", "create", "--email", "Op@Example.com", "--name", "Operator", "--password-stdin")
			if code != 0 || !strings.Contains(out, "created account acc_") || !strings.Contains(out, "<op@example.com>") {
				t.Fatalf("create: exit %d\n%s", code, out)
			}
			out, code = run("", "user", "create", "--email", "op@example.com", "--name", "Again")
			if code == 0 || !strings.Contains(out, "email_taken") {
				t.Fatalf("duplicate create: exit %d\n%s", code, out)
			}
			out, code = run("", "user", "list")
			if code != 0 || !strings.Contains(out, "op@example.com") || !strings.Contains(out, "Operator") || !strings.Contains(out, "active") {
				t.Fatalf("list: exit %d\n%s", code, out)
			}
			out, code = run("", "user", "reset-password", "--email", "op@example.com")
			m := regexp.MustCompile(`reset code for op@example.com: (\d{6})`).FindStringSubmatch(out)
			if code != 0 || m == nil {
				t.Fatalf("reset-password: exit %d\n%s", code, out)
			}
			out, code = run("", "user", "disable-2fa", "--email", "op@example.com")
			if code == 0 || !strings.Contains(out, "totp_not_enabled") {
				t.Fatalf("disable-2fa without 2FA: exit %d\n%s", code, out)
			}
			out, code = run("", "user", "reset-password", "--email", "nobody@example.com")
			if code == 0 || !strings.Contains(out, "no_account") {
				t.Fatalf("reset of unknown: exit %d\n%s", code, out)
			}

			// The server on the same data accepts the printed code, then the new password.
			env := servertest.StartWith(t, kind, servertest.Options{DataDir: dir, DatabaseURL: pgURL})
			c := env.Client()
			c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": "op@example.com", "password": "first password"}, nil).Want(t, http.StatusOK)
			c.Do(t, "POST", "/api/v1/auth/password-reset/confirm", map[string]any{"email": "op@example.com", "code": m[1], "new_password": "second password"}, nil).Want(t, http.StatusNoContent)
			env.Client().Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": "op@example.com", "password": "second password"}, nil).Want(t, http.StatusOK)

			out, code = run("third password\n", "user", "reset-password", "--email", "op@example.com", "--password-stdin")
			if code != 0 || !strings.Contains(out, "password set") {
				t.Fatalf("reset-password --password-stdin: exit %d\n%s", code, out)
			}
			env.Client().Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": "op@example.com", "password": "third password"}, nil).Want(t, http.StatusOK)
		})
	}
}

// TestUserAppPasswordCommands: `atrium user app-password create` prints
// the password once, `list` shows names and never secrets, `revoke` ends
// one; the server then accepts the live one and refuses the revoked one.
func TestUserAppPasswordCommands(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			dir := t.TempDir()
			where := []string{"--data-dir", dir}
			pgURL := ""
			if kind == db.Postgres {
				pgURL = dbtest.NewPostgresURL(t)
				where = append(where, "--database-url", pgURL)
			}
			run := func(stdin string, args ...string) (string, int) {
				return runCLIIn(t, stdin, append(args, where...)...)
			}
			if out, code := run("a long password\n", "user", "create", "--email", "ap@example.com", "--name", "Ap", "--password-stdin"); code != 0 {
				t.Fatalf("create: exit %d\n%s", code, out)
			}
			pwRe := regexp.MustCompile(`(?m)^app password (apw_\S+) \(Thunderbird\) for ap@example.com:\n([a-z2-7]{6}(-[a-z2-7]{6}){3})$`)
			out, code := run("", "user", "app-password", "create", "--email", "AP@example.com", "--name", "Thunderbird")
			m := pwRe.FindStringSubmatch(out)
			if code != 0 || m == nil {
				t.Fatalf("app-password create: exit %d\n%s", code, out)
			}
			out, code = run("", "user", "app-password", "create", "--email", "ap@example.com", "--name", "Old phone")
			old := regexp.MustCompile(`(apw_\S+) \(Old phone\)`).FindStringSubmatch(out)
			if code != 0 || old == nil {
				t.Fatalf("second create: exit %d\n%s", code, out)
			}
			oldSecret := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
			out, code = run("", "user", "app-password", "list", "--email", "ap@example.com")
			if code != 0 || !strings.Contains(out, "Thunderbird") || !strings.Contains(out, "Old phone") || strings.Contains(out, m[2]) || !strings.Contains(out, "never") {
				t.Fatalf("app-password list: exit %d\n%s", code, out)
			}
			if out, code = run("", "user", "app-password", "revoke", "--email", "ap@example.com", "--id", old[1]); code != 0 || !strings.Contains(out, "revoked") {
				t.Fatalf("app-password revoke: exit %d\n%s", code, out)
			}
			if out, code = run("", "user", "app-password", "revoke", "--email", "ap@example.com", "--id", old[1]); code == 0 || !strings.Contains(out, "not_found") {
				t.Fatalf("second revoke: exit %d\n%s", code, out)
			}
			if out, code = run("", "user", "app-password", "create", "--email", "nobody@example.com", "--name", "X"); code == 0 || !strings.Contains(out, "no_account") {
				t.Fatalf("create for unknown: exit %d\n%s", code, out)
			}

			env := servertest.StartWith(t, kind, servertest.Options{DataDir: dir, DatabaseURL: pgURL})
			ctx := context.Background()
			if _, err := env.App.Identity().AuthenticateAppPassword(ctx, "ap@example.com", m[2]); err != nil {
				t.Fatalf("the printed app password: %v", err)
			}
			if _, err := env.App.Identity().AuthenticateAppPassword(ctx, "ap@example.com", oldSecret); err == nil {
				t.Fatal("the revoked app password still works")
			}
		})
	}
}

func TestUserHelp(t *testing.T) {
	for _, sub := range []string{"create", "list", "reset-password", "disable-2fa", "app-password create", "app-password list", "app-password revoke"} {
		out, code := runCLI(t, append(append([]string{"user"}, strings.Fields(sub)...), "--help")...)
		if code != 0 || !strings.Contains(out, "--data-dir") {
			t.Fatalf("user %s --help: exit %d\n%s", sub, code, out)
		}
	}
}
