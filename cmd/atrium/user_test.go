package main

import (
	"bytes"
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

func TestUserHelp(t *testing.T) {
	for _, sub := range []string{"create", "list", "reset-password", "disable-2fa"} {
		out, code := runCLI(t, "user", sub, "--help")
		if code != 0 || !strings.Contains(out, "--data-dir") {
			t.Fatalf("user %s --help: exit %d\n%s", sub, code, out)
		}
	}
}
