package identity_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/server"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestCookieNamesMatchTheServer(t *testing.T) {
	if identity.SessionCookie != server.SessionCookie || identity.CSRFCookie != server.CSRFCookie {
		t.Fatal("identity and server disagree on cookie names")
	}
}

func TestRegisterVerifyLoginMeLogout(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		const email = "ada@example.com"
		c := env.Client()
		c.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": " Ada@Example.com ", "password": pw, "name": "Ada"}, nil).Want(t, http.StatusAccepted)
		code := codeIn(t, waitEmail(t, env, email, 1))

		// Not verified yet: signing in with the right password says so.
		_, r := login(t, env, map[string]any{"email": email, "password": pw})
		r.WantError(t, http.StatusForbidden, "email_not_verified")
		// A wrong code is refused.
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		c.Do(t, "POST", "/api/v1/auth/verify", map[string]any{"email": email, "code": wrong, "password": pw}, nil).WantError(t, http.StatusBadRequest, "invalid_code")

		var res identity.LoginResult
		r = c.Do(t, "POST", "/api/v1/auth/verify", map[string]any{"email": email, "code": code, "password": pw}, &res).Want(t, http.StatusOK)
		if res.Token != "" || res.Account.Status != "active" || res.Account.Email != email {
			t.Fatalf("verify answered %+v", res)
		}
		// The code is single use.
		env.Client().Do(t, "POST", "/api/v1/auth/verify", map[string]any{"email": email, "code": code, "password": pw}, nil).WantError(t, http.StatusBadRequest, "invalid_code")

		var me identity.Account
		c.Do(t, "GET", "/api/v1/me", nil, &me).Want(t, http.StatusOK)
		if me.ID != res.Account.ID || me.Name != "Ada" || me.Email != email {
			t.Fatalf("me = %+v", me)
		}

		// Log out: the session is gone server-side, even for a copy of the cookie.
		var sessionCookie *http.Cookie
		for _, ck := range r.Header.Values("Set-Cookie") {
			if strings.HasPrefix(ck, "atrium_session=") {
				sessionCookie, _ = http.ParseSetCookie(ck)
			}
		}
		if sessionCookie == nil {
			t.Fatal("verify set no session cookie")
		}
		c.Do(t, "POST", "/api/v1/auth/logout", nil, nil).Want(t, http.StatusNoContent)
		c.Do(t, "GET", "/api/v1/me", nil, nil).WantError(t, http.StatusUnauthorized, "unauthenticated")
		req, _ := http.NewRequest("GET", env.URL+"/api/v1/me", nil)
		req.AddCookie(&http.Cookie{Name: "atrium_session", Value: sessionCookie.Value})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a logged-out cookie still works: %d", resp.StatusCode)
		}

		// Log in again (cookie), then as a bearer client.
		c2, r := login(t, env, map[string]any{"email": "ADA@example.com", "password": pw})
		r.Want(t, http.StatusOK)
		c2.Do(t, "GET", "/api/v1/me", nil, nil).Want(t, http.StatusOK)
		cb, r := login(t, env, map[string]any{"email": email, "password": pw, "bearer": true})
		r.Want(t, http.StatusOK)
		if cb.Token == "" || len(r.Header.Values("Set-Cookie")) != 0 {
			t.Fatalf("bearer login: token %q, cookies %v", cb.Token, r.Header.Values("Set-Cookie"))
		}
		cb.Do(t, "GET", "/api/v1/me", nil, nil).Want(t, http.StatusOK)
		cb.Do(t, "POST", "/api/v1/auth/logout", nil, nil).Want(t, http.StatusNoContent)
		cb.Do(t, "GET", "/api/v1/me", nil, nil).WantError(t, http.StatusUnauthorized, "unauthenticated")

		// Registering the address again answers the same and tells the owner.
		env.Client().Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": email, "password": "another password", "name": "Mallory"}, nil).Want(t, http.StatusAccepted)
		line := waitEmail(t, env, email, 2)
		if !strings.Contains(line, "already have an Atrium account") || codeRe.MatchString(line) {
			t.Fatalf("second registration email: %s", line)
		}
		c2.Do(t, "GET", "/api/v1/me", nil, &me).Want(t, http.StatusOK)
		if me.Name != "Ada" {
			t.Fatalf("re-registration changed the account: %+v", me)
		}

		acts := auditActions(t, env)
		for _, want := range []string{"identity.register:success", "identity.verify:success", "identity.login:success", "identity.logout:success", "identity.register:failure"} {
			if !contains(acts, want) {
				t.Errorf("audit lacks %s: %v", want, acts)
			}
		}
		// Secrets never reach the log.
		if strings.Contains(env.Logs.String(), pw) || strings.Contains(env.Logs.String(), cb.Token) || strings.Contains(env.Logs.String(), sessionCookie.Value) {
			t.Fatal("a password or session token was logged")
		}
	})
}

func TestCookieAttributes(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		signUp(t, env, "cookie@example.com", "")
		_, r := login(t, env, map[string]any{"email": "cookie@example.com", "password": pw})
		r.Want(t, http.StatusOK)
		var sess, csrf *http.Cookie
		for _, v := range r.Header.Values("Set-Cookie") {
			ck, err := http.ParseSetCookie(v)
			if err != nil {
				t.Fatal(err)
			}
			switch ck.Name {
			case server.SessionCookie:
				sess = ck
			case server.CSRFCookie:
				csrf = ck
			}
		}
		if sess == nil || csrf == nil {
			t.Fatalf("cookies: %v", r.Header.Values("Set-Cookie"))
		}
		if !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/" || sess.MaxAge <= 0 || len(sess.Value) != 64 {
			t.Fatalf("session cookie %+v", sess)
		}
		if csrf.HttpOnly || csrf.SameSite != http.SameSiteLaxMode || csrf.Value == "" {
			t.Fatalf("CSRF cookie %+v (must be readable by scripts)", csrf)
		}
		// Plain HTTP test server: not Secure.
		if sess.Secure {
			t.Fatal("Secure cookie on a plain-HTTP server")
		}
		// The token is stored only as its SHA-256.
		var n int
		ctx := context.Background()
		if err := env.App.DB.R(ctx).QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE token_hash = $1`, sess.Value).Scan(&n); err != nil || n != 0 {
			t.Fatalf("raw token found in sessions (n=%d, err=%v)", n, err)
		}
	})
}

func TestWrongPasswordAndUnknownEmailAnswerAlike(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		signUp(t, env, "bob@example.com", "")
		_, r1 := login(t, env, map[string]any{"email": "bob@example.com", "password": "wrong password"})
		r1.WantError(t, http.StatusUnauthorized, "invalid_credentials")
		_, r2 := login(t, env, map[string]any{"email": "nobody@example.com", "password": "wrong password"})
		r2.WantError(t, http.StatusUnauthorized, "invalid_credentials")
		strip := regexp.MustCompile(`"request_id":"[^"]*"`)
		if a, b := strip.ReplaceAll(r1.Body, nil), strip.ReplaceAll(r2.Body, nil); !bytes.Equal(a, b) {
			t.Fatalf("answers differ:\n%s\n%s", a, b)
		}
		_, r := login(t, env, map[string]any{"email": "bob@example.com"})
		r.WantError(t, http.StatusBadRequest, "invalid_field")
		if !contains(auditActions(t, env), "identity.login:failure") {
			t.Error("failed sign-in not audited")
		}
	})
}

// from returns a new cookie client whose requests come from ip (the test
// server trusts X-Forwarded-For).
func from(env *servertest.Env, ip string) *servertest.Client {
	c := env.Client()
	c.HTTP.Transport = forwardedFor(ip)
	return c
}

type forwardedFor string

func (ip forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", string(ip))
	return http.DefaultTransport.RoundTrip(r)
}

// eachBehindProxy runs fn on both databases with a server that takes the
// client address from X-Forwarded-For.
func eachBehindProxy(t *testing.T, fn func(t *testing.T, env *servertest.Env)) {
	for _, kind := range []db.Kind{db.SQLite, db.Postgres} {
		t.Run(string(kind), func(t *testing.T) {
			fn(t, servertest.StartWith(t, kind, servertest.Options{Configure: func(c *config.Config) { c.TrustProxy = true }}))
		})
	}
}

func signIn(t *testing.T, c *servertest.Client, body map[string]any) *servertest.Response {
	t.Helper()
	return c.Do(t, "POST", "/api/v1/auth/login", body, nil)
}

// TestAttackerAddressIsThrottledNotTheOwner: guesses from one address slow
// down that address only; the owner signs in from theirs at once.
func TestAttackerAddressIsThrottledNotTheOwner(t *testing.T) {
	eachBehindProxy(t, func(t *testing.T, env *servertest.Env) {
		setLimits(t, env, func(l *identity.Limits) {
			l.PairFreeFailures, l.PairBackoff, l.PairBackoffMax = 3, time.Hour, 2*time.Hour
		})
		const email = "carol@example.com"
		signUp(t, env, email, "")
		attacker := from(env, "203.0.113.9")
		for i := 0; i < 3; i++ {
			signIn(t, attacker, map[string]any{"email": email, "password": "guess " + strconv.Itoa(i)}).WantError(t, http.StatusUnauthorized, "invalid_credentials")
		}
		r := signIn(t, attacker, map[string]any{"email": email, "password": "guess 3"}).WantError(t, http.StatusTooManyRequests, "too_many_attempts")
		ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || ra < 3000 || ra > 3600 {
			t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		// The attacker's address waits even with the right password …
		signIn(t, attacker, map[string]any{"email": email, "password": pw}).WantError(t, http.StatusTooManyRequests, "too_many_attempts")
		// … but the owner, from their own address and a fresh browser, is in.
		signIn(t, from(env, "198.51.100.7"), map[string]any{"email": email, "password": pw}).Want(t, http.StatusOK)
		// The wait is per account: the attacker's address may still sign in
		// to another account (the per-address cap is separate).
		signUp(t, env, "dave@example.com", "")
		signIn(t, attacker, map[string]any{"email": "dave@example.com", "password": pw}).Want(t, http.StatusOK)
		// An unknown address is throttled the same way: nothing is revealed.
		for i := 0; i < 3; i++ {
			signIn(t, attacker, map[string]any{"email": "ghost@example.com", "password": "guess"}).WantError(t, http.StatusUnauthorized, "invalid_credentials")
		}
		signIn(t, attacker, map[string]any{"email": "ghost@example.com", "password": "guess"}).WantError(t, http.StatusTooManyRequests, "too_many_attempts")
	})
}

// TestDistributedGuessingIsSlowedNotLocked: guesses from many addresses
// push the account into a shared slow lane; the owner still signs in from a
// known device, or with a code emailed to them, at once.
func TestDistributedGuessingIsSlowedNotLocked(t *testing.T) {
	eachBehindProxy(t, func(t *testing.T, env *servertest.Env) {
		setLimits(t, env, func(l *identity.Limits) { l.LoginFailures, l.AccountSlowEvery = 4, time.Hour })
		const email = "erin@example.com"
		device, _ := signUp(t, env, email, "") // this browser now holds a device cookie
		for i := 0; i < 5; i++ {
			// The fifth failure is past the cap: it takes the slow lane's slot.
			signIn(t, from(env, "203.0.113."+strconv.Itoa(10+i)), map[string]any{"email": email, "password": "guess"}).
				WantError(t, http.StatusUnauthorized, "invalid_credentials")
		}
		signIn(t, from(env, "203.0.113.99"), map[string]any{"email": email, "password": "guess"}).WantError(t, http.StatusTooManyRequests, "too_many_attempts")
		// A new browser on a new address waits its turn too, right password or not …
		signIn(t, from(env, "198.51.100.7"), map[string]any{"email": email, "password": pw}).WantError(t, http.StatusTooManyRequests, "too_many_attempts")
		// … but the owner's known device is not slowed.
		device.HTTP.Transport = forwardedFor("198.51.100.8")
		signIn(t, device, map[string]any{"email": email, "password": pw}).Want(t, http.StatusOK)
		// Nor is a new browser with a code emailed to the owner.
		fresh := from(env, "198.51.100.9")
		fresh.Do(t, "POST", "/api/v1/auth/login-code", map[string]any{"email": email}, nil).Want(t, http.StatusAccepted)
		code := ""
		for i := 0; i < 500 && code == ""; i++ {
			for _, e := range emails(env, email) {
				if strings.Contains(e, "sign-in code is") {
					code = codeIn(t, e)
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
		if code == "" {
			t.Fatalf("no sign-in code emailed; log:\n%s", env.Logs.String())
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		signIn(t, fresh, map[string]any{"email": email, "password": pw, "email_code": wrong}).WantError(t, http.StatusBadRequest, "invalid_code")
		signIn(t, fresh, map[string]any{"email": email, "password": pw, "email_code": code}).Want(t, http.StatusOK)
		// A code is single use, and an unknown address gets the same answer.
		signIn(t, from(env, "198.51.100.10"), map[string]any{"email": email, "password": pw, "email_code": code}).WantError(t, http.StatusBadRequest, "invalid_code")
		fresh.Do(t, "POST", "/api/v1/auth/login-code", map[string]any{"email": "ghost@example.com"}, nil).Want(t, http.StatusAccepted)
		// The browser that used the code is now a known device itself.
		fresh.HTTP.Transport = forwardedFor("198.51.100.11")
		signIn(t, fresh, map[string]any{"email": email, "password": pw}).Want(t, http.StatusOK)
		if !contains(auditActions(t, env), "identity.login_code_request:success") {
			t.Error("sign-in code request not audited")
		}
	})
}

func TestLockoutPerIP(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		setLimits(t, env, func(l *identity.Limits) { l.LoginFailuresPerIP = 4 })
		signUp(t, env, "erin@example.com", "")
		for i := 0; i < 4; i++ {
			_, r := login(t, env, map[string]any{"email": "user" + strconv.Itoa(i) + "@example.com", "password": "guess"})
			r.WantError(t, http.StatusUnauthorized, "invalid_credentials")
		}
		_, r := login(t, env, map[string]any{"email": "erin@example.com", "password": pw})
		r.WantError(t, http.StatusTooManyRequests, "too_many_attempts")
	})
}

func TestRateLimitSurvivesRestart(t *testing.T) {
	for _, kind := range []db.Kind{db.SQLite, db.Postgres} {
		t.Run(string(kind), func(t *testing.T) {
			dir := t.TempDir()
			env := servertest.StartWith(t, kind, servertest.Options{DataDir: dir})
			slow := func(l *identity.Limits) { l.PairFreeFailures, l.PairBackoff = 2, time.Hour }
			setLimits(t, env, slow)
			signUp(t, env, "frank@example.com", "")
			for i := 0; i < 2; i++ {
				_, r := login(t, env, map[string]any{"email": "frank@example.com", "password": "guess"})
				r.WantError(t, http.StatusUnauthorized, "invalid_credentials")
			}
			// A second server on the same data (a restart, or another node).
			env2 := servertest.StartWith(t, kind, servertest.Options{DataDir: dir, DatabaseURL: env.App.Cfg.DatabaseURL})
			setLimits(t, env2, slow)
			_, r := login(t, env2, map[string]any{"email": "frank@example.com", "password": pw})
			r.WantError(t, http.StatusTooManyRequests, "too_many_attempts")
		})
	}
}

// Someone who knows the password cannot guess second-factor codes without
// the backoff by asking with the password alone between guesses.
func TestTOTPGuessesKeepTheirBackoff(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		const email = "hopper@example.com"
		c, _ := signUp(t, env, email, "")
		var setup identity.TOTPSetup
		c.Do(t, "POST", "/api/v1/me/2fa/setup", nil, &setup).Want(t, http.StatusOK)
		code, _ := totp.GenerateCode(setup.Secret, time.Now())
		c.Do(t, "POST", "/api/v1/me/2fa/enable", map[string]any{"code": code}, nil).Want(t, http.StatusOK)
		setLimits(t, env, func(l *identity.Limits) { l.PairFreeFailures = 2 })
		wrong := "000000"
		for _, step := range []int{-2, -1, 0, 1, 2} {
			if c, _ := totp.GenerateCode(setup.Secret, time.Now().Add(time.Duration(step)*30*time.Second)); c == wrong {
				wrong = "111111"
			}
		}
		// Not through turning 2FA off either: ten tries an hour.
		for i := 0; i < 10; i++ {
			c.Do(t, "POST", "/api/v1/me/2fa/disable", map[string]any{"password": pw, "code": wrong}, nil).WantError(t, http.StatusForbidden, "invalid_second_factor")
		}
		c.Do(t, "POST", "/api/v1/me/2fa/disable", map[string]any{"password": pw, "code": wrong}, nil).WantError(t, http.StatusTooManyRequests, "too_many_attempts")
		limited := false
		for i := 0; i < 6 && !limited; i++ {
			for _, body := range []map[string]any{{"email": email, "password": pw, "totp_code": wrong}, {"email": email, "password": pw}} {
				_, r := login(t, env, body)
				if r.Status == http.StatusTooManyRequests {
					limited = true
					break
				}
			}
		}
		if !limited {
			t.Fatal("wrong codes interleaved with password-only sign-ins were never slowed down")
		}
	})
}

func TestTOTPEnrolmentAndLogin(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		const email = "grace@example.com"
		c, _ := signUp(t, env, email, "")
		c.Do(t, "POST", "/api/v1/me/2fa/enable", map[string]any{"code": "123456"}, nil).WantError(t, http.StatusConflict, "totp_not_set_up")
		var setup identity.TOTPSetup
		c.Do(t, "POST", "/api/v1/me/2fa/setup", nil, &setup).Want(t, http.StatusOK)
		if setup.Secret == "" || !strings.HasPrefix(setup.OTPAuthURL, "otpauth://totp/Atrium:") {
			t.Fatalf("setup = %+v", setup)
		}
		code, _ := totp.GenerateCode(setup.Secret, time.Now())
		var rc identity.RecoveryCodes
		c.Do(t, "POST", "/api/v1/me/2fa/enable", map[string]any{"code": code}, &rc).Want(t, http.StatusOK)
		if len(rc.RecoveryCodes) != 10 {
			t.Fatalf("recovery codes: %v", rc.RecoveryCodes)
		}
		var me identity.Account
		c.Do(t, "GET", "/api/v1/me", nil, &me).Want(t, http.StatusOK)
		if !me.TOTPEnabled {
			t.Fatal("2FA not shown as enabled")
		}

		// Password alone is not enough.
		_, r := login(t, env, map[string]any{"email": email, "password": pw})
		r.WantError(t, http.StatusUnauthorized, "totp_required")
		// A wrong code fails.
		_, r = login(t, env, map[string]any{"email": email, "password": pw, "totp_code": "000000"})
		if r.Status == http.StatusOK {
			t.Skip("the random code happened to be right")
		}
		r.WantError(t, http.StatusUnauthorized, "invalid_totp_code")
		// The next step's code (clock skew allows one step) works once.
		next, _ := totp.GenerateCode(setup.Secret, time.Now().Add(30*time.Second))
		_, r = login(t, env, map[string]any{"email": email, "password": pw, "totp_code": next})
		r.Want(t, http.StatusOK)
		_, r = login(t, env, map[string]any{"email": email, "password": pw, "totp_code": next})
		r.WantError(t, http.StatusUnauthorized, "invalid_totp_code")
		// So does the code that enabled 2FA: it was used.
		_, r = login(t, env, map[string]any{"email": email, "password": pw, "totp_code": code})
		r.WantError(t, http.StatusUnauthorized, "invalid_totp_code")

		// A recovery code works once, written any way.
		rcode := strings.ToUpper(strings.ReplaceAll(rc.RecoveryCodes[3], "-", " "))
		_, r = login(t, env, map[string]any{"email": email, "password": pw, "recovery_code": rcode})
		r.Want(t, http.StatusOK)
		_, r = login(t, env, map[string]any{"email": email, "password": pw, "recovery_code": rc.RecoveryCodes[3]})
		r.WantError(t, http.StatusUnauthorized, "invalid_recovery_code")

		// Disabling needs the password and a code.
		c.Do(t, "POST", "/api/v1/me/2fa/disable", map[string]any{"password": "wrong password", "code": rc.RecoveryCodes[0]}, nil).WantError(t, http.StatusForbidden, "invalid_password")
		c.Do(t, "POST", "/api/v1/me/2fa/disable", map[string]any{"password": pw, "code": "nonsense"}, nil).WantError(t, http.StatusForbidden, "invalid_second_factor")
		c.Do(t, "POST", "/api/v1/me/2fa/disable", map[string]any{"password": pw, "code": rc.RecoveryCodes[0]}, nil).Want(t, http.StatusNoContent)
		_, r = login(t, env, map[string]any{"email": email, "password": pw})
		r.Want(t, http.StatusOK)

		acts := auditActions(t, env)
		for _, want := range []string{"identity.2fa_enable:success", "identity.2fa_disable:success"} {
			if !contains(acts, want) {
				t.Errorf("audit lacks %s", want)
			}
		}
		// The secret is sealed at rest.
		ctx := context.Background()
		var n int
		if err := env.App.DB.R(ctx).QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("recovery codes left after disable: %d %v", n, err)
		}
	})
}

func TestSessionRevocation(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		a, _ := signUp(t, env, "heidi@example.com", "")
		b, r := login(t, env, map[string]any{"email": "heidi@example.com", "password": pw, "device_id": "laptop"})
		r.Want(t, http.StatusOK)
		var list identity.SessionList
		a.Do(t, "GET", "/api/v1/me/sessions", nil, &list).Want(t, http.StatusOK)
		if len(list.Items) != 2 {
			t.Fatalf("sessions: %+v", list)
		}
		var other string
		current := 0
		for _, s := range list.Items {
			if s.Current {
				current++
			} else {
				other = s.ID
				if s.DeviceID != "laptop" || s.IP != "127.0.0.1" || s.Kind != "cookie" || s.ExpiresAt <= s.CreatedAt {
					t.Fatalf("session %+v", s)
				}
			}
		}
		if current != 1 || other == "" {
			t.Fatalf("current marked %d times: %+v", current, list)
		}

		// Someone else cannot end it: not found, like a missing id.
		mallory, _ := signUp(t, env, "mallory@example.com", "")
		mallory.Do(t, "DELETE", "/api/v1/me/sessions/"+other, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		mallory.Do(t, "DELETE", "/api/v1/me/sessions/ses_00000000000000000000000000000000", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		b.Do(t, "GET", "/api/v1/me", nil, nil).Want(t, http.StatusOK)

		a.Do(t, "DELETE", "/api/v1/me/sessions/"+other, nil, nil).Want(t, http.StatusNoContent)
		b.Do(t, "GET", "/api/v1/me", nil, nil).WantError(t, http.StatusUnauthorized, "unauthenticated")
		a.Do(t, "GET", "/api/v1/me", nil, nil).Want(t, http.StatusOK)
		if !contains(auditActions(t, env), "identity.session_revoke:success") {
			t.Error("revocation not audited")
		}
	})
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		a, _ := signUp(t, env, "ivan@example.com", "")
		b, r := login(t, env, map[string]any{"email": "ivan@example.com", "password": pw})
		r.Want(t, http.StatusOK)
		bearer, r := login(t, env, map[string]any{"email": "ivan@example.com", "password": pw, "bearer": true})
		r.Want(t, http.StatusOK)

		a.Do(t, "POST", "/api/v1/me/password", map[string]any{"current_password": "wrong password", "new_password": "new password 1"}, nil).WantError(t, http.StatusForbidden, "invalid_password")
		a.Do(t, "POST", "/api/v1/me/password", map[string]any{"current_password": pw, "new_password": "short"}, nil).WantError(t, http.StatusBadRequest, "password_too_short")
		a.Do(t, "POST", "/api/v1/me/password", map[string]any{"current_password": pw, "new_password": "new password 1"}, nil).Want(t, http.StatusNoContent)

		a.Do(t, "GET", "/api/v1/me", nil, nil).Want(t, http.StatusOK)
		b.Do(t, "GET", "/api/v1/me", nil, nil).WantError(t, http.StatusUnauthorized, "unauthenticated")
		bearer.Do(t, "GET", "/api/v1/me", nil, nil).WantError(t, http.StatusUnauthorized, "unauthenticated")
		_, r = login(t, env, map[string]any{"email": "ivan@example.com", "password": pw})
		r.WantError(t, http.StatusUnauthorized, "invalid_credentials")
		_, r = login(t, env, map[string]any{"email": "ivan@example.com", "password": "new password 1"})
		r.Want(t, http.StatusOK)
		if !contains(auditActions(t, env), "identity.password_change:success") {
			t.Error("password change not audited")
		}
	})
}

func TestPasswordReset(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		const email = "judy@example.com"
		old, _ := signUp(t, env, email, "")
		c := env.Client()
		c.Do(t, "POST", "/api/v1/auth/password-reset", map[string]any{"email": "unknown@example.com"}, nil).Want(t, http.StatusAccepted)
		c.Do(t, "POST", "/api/v1/auth/password-reset", map[string]any{"email": email}, nil).Want(t, http.StatusAccepted)
		code := codeIn(t, waitEmail(t, env, email, 2))
		if len(emails(env, "unknown@example.com")) != 0 {
			t.Fatal("an email went to an unregistered address")
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		c.Do(t, "POST", "/api/v1/auth/password-reset/confirm", map[string]any{"email": email, "code": wrong, "new_password": "reset password"}, nil).WantError(t, http.StatusBadRequest, "invalid_code")
		c.Do(t, "POST", "/api/v1/auth/password-reset/confirm", map[string]any{"email": "unknown@example.com", "code": code, "new_password": "reset password"}, nil).WantError(t, http.StatusBadRequest, "invalid_code")
		c.Do(t, "POST", "/api/v1/auth/password-reset/confirm", map[string]any{"email": email, "code": code, "new_password": "reset password"}, nil).Want(t, http.StatusNoContent)
		c.Do(t, "POST", "/api/v1/auth/password-reset/confirm", map[string]any{"email": email, "code": code, "new_password": "reset password 2"}, nil).WantError(t, http.StatusBadRequest, "invalid_code")
		old.Do(t, "GET", "/api/v1/me", nil, nil).WantError(t, http.StatusUnauthorized, "unauthenticated")
		_, r := login(t, env, map[string]any{"email": email, "password": "reset password"})
		r.Want(t, http.StatusOK)
		if !contains(auditActions(t, env), "identity.password_reset:success") {
			t.Error("reset not audited")
		}
	})
}

// Someone who registers an address before its owner, and again after,
// cannot have the owner activate an account that opens with their
// password: the code is confirmed with the password chosen with it.
func TestRegisteringTwiceDoesNotTakeOverTheAccount(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		const email = "victim@example.com"
		const theirs = "attacker password 4711"
		mallory, owner := env.Client(), env.Client()
		mallory.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": email, "password": theirs, "name": "Not Vic"}, nil).Want(t, http.StatusAccepted)
		owner.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": email, "password": pw, "name": "Vic"}, nil).Want(t, http.StatusAccepted)
		mallory.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": email, "password": theirs, "name": "Not Vic"}, nil).Want(t, http.StatusAccepted)
		code := codeIn(t, waitEmail(t, env, email, 3))
		// The owner confirms the newest code with their own password: refused,
		// as a wrong code is; no account opens with the other password.
		owner.Do(t, "POST", "/api/v1/auth/verify", map[string]any{"email": email, "code": code, "password": pw}, nil).WantError(t, http.StatusBadRequest, "invalid_code")
		_, r := login(t, env, map[string]any{"email": email, "password": theirs})
		r.WantError(t, http.StatusForbidden, "email_not_verified")
		// Without a password the code is not even looked at.
		owner.Do(t, "POST", "/api/v1/auth/verify", map[string]any{"email": email, "code": code}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		// Registering once more, the owner's own code and password work.
		owner.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": email, "password": pw, "name": "Vic"}, nil).Want(t, http.StatusAccepted)
		code = codeIn(t, waitEmail(t, env, email, 4))
		owner.Do(t, "POST", "/api/v1/auth/verify", map[string]any{"email": email, "code": code, "password": pw}, nil).Want(t, http.StatusOK)
		_, r = login(t, env, map[string]any{"email": email, "password": theirs})
		r.WantError(t, http.StatusUnauthorized, "invalid_credentials")
	})
}

func TestCodeAttemptsAndSendLimits(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		setLimits(t, env, func(l *identity.Limits) { l.CodeAttempts = 2; l.CodeSendsPerEmail = 2 })
		const email = "ken@example.com"
		c := env.Client()
		c.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": email, "password": pw, "name": "Ken"}, nil).Want(t, http.StatusAccepted)
		code := codeIn(t, waitEmail(t, env, email, 1))
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for i := 0; i < 2; i++ {
			c.Do(t, "POST", "/api/v1/auth/verify", map[string]any{"email": email, "code": wrong, "password": pw}, nil).WantError(t, http.StatusBadRequest, "invalid_code")
		}
		// Burnt after two wrong guesses: even the right code fails now.
		c.Do(t, "POST", "/api/v1/auth/verify", map[string]any{"email": email, "code": code, "password": pw}, nil).WantError(t, http.StatusBadRequest, "invalid_code")
		// A new registration sends a new code; a third send is refused.
		c.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": email, "password": pw, "name": "Ken"}, nil).Want(t, http.StatusAccepted)
		code2 := codeIn(t, waitEmail(t, env, email, 2))
		c.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": email, "password": pw, "name": "Ken"}, nil).WantError(t, http.StatusTooManyRequests, "too_many_attempts")
		c.Do(t, "POST", "/api/v1/auth/verify", map[string]any{"email": email, "code": code2, "password": pw}, nil).Want(t, http.StatusOK)
	})
}

// TestEmailedCodeRequests: a password-reset code and a sign-in code are
// requested alike. Only an active account gets an email (and an audit
// entry); a pending or unknown address gets the same answer and nothing
// else; every request, registration included, counts against the
// address's send limit, whether or not it has an account.
func TestEmailedCodeRequests(t *testing.T) {
	kinds := []struct{ name, path, subject, action string }{
		{"reset", "/api/v1/auth/password-reset", "Your Atrium password reset code", "identity.password_reset_request:success"},
		{"login", "/api/v1/auth/login-code", "Your Atrium sign-in code", "identity.login_code_request:success"},
	}
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		setLimits(t, env, func(l *identity.Limits) { l.CodeSendsPerEmail = 2 })
		for _, k := range kinds {
			active, pending, unknown := k.name+"-active@example.com", k.name+"-pending@example.com", k.name+"-unknown@example.com"
			c := env.Client()
			request := func(email string) *servertest.Response {
				return c.Do(t, "POST", k.path, map[string]any{"email": email}, nil)
			}
			signUp(t, env, active, "") // the registration is the first send
			c.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": pending, "password": pw, "name": "Pending"}, nil).Want(t, http.StatusAccepted)
			waitEmail(t, env, pending, 1)

			request(pending).Want(t, http.StatusAccepted)
			request(unknown).Want(t, http.StatusAccepted)
			request(unknown).Want(t, http.StatusAccepted)
			request(unknown).WantError(t, http.StatusTooManyRequests, "too_many_attempts")
			request(active).Want(t, http.StatusAccepted)
			line := waitEmail(t, env, active, 2)
			if !strings.Contains(line, k.subject) {
				t.Fatalf("%s: email %q, want subject %q", k.name, line, k.subject)
			}
			codeIn(t, line)
			request(active).WantError(t, http.StatusTooManyRequests, "too_many_attempts")

			if n := len(emails(env, unknown)); n != 0 {
				t.Errorf("%s: %d emails to an unregistered address", k.name, n)
			}
			if n := len(emails(env, pending)); n != 1 {
				t.Errorf("%s: %d emails to a pending account, want only its registration code", k.name, n)
			}
			n := 0
			for _, a := range auditActions(t, env) {
				if a == k.action {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s: %d %s audit entries, want 1 (the active account's)", k.name, n, k.action)
			}
		}
	})
}

func TestCSRF(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		c, _ := signUp(t, env, "csrf@example.com", "")
		// A cookie-authenticated POST without the header is refused.
		req, _ := http.NewRequest("POST", env.URL+"/api/v1/me/2fa/setup", nil)
		resp, err := c.HTTP.Do(req) // the jar sends the cookies; no X-CSRF-Token
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("POST without CSRF header: %d", resp.StatusCode)
		}
		// A wrong header is refused too.
		raw := &http.Client{Jar: c.HTTP.Jar}
		req, _ = http.NewRequest("POST", env.URL+"/api/v1/auth/logout", nil)
		req.Header.Set(server.CSRFHeader, "forged")
		resp, err = raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body.String(), `"csrf_failed"`) {
			t.Fatalf("forged CSRF header: %d %s", resp.StatusCode, body.String())
		}
		// With the header (the servertest client copies the cookie) it works.
		c.Do(t, "GET", "/api/v1/me", nil, nil).Want(t, http.StatusOK)

		// A bearer token needs no CSRF header.
		b, r2 := login(t, env, map[string]any{"email": "csrf@example.com", "password": pw, "bearer": true})
		r2.Want(t, http.StatusOK)
		req, _ = http.NewRequest("POST", env.URL+"/api/v1/me/2fa/setup", nil)
		req.Header.Set("Authorization", "Bearer "+b.Token)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("bearer POST: %d", resp.StatusCode)
		}
	})
}

func TestStrictJSON(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		c := env.Client()
		c.Do(t, "POST", "/api/v1/auth/login", `{"email": "a@example.com",`, nil).WantError(t, http.StatusBadRequest, "invalid_json")
		c.Do(t, "POST", "/api/v1/auth/login", `{"email": "a@example.com"} {}`, nil).WantError(t, http.StatusBadRequest, "invalid_json")
		r := c.Do(t, "POST", "/api/v1/auth/login", `{"email": "a@example.com", "password": "x", "admin": true}`, nil).WantError(t, http.StatusBadRequest, "unknown_field")
		if !strings.Contains(string(r.Body), `"field":"admin"`) {
			t.Fatalf("unknown_field without details.field: %s", r.Body)
		}
		r = c.Do(t, "POST", "/api/v1/auth/login", `{"email": 5, "password": "x"}`, nil).WantError(t, http.StatusBadRequest, "wrong_type")
		if !strings.Contains(string(r.Body), `"field":"email"`) {
			t.Fatalf("wrong_type without details.field: %s", r.Body)
		}
		big := `{"email": "a@example.com", "password": "` + strings.Repeat("x", 2<<20) + `"}`
		c.Do(t, "POST", "/api/v1/auth/register", big, nil).WantError(t, http.StatusBadRequest, "body_too_large")
		c.Do(t, "POST", "/api/v1/auth/register", `{"email": "not an address", "password": "long enough", "name": "X"}`, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		c.Do(t, "POST", "/api/v1/auth/register", `{"email": "p@example.com", "password": "long enough", "name": "X", "phone": "12345"}`, nil).WantError(t, http.StatusBadRequest, "invalid_field")
	})
}

func TestLoginHistoryAndNewDeviceNotice(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		const email = "liz@example.com"
		c, _ := signUp(t, env, email, "")
		var notices identity.NoticePage
		c.Do(t, "GET", "/api/v1/me/notices", nil, &notices).Want(t, http.StatusOK)
		if len(notices.Items) != 0 {
			t.Fatalf("notices after the first sign-in: %+v", notices)
		}
		_, r := login(t, env, map[string]any{"email": email, "password": "wrong password", "device_id": "phone-1"})
		r.WantError(t, http.StatusUnauthorized, "invalid_credentials")
		_, r = login(t, env, map[string]any{"email": email, "password": pw, "device_id": "phone-1"})
		r.Want(t, http.StatusOK)
		// The same device again: no second notice.
		_, r = login(t, env, map[string]any{"email": email, "password": pw, "device_id": "phone-1"})
		r.Want(t, http.StatusOK)

		c.Do(t, "GET", "/api/v1/me/notices", nil, &notices).Want(t, http.StatusOK)
		if len(notices.Items) != 1 || notices.Items[0].Kind != "new_sign_in" || !strings.Contains(string(notices.Items[0].Data), `"device_id":"phone-1"`) {
			t.Fatalf("notices: %+v", notices)
		}
		line := waitEmail(t, env, email, 2)
		if !strings.Contains(line, `subject="New sign-in to your Atrium account"`) || !strings.Contains(line, "phone-1") {
			t.Fatalf("alert email: %s", line)
		}

		var page identity.LoginHistoryPage
		c.Do(t, "GET", "/api/v1/me/login-history", nil, &page).Want(t, http.StatusOK)
		if len(page.Items) != 4 || page.NextCursor != "" {
			t.Fatalf("history: %+v", page)
		}
		if page.Items[0].Outcome != "success" || page.Items[0].DeviceID != "phone-1" || page.Items[2].Outcome != "bad_password" || page.Items[3].Method != "email_code" {
			t.Fatalf("history order or content: %+v", page.Items)
		}
		if page.Items[0].IP != "127.0.0.1" || page.Items[0].UserAgent == "" || page.Items[0].At == 0 {
			t.Fatalf("history entry: %+v", page.Items[0])
		}
		// Cursor paging walks the same entries.
		var all []identity.LoginEntry
		cursor := ""
		for i := 0; i < 10; i++ {
			var p identity.LoginHistoryPage
			c.Do(t, "GET", "/api/v1/me/login-history?limit=3&cursor="+cursor, nil, &p).Want(t, http.StatusOK)
			all = append(all, p.Items...)
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		if len(all) != 4 || all[3].ID != page.Items[3].ID {
			t.Fatalf("paged history: %+v", all)
		}
		// The bare id that next_cursor was before still pages.
		var old identity.LoginHistoryPage
		c.Do(t, "GET", "/api/v1/me/login-history?cursor="+page.Items[2].ID, nil, &old).Want(t, http.StatusOK)
		if len(old.Items) != 1 || old.Items[0].ID != page.Items[3].ID {
			t.Fatalf("old cursor: %+v", old.Items)
		}
		c.Do(t, "GET", "/api/v1/me/login-history?limit=0", nil, nil).WantError(t, http.StatusBadRequest, "invalid_limit")
		c.Do(t, "GET", "/api/v1/me/login-history?cursor=bogus", nil, nil).WantError(t, http.StatusBadRequest, "invalid_cursor")
	})
}

func TestUpdateMe(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		c, _ := signUp(t, env, "mia@example.com", "+49 30 1234567")
		var me identity.Account
		c.Do(t, "GET", "/api/v1/me", nil, &me).Want(t, http.StatusOK)
		if me.Phone != "+49301234567" {
			t.Fatalf("phone = %q", me.Phone)
		}
		c.Do(t, "PATCH", "/api/v1/me", map[string]any{"name": "Mia M.", "locale": "zh-CN", "phone": "0044 20 7946 0958"}, &me).Want(t, http.StatusOK)
		if me.Name != "Mia M." || me.Locale != "zh-CN" || me.Phone != "+442079460958" {
			t.Fatalf("after patch: %+v", me)
		}
		acc, err := svc(t, env).AccountByPhone(context.Background(), "+44 20 7946 0958")
		if err != nil || acc.ID != me.ID {
			t.Fatalf("AccountByPhone = %+v, %v", acc, err)
		}
		other, _ := signUp(t, env, "noah@example.com", "")
		other.Do(t, "PATCH", "/api/v1/me", map[string]any{"phone": "+442079460958"}, nil).WantError(t, http.StatusConflict, "phone_taken")
		var cleared identity.Account
		c.Do(t, "PATCH", "/api/v1/me", map[string]any{"phone": ""}, &cleared).Want(t, http.StatusOK)
		if me = cleared; me.Phone != "" {
			t.Fatalf("phone not removed: %+v", me)
		}
		c.Do(t, "PATCH", "/api/v1/me", map[string]any{"name": ""}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		c.Do(t, "PATCH", "/api/v1/me", map[string]any{"locale": "not a locale!"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
	})
}

// TestPhoneNotStoredInPlaintext reads the raw bytes of the SQLite database
// and its WAL: the phone number (sealed, keyed hash) and the name must not
// be there in any usual spelling, and after a checkpoint neither must the
// email.
func TestPhoneNotStoredInPlaintext(t *testing.T) {
	env := servertest.Start(t, db.SQLite)
	const email = "olivia.plaintext@example.com"
	c, _ := signUp(t, env, email, "+1 415 555 0123")
	c.Do(t, "PATCH", "/api/v1/me", map[string]any{"phone": "+1 415 555 0199"}, nil).Want(t, http.StatusOK)
	var me identity.Account
	c.Do(t, "GET", "/api/v1/me", nil, &me).Want(t, http.StatusOK)
	if me.Phone != "+14155550199" {
		t.Fatalf("phone = %q", me.Phone)
	}
	ctx := context.Background()
	// Wait until the outbox has delivered (and deleted) its messages.
	for i := 0; i < 500; i++ {
		var n int
		if err := env.App.DB.R(ctx).QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	var raw []byte
	check := func(stage string, needles ...string) {
		raw = nil
		for _, name := range []string{"atrium.db", "atrium.db-wal"} {
			b, err := os.ReadFile(filepath.Join(env.App.Cfg.DataDir, name))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			raw = append(raw, b...)
		}
		if len(raw) == 0 {
			t.Fatal("no database bytes read")
		}
		for _, needle := range needles {
			if bytes.Contains(raw, []byte(needle)) {
				t.Errorf("%s: %q found in plaintext in the database files", stage, needle)
			}
		}
	}
	phones := []string{"14155550123", "4155550123", "415 555 0123", "14155550199", "4155550199", "415 555 0199"}
	// The phone number is never written in plaintext, not even to the WAL.
	check("before checkpoint", phones...)
	if err := env.App.DB.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	// The email passed through the outbox (the verification email); once
	// delivered its row is deleted (secure_delete zeroes it) and after a
	// checkpoint no copy is left either.
	// The name is sealed too (not even the WAL holds it).
	check("after checkpoint", append(phones, email, "Test olivia.plaintext")...)
	// The account id is not sealed: finding it shows the scan reads the
	// real bytes.
	if !bytes.Contains(raw, []byte(me.ID)) {
		t.Fatal("the account id is not in the scanned bytes either: the scan does not see the data")
	}
}

// TestWeakPasswordsRefused: registration, password change and reset refuse
// common passwords, control characters and blank ones, each with its own
// stable code and the field it concerns.
func TestWeakPasswordsRefused(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		c := env.Client()
		for pw, code := range map[string]string{
			"12345678":                         "password_common",
			"password":                         "password_common",
			"\x00\x00\x00\x00\x00\x00\x00\x00": "password_control_characters",
			"         ":                        "password_blank",
			"short":                            "password_too_short",
		} {
			r := c.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": "weak@example.com", "password": pw, "name": "W"}, nil).
				WantError(t, http.StatusBadRequest, code)
			if !strings.Contains(string(r.Body), `"field":"password"`) {
				t.Errorf("%q: no details.field: %s", pw, r.Body)
			}
		}
		a, _ := signUp(t, env, "strong@example.com", "")
		a.Do(t, "POST", "/api/v1/me/password", map[string]any{"current_password": pw, "new_password": "iloveyou"}, nil).
			WantError(t, http.StatusBadRequest, "password_common")
		a.Do(t, "POST", "/api/v1/me/password", map[string]any{"current_password": pw, "new_password": "tab\tinside pw"}, nil).
			WantError(t, http.StatusBadRequest, "password_control_characters")
		a.Do(t, "POST", "/api/v1/me/password", map[string]any{"current_password": pw, "new_password": "a sound new passphrase"}, nil).
			Want(t, http.StatusNoContent)
	})
}

// Someone guessing an address's password from elsewhere slows sign-ins of
// unknown clients, not the signed-in owner's re-authentication: they can
// still change their password.
func TestGuessingElsewhereDoesNotBlockTheOwner(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		const email = "lovelace@example.com"
		c, _ := signUp(t, env, email, "")
		setLimits(t, env, func(l *identity.Limits) { l.LoginFailures = 2; l.PairFreeFailures = 2 })
		for i := 0; i < 4; i++ {
			login(t, env, map[string]any{"email": email, "password": fmt.Sprint("wrong guess number ", i)})
		}
		_, r := login(t, env, map[string]any{"email": email, "password": "yet another wrong guess"})
		if r.Status != http.StatusTooManyRequests {
			t.Fatalf("the guesser is not slowed down: %d", r.Status)
		}
		c.Do(t, "POST", "/api/v1/me/password", map[string]any{"current_password": pw, "new_password": "a brand new passphrase 2027"}, nil).Want(t, http.StatusNoContent)
	})
}
