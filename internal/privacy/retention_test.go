package privacy_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
	"github.com/atrium-hq/atrium/internal/platform/perm"
	"github.com/atrium-hq/atrium/internal/privacy"
)

// allow is a Directory that grants every permission: these tests are about
// retention, not roles (the HTTP tests check the permissions).
type allow struct{}

func (allow) Authorize(context.Context, perm.Permission, string) error { return nil }
func (allow) QuitOrg(context.Context) error                            { return nil }
func (allow) LookupPhone(context.Context, string) (string, string, error) {
	return "", "", fmt.Errorf("none")
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
	// onNow, when set, runs on every reading (to crash a run mid-way).
	onNow func()
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	f := c.onNow
	t := c.t
	c.mu.Unlock()
	if f != nil {
		f()
	}
	return t
}

func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func (c *fakeClock) set(f func()) { c.mu.Lock(); c.onNow = f; c.mu.Unlock() }

const orgA, orgB = "org_0000000000000000000000000000000a", "org_0000000000000000000000000000000b"

func newRetentionService(t *testing.T, d *db.DB, clk *fakeClock) *privacy.Service {
	q := jobs.New(d, nil)
	q.Now = clk.Now
	q.Lease = time.Minute
	svc := &privacy.Service{DB: d, Dir: allow{}, Jobs: q, Now: clk.Now}
	// Chat's side of the contract sweeps its messages (by conversation
	// kind and organization, through its own conversations table).
	c := chat.New(d, nil, nil, nil)
	t.Cleanup(c.Close)
	svc.Register(c.Privacy())
	svc.RegisterJobs(q)
	return svc
}

// seed makes conversations and messages 5, 15, …, 95 days old.
func seed(t *testing.T, d *db.DB, now time.Time) map[string]string {
	ctx := context.Background()
	convs := map[string][2]string{ // name → org, kind
		"plain": {orgA, "internal"}, "override": {orgA, "internal"}, "held": {orgA, "internal"},
		"external": {orgA, "external"}, "other_org": {orgB, "internal"}, "direct": {"", "direct"},
	}
	ids := map[string]string{}
	names := make([]string, 0, len(convs))
	for n := range convs {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		id := fmt.Sprintf("cnv_%032d", i+1)
		ids[n] = id
		if _, err := d.Writer().ExecContext(ctx, `INSERT INTO conversations (id, kind, org_id, created_by, created_at, updated_at) VALUES ($1, $2, $3, 'acc_x', 0, 0)`,
			id, convs[n][1], convs[n][0]); err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 10; k++ {
			age := time.Duration(5+10*k) * 24 * time.Hour
			if _, err := d.Writer().ExecContext(ctx,
				`INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body, created_at) VALUES ($1, $2, $3, 'acc_sender', $4, 'text', 'hello', $5)`,
				fmt.Sprintf("msg_%s_%02d", n, k), id, k+1, fmt.Sprintf("%s-%d", n, k), now.Add(-age).UnixMilli()); err != nil {
				t.Fatal(err)
			}
		}
	}
	return ids
}

func remaining(t *testing.T, d *db.DB, conv string) int {
	var n int
	if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM messages WHERE conversation_id = $1`, conv).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Retention on a fake clock deletes exactly what the preview said, honours
// per-conversation overrides and legal holds and other organizations, and a
// run interrupted between batches — cancelled, or crashed with its lease
// left behind — resumes and completes without loss or duplication.
func TestRetentionPreviewRunAndResume(t *testing.T) {
	for _, crash := range []string{"cancel", "panic"} {
		t.Run(crash, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				clk := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
				svc := newRetentionService(t, d, clk)
				convs := seed(t, d, clk.Now())
				admin := actor.With(context.Background(), &actor.Actor{AccountID: "acc_admin", OrgID: orgA, MemberID: "mem_admin"})

				if _, err := svc.SetPolicies(admin, privacy.SetPoliciesInput{Policies: []privacy.Policy{{Class: "messages.internal", Days: 30}, {Class: "messages.external", Days: 60}}}); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.SetPolicies(admin, privacy.SetPoliciesInput{Policies: []privacy.Policy{{Class: "audit_log", Days: 30}}}); err == nil {
					t.Fatal("an audit log period below the minimum was accepted")
				}
				if _, err := svc.SetOverride(admin, privacy.Override{ConversationID: convs["override"], Days: 10}); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.SetOverride(admin, privacy.Override{ConversationID: convs["other_org"], Days: 1}); err == nil {
					t.Fatal("an override on another org's conversation was accepted")
				}
				if _, err := svc.PlaceHold(admin, privacy.NewHold{TargetKind: "conversation", TargetID: convs["held"], Reason: "audit"}); err != nil {
					t.Fatal(err)
				}
				pv, err := svc.PreviewRetention(admin, privacy.PreviewInput{})
				if err != nil {
					t.Fatal(err)
				}
				// plain: >30 days: 7; override: >10 days: 9; external: >60: 4.
				if pv.Total != 20 {
					t.Fatalf("preview total %d, want 20: %+v", pv.Total, pv.Counts)
				}
				// A what-if preview of a shorter policy counts more.
				pv2, err := svc.PreviewRetention(admin, privacy.PreviewInput{Policies: []privacy.Policy{{Class: "messages.internal", Days: 1}}})
				if err != nil || pv2.Total != 10+9 {
					t.Fatalf("what-if preview = %+v, %v", pv2, err)
				}

				old := privacy.RetentionBatch
				privacy.RetentionBatch = 3
				defer func() { privacy.RetentionBatch = old }()
				run, err := svc.StartRetention(admin)
				if err != nil {
					t.Fatal(err)
				}
				// Interrupt the run after a few batches.
				ctx, cancel := context.WithCancel(context.Background())
				reads := 0
				clk.set(func() {
					reads++
					if reads == 6 {
						if crash == "cancel" {
							cancel()
						} else {
							panic("node crashed")
						}
					}
				})
				_, _ = svc.Jobs.RunDue(ctx)
				clk.set(nil)
				cancel()
				partial := remaining(t, d, convs["plain"]) + remaining(t, d, convs["override"]) + remaining(t, d, convs["external"])
				if partial == 60 || partial == 40 {
					t.Fatalf("the interrupted run deleted %d (nothing or everything): it was not interrupted mid-way", 60-partial)
				}
				info, _ := svc.Jobs.Get(context.Background(), run.JobID)
				if info.State == jobs.Done {
					t.Fatalf("job finished despite the interruption: %+v", info)
				}
				clk.Add(time.Hour) // past any backoff
				if _, err := svc.Jobs.RunDue(context.Background()); err != nil {
					t.Fatal(err)
				}
				info, _ = svc.Jobs.Get(context.Background(), run.JobID)
				if info.State != jobs.Done {
					t.Fatalf("job = %+v", info)
				}
				want := map[string]int{"plain": 3, "override": 1, "held": 10, "external": 6, "other_org": 10, "direct": 10}
				for n, w := range want {
					if got := remaining(t, d, convs[n]); got != w {
						t.Errorf("%s keeps %d messages, want %d", n, got, w)
					}
				}
				r, err := svc.GetRun(admin, run.ID)
				if err != nil {
					t.Fatal(err)
				}
				total := int64(0)
				for _, n := range r.Deleted {
					total += n
				}
				planned := int64(0)
				for _, n := range r.Planned {
					planned += n
				}
				if total != pv.Total || planned != pv.Total {
					t.Fatalf("run deleted %d (planned %d), preview said %d: %+v", total, planned, pv.Total, r)
				}
				var audits int
				d.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'privacy.retention.summary' AND org_id = $1`, orgA).Scan(&audits)
				if audits != 1 {
					t.Fatalf("%d retention summaries in the audit log, want 1", audits)
				}
			})
		})
	}
}

// A contract registered once the job queue runs would be missed by a job
// the node picked up at start-up; Register refuses it loudly, so a wiring
// order that starts the queue too early fails every test that builds the
// server.
func TestRegisterAfterQueueStartPanics(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	svc := newRetentionService(t, d, &fakeClock{t: time.Now()})
	late := chat.New(d, nil, nil, nil)
	t.Cleanup(late.Close)
	stop := svc.Jobs.Start()
	defer stop()
	defer func() {
		if recover() == nil {
			t.Fatal("Register after the queue started did not panic")
		}
	}()
	svc.Register(late.Privacy())
}

// The daily schedule that runs again the same day (a retry, or a second
// node) finds that day's run rather than adding a run that never starts.
func TestDailyRetentionScheduleOncePerDay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		clk := &fakeClock{t: time.Date(2030, 1, 1, 3, 0, 0, 0, time.UTC)}
		svc := newRetentionService(t, d, clk)
		admin := actor.With(context.Background(), &actor.Actor{AccountID: "acc_admin", OrgID: orgA, MemberID: "mem_admin"})
		if _, err := svc.SetPolicies(admin, privacy.SetPoliciesInput{Policies: []privacy.Policy{{Class: "messages.internal", Days: 30}}}); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, err := svc.Jobs.Enqueue(context.Background(), privacy.JobRetentionAll, nil, jobs.Options{}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Jobs.RunDue(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		runs, err := svc.RetentionRuns(admin)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 || runs[0].State != jobs.Done {
			t.Fatalf("runs after the schedule ran twice in a day: %+v", runs)
		}
	})
}
