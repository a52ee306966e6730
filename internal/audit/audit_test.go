package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
	"github.com/atrium-hq/atrium/internal/platform/perm"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// seed records n entries (seq 1..n) with an actor and a request id.
func seed(t *testing.T, d *db.DB, n int) {
	t.Helper()
	ctx := actor.With(context.Background(), &actor.Actor{AccountID: "acc_1", MemberID: "mem_1", OrgID: "org_1", Via: actor.ViaCookie})
	ctx = reqctx.With(ctx, reqctx.Request{ID: "req1", ClientIP: "192.0.2.7"})
	for i := 1; i <= n; i++ {
		err := Record(ctx, d, Entry{OrgID: "org_1", Action: "member.update", TargetKind: "member", TargetID: fmt.Sprintf("mem_%d", i), Details: map[string]any{"field": "title", "i": i}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	if _, err := d.Writer().ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func verify(t *testing.T, d *db.DB) Report {
	t.Helper()
	r, err := Verify(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func wantBad(t *testing.T, r Report, seq int64, problem string) {
	t.Helper()
	if r.OK || r.BadSeq != seq || !strings.Contains(r.Problem, problem) {
		t.Fatalf("report = %+v, want entry %d broken with %q", r, seq, problem)
	}
	if !strings.Contains(r.String(), fmt.Sprintf("seq %d", seq)) {
		t.Fatalf("report text %q does not name entry %d", r.String(), seq)
	}
}

func TestVerifyCleanLog(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		if r := verify(t, d); !r.OK || r.Entries != 0 {
			t.Fatalf("empty log: %+v", r)
		}
		seed(t, d, 5)
		r := verify(t, d)
		if !r.OK || r.Entries != 5 || r.HeadSeq != 5 {
			t.Fatalf("clean log: %+v", r)
		}
		// The actor, request id and details were stored as recorded.
		p, err := ListAll(context.Background(), d, Filter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		got := p.Items[0]
		if got.Seq != 5 || got.ActorAccountID != "acc_1" || got.ActorMemberID != "mem_1" || got.Via != "cookie" ||
			got.IP != "192.0.2.7" || got.RequestID != "req1" || got.Outcome != Success || string(got.Details) != `{"field":"title","i":5}` {
			t.Fatalf("stored entry: %+v", got)
		}
	})
}

func TestVerifyDetectsTampering(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(t *testing.T, d *db.DB)
		seq     int64
		problem string
	}{
		{"edited action", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET action = 'member.view' WHERE seq = 3`)
		}, 3, "edited"},
		{"edited details", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET details = '{}' WHERE seq = 2`)
		}, 2, "edited"},
		{"deleted middle entry", func(t *testing.T, d *db.DB) {
			exec(t, d, `DELETE FROM audit_log WHERE seq = 3`)
		}, 3, "missing"},
		{"swapped order", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET seq = -1 WHERE seq = 2`)
			exec(t, d, `UPDATE audit_log SET seq = 2 WHERE seq = 4`)
			exec(t, d, `UPDATE audit_log SET seq = 4 WHERE seq = -1`)
		}, 2, "moved"},
		{"deleted last entry", func(t *testing.T, d *db.DB) {
			exec(t, d, `DELETE FROM audit_log WHERE seq = 5`)
		}, 5, "at the end were deleted"},
		{"deleted last two entries", func(t *testing.T, d *db.DB) {
			exec(t, d, `DELETE FROM audit_log WHERE seq >= 4`)
		}, 4, "at the end were deleted"},
		{"deleted middle entry and renumbered the rest", func(t *testing.T, d *db.DB) {
			exec(t, d, `DELETE FROM audit_log WHERE seq = 3`)
			exec(t, d, `UPDATE audit_log SET seq = 3 WHERE seq = 4`)
			exec(t, d, `UPDATE audit_log SET seq = 4 WHERE seq = 5`)
			exec(t, d, `UPDATE audit_head SET seq = 4`)
		}, 3, "edited or moved"},
		{"inserted a well-formed entry in the middle", func(t *testing.T, d *db.DB) {
			// The forger knows the algorithm: the inserted entry itself
			// verifies, but the entries after it moved.
			for s := 5; s >= 3; s-- {
				exec(t, d, `UPDATE audit_log SET seq = $1 WHERE seq = $2`, s+1, s)
			}
			var prev string
			if err := d.Writer().QueryRow(`SELECT hash FROM audit_log WHERE seq = 2`).Scan(&prev); err != nil {
				t.Fatal(err)
			}
			f := Item{Seq: 3, CreatedAt: 1, Action: "member.update", Outcome: Success, Details: []byte("{}"), PrevHash: prev}
			f.Hash = f.computeHash()
			if err := insertRecord(context.Background(), d, f); err != nil {
				t.Fatal(err)
			}
			exec(t, d, `UPDATE audit_head SET seq = 6`)
		}, 4, "edited or moved"},
		{"appended an entry outside the log", func(t *testing.T, d *db.DB) {
			var prev string
			if err := d.Writer().QueryRow(`SELECT hash FROM audit_log WHERE seq = 5`).Scan(&prev); err != nil {
				t.Fatal(err)
			}
			f := Item{Seq: 6, CreatedAt: 1, Action: "member.update", Outcome: Success, Details: []byte("{}"), PrevHash: prev}
			f.Hash = f.computeHash()
			if err := insertRecord(context.Background(), d, f); err != nil {
				t.Fatal(err)
			}
		}, 6, "beyond the head"},
		{"replaced the last entry and its head seq", func(t *testing.T, d *db.DB) {
			var prev string
			if err := d.Writer().QueryRow(`SELECT prev_hash FROM audit_log WHERE seq = 5`).Scan(&prev); err != nil {
				t.Fatal(err)
			}
			exec(t, d, `DELETE FROM audit_log WHERE seq = 5`)
			f := Item{Seq: 5, CreatedAt: 1, Action: "member.view", Outcome: Success, Details: []byte("{}"), PrevHash: prev}
			f.Hash = f.computeHash()
			if err := insertRecord(context.Background(), d, f); err != nil {
				t.Fatal(err)
			}
		}, 5, "does not match the head"},
	}
	// One database per kind; each case starts from an empty log.
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				exec(t, d, `DELETE FROM audit_log`)
				exec(t, d, `UPDATE audit_head SET seq = 0, hash = ''`)
				seed(t, d, 5)
				tc.tamper(t, d)
				wantBad(t, verify(t, d), tc.seq, tc.problem)
			})
		}
	})
}

func TestConcurrentRecordKeepsChain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		const workers, each = 16, 20
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					ctx := context.Background()
					var err error
					if i%2 == 0 {
						err = Record(ctx, d, Entry{Action: "identity.login", TargetKind: "account", TargetID: fmt.Sprintf("acc_%d", w)})
					} else {
						// Inside a caller's transaction, beside other work.
						err = d.Tx(ctx, func(ctx context.Context) error {
							if err := Record(ctx, d, Entry{Action: "identity.logout", TargetKind: "account", TargetID: fmt.Sprintf("acc_%d", w)}); err != nil {
								return err
							}
							return Record(ctx, d, Entry{Action: "identity.session_end", Outcome: Failure})
						})
					}
					if err != nil {
						errs <- err
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		r := verify(t, d)
		want := int64(workers * (each/2 + each))
		if !r.OK || r.Entries != want {
			t.Fatalf("after concurrent appends: %+v, want %d entries intact", r, want)
		}
	})
}

func TestRecordRollsBackWithCaller(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		seed(t, d, 2)
		boom := errors.New("boom")
		err := d.Tx(ctx, func(ctx context.Context) error {
			if err := Record(ctx, d, Entry{Action: "member.delete"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		seed(t, d, 1)
		if r := verify(t, d); !r.OK || r.Entries != 3 {
			t.Fatalf("%+v", r)
		}
		if err := Record(ctx, d, Entry{Action: "x", Outcome: "maybe"}); err == nil {
			t.Fatal("unknown outcome accepted")
		}
		if err := Record(ctx, d, Entry{}); err == nil {
			t.Fatal("entry without action accepted")
		}
	})
}

func TestListFiltersAndPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for i := 0; i < 7; i++ {
			org := "org_a"
			if i%3 == 2 {
				org = "org_b"
			}
			action := "member.update"
			if i%2 == 1 {
				action = "identity.login"
			}
			if err := Record(ctx, d, Entry{OrgID: org, Action: action, TargetKind: "member", TargetID: fmt.Sprint(i)}); err != nil {
				t.Fatal(err)
			}
		}
		// org_a holds entries 0,1,3,4,6 → seqs 1,2,4,5,7.
		var seqs []int64
		f := Filter{OrgID: "org_a", Limit: 2}
		for pages := 0; ; pages++ {
			p, err := ListAll(ctx, d, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range p.Items {
				seqs = append(seqs, it.Seq)
			}
			if p.NextCursor == "" {
				break
			}
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			if f.Before, err = ParseCursor(p.NextCursor); err != nil {
				t.Fatal(err)
			}
		}
		if fmt.Sprint(seqs) != "[7 5 4 2 1]" {
			t.Fatalf("org_a pages = %v", seqs)
		}
		p, err := ListAll(ctx, d, Filter{OrgID: "org_a", Action: "identity."})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != 2 || p.Items[0].Seq != 4 || p.Items[1].Seq != 2 {
			t.Fatalf("prefix filter: %+v", p.Items)
		}
		p, err = ListAll(ctx, d, Filter{TargetKind: "member", TargetID: "6"})
		if err != nil || len(p.Items) != 1 || p.Items[0].Seq != 7 {
			t.Fatalf("target filter: %+v %v", p.Items, err)
		}
	})
}

func TestServiceListChecksPermissionAndScopesToOrg(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for _, org := range []string{"org_a", "org_b", ""} {
			if err := Record(ctx, d, Entry{OrgID: org, Action: "member.update"}); err != nil {
				t.Fatal(err)
			}
		}
		admin := actor.With(ctx, &actor.Actor{AccountID: "acc_1", OrgID: "org_a", MemberID: "mem_1"})
		s := &Service{DB: d}
		if _, err := s.List(admin, Filter{}); apperr.KindOf(err) != apperr.KindForbidden {
			t.Fatalf("no authorizer: %v", err)
		}
		var asked perm.Permission
		s.Auth = AuthorizerFunc(func(ctx context.Context, p perm.Permission, dept string) error {
			asked = p
			if actor.From(ctx).AccountID != "acc_1" {
				return apperr.ErrForbidden
			}
			return nil
		})
		p, err := s.List(admin, Filter{OrgID: "org_b"}) // a filter's org is ignored
		if err != nil {
			t.Fatal(err)
		}
		if asked != PermRead || len(p.Items) != 1 || p.Items[0].OrgID != "org_a" {
			t.Fatalf("perm %q items %+v", asked, p.Items)
		}
		other := actor.With(ctx, &actor.Actor{AccountID: "acc_2", OrgID: "org_a"})
		if _, err := s.List(other, Filter{}); apperr.KindOf(err) != apperr.KindForbidden {
			t.Fatalf("denied caller: %v", err)
		}
		if _, err := s.List(ctx, Filter{}); apperr.KindOf(err) != apperr.KindUnauthenticated {
			t.Fatalf("anonymous: %v", err)
		}
	})
}

// TestVerifyChainForAuditors: an org's auditor learns whether the whole
// chain is intact, from a walk at most a minute old; others are refused.
func TestVerifyChainForAuditors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for _, org := range []string{"org_a", "org_b", "org_a"} {
			if err := Record(ctx, d, Entry{OrgID: org, Action: "member.update"}); err != nil {
				t.Fatal(err)
			}
		}
		now := time.UnixMilli(1_700_000_000_000)
		s := &Service{DB: d, Now: func() time.Time { return now }}
		auditor := actor.With(ctx, &actor.Actor{AccountID: "acc_1", OrgID: "org_a", MemberID: "mem_1"})
		if _, err := s.VerifyChain(auditor); apperr.KindOf(err) != apperr.KindForbidden {
			t.Fatalf("no authorizer: %v", err)
		}
		s.Auth = AuthorizerFunc(func(ctx context.Context, p perm.Permission, dept string) error {
			if p != PermRead || actor.From(ctx).AccountID != "acc_1" {
				return apperr.ErrForbidden
			}
			return nil
		})
		if _, err := s.VerifyChain(actor.With(ctx, &actor.Actor{AccountID: "acc_2", OrgID: "org_a"})); apperr.KindOf(err) != apperr.KindForbidden {
			t.Fatalf("denied caller: %v", err)
		}
		if _, err := s.VerifyChain(ctx); apperr.KindOf(err) != apperr.KindUnauthenticated {
			t.Fatalf("anonymous: %v", err)
		}
		st, err := s.VerifyChain(auditor)
		if err != nil || !st.OK || st.VerifiedAt != now.UnixMilli() {
			t.Fatalf("intact chain: %+v %v", st, err)
		}
		// Another organization's entry is edited: within the minute the
		// earlier walk answers, after it the break shows.
		exec(t, d, `UPDATE audit_log SET action = 'member.view' WHERE seq = 2`)
		now = now.Add(30 * time.Second)
		if st, _ := s.VerifyChain(auditor); !st.OK || st.VerifiedAt != now.Add(-30*time.Second).UnixMilli() {
			t.Fatalf("within the minute: %+v", st)
		}
		now = now.Add(31 * time.Second)
		if st, err := s.VerifyChain(auditor); err != nil || st.OK || st.VerifiedAt != now.UnixMilli() {
			t.Fatalf("after tampering: %+v %v", st, err)
		}
	})
}

// TestNoDeadlockWithEventAppends mixes transactions that take the event
// log's append lock before and after recording an audit entry: both take
// the same lock first, so neither order deadlocks.
func TestNoDeadlockWithEventAppends(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		lock := d.Dialect.XactLock(chainLockKey)
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for w := 0; w < 10; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					errs <- d.Tx(context.Background(), func(ctx context.Context) error {
						take := func() error {
							if lock == "" {
								return nil
							}
							_, err := d.W(ctx).ExecContext(ctx, lock)
							return err
						}
						if w%2 == 0 {
							if err := take(); err != nil {
								return err
							}
						}
						if err := Record(ctx, d, Entry{Action: "member.update"}); err != nil {
							return err
						}
						if w%2 == 1 {
							return take()
						}
						return nil
					})
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if r := verify(t, d); !r.OK || r.Entries != 100 {
			t.Fatalf("%+v", r)
		}
	})
}

// TestParseCursor: the list hands out the one opaque cursor and still
// reads the bare sequence numbers it handed out before; anything else is
// invalid_cursor.
func TestParseCursor(t *testing.T) {
	for in, want := range map[string]int64{
		"":                              0,
		"7":                             7,
		httpx.Cursor{ID: "42"}.String(): 42,
	} {
		if got, err := ParseCursor(in); err != nil || got != want {
			t.Errorf("ParseCursor(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"abc", "0", "-1", "+5", httpx.Cursor{ID: "x"}.String(), httpx.IntCursor(5, "a").String()} {
		if _, err := ParseCursor(in); !errors.Is(err, httpx.ErrInvalidCursor) {
			t.Errorf("ParseCursor(%q) err = %v, want invalid_cursor", in, err)
		}
	}
}
