package identity_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

func newService(t *testing.T, d *db.DB) *identity.Service {
	t.Helper()
	master := make([]byte, 32)
	rand.Read(master)
	k, err := keyring.New(d, master)
	if err != nil {
		t.Fatal(err)
	}
	return identity.New(d, k, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// TestServiceContract covers what other domains call: CreateAccount, the
// lookups, StartSession, Authenticate, SetSessionOrg, EndSessions and
// VerifyPassword.
func TestServiceContract(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(t, d)
		acc, err := s.CreateAccount(ctx, identity.NewAccount{Email: "Owner@Example.com", Password: "owner password", Name: "Owner",
			Phone: "+86 138 0013 8000", BirthDate: "1990-05-17", Locale: "zh-CN"})
		if err != nil {
			t.Fatal(err)
		}
		if acc.Email != "owner@example.com" || acc.Phone != "+8613800138000" || acc.BirthDate != "1990-05-17" || acc.Status != identity.StatusActive {
			t.Fatalf("created %+v", acc)
		}
		_, err = s.CreateAccount(ctx, identity.NewAccount{Email: "owner@example.com", Name: "Twin"})
		if apperr.CodeOf(err) != "email_taken" {
			t.Fatalf("duplicate email: %v", err)
		}
		_, err = s.CreateAccount(ctx, identity.NewAccount{Email: "other@example.com", Name: "Other", Phone: "+8613800138000"})
		if apperr.CodeOf(err) != "phone_taken" {
			t.Fatalf("duplicate phone: %v", err)
		}
		for _, get := range []func() (identity.Account, error){
			func() (identity.Account, error) { return s.GetAccount(ctx, acc.ID) },
			func() (identity.Account, error) { return s.AccountByEmail(ctx, " OWNER@example.com") },
			func() (identity.Account, error) { return s.AccountByPhone(ctx, "0086 138-0013-8000") },
		} {
			got, err := get()
			if err != nil || got.ID != acc.ID {
				t.Fatalf("lookup = %+v, %v", got, err)
			}
		}
		if _, err := s.AccountByEmail(ctx, "none@example.com"); !apperr.IsNotFound(err) {
			t.Fatalf("unknown email: %v", err)
		}

		if err := s.VerifyPassword(ctx, acc.ID, "owner password"); err != nil {
			t.Fatal(err)
		}
		if err := s.VerifyPassword(ctx, acc.ID, "wrong"); apperr.CodeOf(err) != "invalid_password" {
			t.Fatalf("wrong password: %v", err)
		}

		w := httptest.NewRecorder()
		tok, err := s.StartSession(ctx, w, acc.ID, "org_1", actor.ViaCookie)
		if err != nil {
			t.Fatal(err)
		}
		if len(w.Result().Cookies()) != 2 {
			t.Fatalf("cookies: %v", w.Result().Cookies())
		}
		a, err := s.Authenticate(ctx, tok, actor.ViaCookie)
		if err != nil || a.AccountID != acc.ID || a.OrgID != "org_1" || a.SessionID == "" {
			t.Fatalf("authenticate = %+v, %v", a, err)
		}
		if err := s.SetSessionOrg(ctx, a.SessionID, "org_2"); err != nil {
			t.Fatal(err)
		}
		if a2, _ := s.Authenticate(ctx, tok, actor.ViaBearer); a2.OrgID != "org_2" || a2.Via != actor.ViaBearer {
			t.Fatalf("after SetSessionOrg: %+v", a2)
		}
		if err := s.SetSessionOrg(ctx, "ses_missing", "org_2"); !apperr.IsNotFound(err) {
			t.Fatalf("SetSessionOrg of a missing session: %v", err)
		}
		w2 := httptest.NewRecorder()
		tok2, err := s.StartSession(ctx, w2, acc.ID, "", actor.ViaBearer)
		if err != nil || len(w2.Result().Cookies()) != 0 {
			t.Fatalf("bearer StartSession: %v, cookies %v", err, w2.Result().Cookies())
		}
		a2, _ := s.Authenticate(ctx, tok2, actor.ViaBearer)
		if err := s.EndSessions(ctx, acc.ID, a2.SessionID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, tok, actor.ViaCookie); !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Fatalf("ended session still authenticates: %v", err)
		}
		if _, err := s.Authenticate(ctx, tok2, actor.ViaBearer); err != nil {
			t.Fatalf("the kept session stopped working: %v", err)
		}
		if err := s.EndSessions(ctx, acc.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, tok2, actor.ViaBearer); !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Fatal("EndSessions(\"\") left a session")
		}
		for _, bad := range []string{"", "short", "zz" + tok2[2:]} {
			if _, err := s.Authenticate(ctx, bad, actor.ViaBearer); !errors.Is(err, apperr.ErrUnauthenticated) {
				t.Fatalf("token %q: %v", bad, err)
			}
		}
	})
}

// TestSessionSlidesAndExpires checks the sliding expiry with the stored
// times moved back, rather than waiting.
func TestSessionSlidesAndExpires(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(t, d)
		acc, err := s.CreateAccount(ctx, identity.NewAccount{Email: "slide@example.com", Name: "Slide"})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.StartSession(ctx, httptest.NewRecorder(), acc.ID, "", actor.ViaBearer)
		if err != nil {
			t.Fatal(err)
		}
		// Last used 10 minutes ago, expiring in 5 minutes: using it slides the expiry.
		now := time.Now()
		if _, err := d.W(ctx).ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1, expires_at = $2`,
			now.Add(-10*time.Minute).UnixMilli(), now.Add(5*time.Minute).UnixMilli()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, tok, actor.ViaBearer); err != nil {
			t.Fatal(err)
		}
		var last, exp int64
		if err := d.R(ctx).QueryRowContext(ctx, `SELECT last_seen_at, expires_at FROM sessions`).Scan(&last, &exp); err != nil {
			t.Fatal(err)
		}
		if last < now.UnixMilli() || exp < now.Add(identity.SessionTTL-time.Minute).UnixMilli() {
			t.Fatalf("not slid: last_seen %d, expires %d", last, exp)
		}
		// Expired: refused, and the janitor deletes it.
		if _, err := d.W(ctx).ExecContext(ctx, `UPDATE sessions SET expires_at = $1`, now.Add(-time.Second).UnixMilli()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, tok, actor.ViaBearer); !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Fatalf("expired session: %v", err)
		}
		if err := s.Cleanup(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.R(ctx).QueryRowContext(ctx, `SELECT count(*) FROM sessions`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("sessions after cleanup: %d, %v", n, err)
		}
	})
}

// TestBackoffEndsWithItsWait moves the wait back instead of waiting an
// hour.
func TestBackoffEndsWithItsWait(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(t, d)
		l := s.Limits()
		l.PairFreeFailures, l.PairBackoff = 1, time.Hour
		s.SetLimits(l)
		acc, err := s.CreateAccount(ctx, identity.NewAccount{Email: "window@example.com", Name: "W", Password: "window password"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.VerifyPassword(ctx, acc.ID, "wrong"); apperr.CodeOf(err) != "invalid_password" {
			t.Fatal(err)
		}
		if err := s.VerifyPassword(ctx, acc.ID, "window password"); apperr.KindOf(err) != apperr.KindRateLimited {
			t.Fatalf("waiting client: %v", err)
		}
		if _, err := d.W(ctx).ExecContext(ctx, `UPDATE login_throttle SET next_at = $1`, time.Now().Add(-time.Second).UnixMilli()); err != nil {
			t.Fatal(err)
		}
		if err := s.VerifyPassword(ctx, acc.ID, "window password"); err != nil {
			t.Fatalf("after the wait: %v", err)
		}
		// The right password cleared the client's backoff.
		if err := s.VerifyPassword(ctx, acc.ID, "wrong"); apperr.CodeOf(err) != "invalid_password" {
			t.Fatalf("after a success: %v", err)
		}
	})
}

// TestConcurrentGuessesStayWithinTheLimit fires many wrong passwords at once:
// attempts are counted before the password is checked, and a client's slot
// is claimed atomically, so no more than the free failures are ever checked
// before the wait begins.
func TestConcurrentGuessesStayWithinTheLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(t, d)
		l := s.Limits()
		l.PairFreeFailures, l.PairBackoff = 5, time.Hour
		s.SetLimits(l)
		acc, err := s.CreateAccount(ctx, identity.NewAccount{Email: "burst@example.com", Name: "B", Password: "burst password"})
		if err != nil {
			t.Fatal(err)
		}
		checked, limited := 0, 0
		for round := 0; round < 10 && checked < l.PairFreeFailures; round++ {
			const n = 20
			errs := make(chan error, n)
			for i := 0; i < n; i++ {
				go func() { errs <- s.VerifyPassword(ctx, acc.ID, "wrong guess") }()
			}
			for i := 0; i < n; i++ {
				switch err := <-errs; apperr.CodeOf(err) {
				case "invalid_password":
					checked++
				case "too_many_attempts":
					limited++
				default:
					t.Fatalf("unexpected: %v", err)
				}
			}
		}
		if checked != l.PairFreeFailures || limited == 0 {
			t.Fatalf("%d guesses checked (free %d), %d refused", checked, l.PairFreeFailures, limited)
		}
		if err := s.VerifyPassword(ctx, acc.ID, "burst password"); apperr.CodeOf(err) != "too_many_attempts" {
			t.Fatalf("right password after the burst: %v", err)
		}
	})
}
