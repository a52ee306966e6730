package jobs_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newQueue(d *db.DB, c *clock, node string) *jobs.Queue {
	q := jobs.New(d, nil)
	q.Now = c.Now
	q.Node = node
	q.Lease = 10 * time.Second
	return q
}

func TestEnqueueRunRetryDedupe(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{t: time.Unix(1_700_000_000, 0)}
		q := newQueue(d, c, "a")
		var runs atomic.Int32
		q.Handle("flaky", func(ctx context.Context, j *jobs.Job) error {
			if runs.Add(1) == 1 {
				return errors.New("first try fails")
			}
			var p struct{ N int }
			if err := j.Decode(&p); err != nil || p.N != 7 {
				return jobs.Permanent(errors.New("bad payload"))
			}
			return nil
		})
		id, err := q.Enqueue(ctx, "flaky", map[string]int{"N": 7}, jobs.Options{Key: "k1"})
		if err != nil {
			t.Fatal(err)
		}
		id2, err := q.Enqueue(ctx, "flaky", map[string]int{"N": 7}, jobs.Options{Key: "k1"})
		if err != nil || id2 != id {
			t.Fatalf("dedupe: %q %v, want %q", id2, err, id)
		}
		if n, err := q.RunDue(ctx); err != nil || n != 1 {
			t.Fatalf("RunDue = %d, %v", n, err)
		}
		info, _ := q.Get(ctx, id)
		if info.State != jobs.Queued || info.LastError == "" {
			t.Fatalf("after failure: %+v", info)
		}
		// Not due until the backoff passes.
		if n, _ := q.RunDue(ctx); n != 0 {
			t.Fatalf("ran before backoff")
		}
		c.Add(time.Hour)
		if n, _ := q.RunDue(ctx); n != 1 {
			t.Fatalf("retry did not run")
		}
		info, _ = q.Get(ctx, id)
		if info.State != jobs.Done || info.Progress != 100 || info.Attempts != 2 {
			t.Fatalf("after retry: %+v", info)
		}
	})
}

// A node that dies while holding a job leaves its lease; once the lease runs
// out another node claims the job and resumes from the saved checkpoint.
func TestLeaseExpiryResumesFromCheckpoint(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{t: time.Unix(1_700_000_000, 0)}
		a := newQueue(d, c, "node-a")
		b := newQueue(d, c, "node-b")
		var seen []string
		var mu sync.Mutex
		work := func(crashAfter int) jobs.Handler {
			return func(ctx context.Context, j *jobs.Job) error {
				start := 0
				if j.Checkpoint != "" {
					start, _ = strconv.Atoi(j.Checkpoint)
				}
				for i := start; i < 5; i++ {
					err := d.Tx(ctx, func(ctx context.Context) error {
						mu.Lock()
						seen = append(seen, strconv.Itoa(i))
						mu.Unlock()
						return j.Save(ctx, strconv.Itoa(i+1), (i+1)*20)
					})
					if err != nil {
						return err
					}
					if i+1 == crashAfter {
						// Simulate a crash: return without finishing and
						// without releasing; the lease stays.
						panic("crash")
					}
				}
				return nil
			}
		}
		a.Handle("batch", work(2))
		b.Handle("batch", work(-1))
		id, _ := a.Enqueue(ctx, "batch", nil, jobs.Options{})
		_, _ = a.RunDue(ctx) // panics inside → recorded as a failure with retry
		info, _ := a.Get(ctx, id)
		if info.State != jobs.Queued || info.Progress != 40 {
			t.Fatalf("after crash: %+v", info)
		}
		c.Add(time.Hour)
		if n, _ := b.RunDue(ctx); n != 1 {
			t.Fatal("node b did not take over")
		}
		info, _ = b.Get(ctx, id)
		if info.State != jobs.Done {
			t.Fatalf("not done: %+v", info)
		}
		want := "0,1,2,3,4"
		got := ""
		for i, s := range seen {
			if i > 0 {
				got += ","
			}
			got += s
		}
		if got != want {
			t.Fatalf("batches %s, want %s (no loss, no duplicate)", got, want)
		}
	})
}

// A running job whose lease expired is claimed by another node, and the
// first node's Save then fails with ErrLeaseLost.
func TestExpiredLeaseIsTakenOver(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{t: time.Unix(1_700_000_000, 0)}
		a := newQueue(d, c, "node-a")
		b := newQueue(d, c, "node-b")
		var aJob *jobs.Job
		a.Handle("long", func(ctx context.Context, j *jobs.Job) error {
			aJob = j
			c.Add(time.Minute) // the node stalls past its lease
			if n, _ := b.RunDue(ctx); n != 1 {
				t.Errorf("node b could not take the expired job")
			}
			return j.Save(ctx, "late", 50)
		})
		b.Handle("long", func(ctx context.Context, j *jobs.Job) error { return nil })
		id, _ := a.Enqueue(ctx, "long", nil, jobs.Options{})
		_, _ = a.RunDue(ctx)
		if aJob == nil {
			t.Fatal("a never ran")
		}
		if err := aJob.Save(ctx, "x", 1); !errors.Is(err, jobs.ErrLeaseLost) {
			t.Fatalf("Save after takeover = %v, want ErrLeaseLost", err)
		}
		info, _ := a.Get(ctx, id)
		if info.State != jobs.Done {
			t.Fatalf("state %+v", info)
		}
	})
}

// A node that lets its own lease run out and claims the job again has two
// runs of it: the first one's Save must fail as if another node had it.
func TestExpiredLeaseRetakenBySameNode(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{t: time.Unix(1_700_000_000, 0)}
		q := newQueue(d, c, "node-a")
		var first *jobs.Job
		runs := 0
		q.Handle("long", func(ctx context.Context, j *jobs.Job) error {
			runs++
			if runs > 1 {
				return nil
			}
			first = j
			c.Add(time.Minute) // the run stalls past its lease
			if n, _ := q.RunDue(ctx); n != 1 {
				t.Errorf("the node could not take its own expired job")
			}
			return j.Save(ctx, "late", 50)
		})
		id, _ := q.Enqueue(ctx, "long", nil, jobs.Options{})
		_, _ = q.RunDue(ctx)
		if first == nil || runs != 2 {
			t.Fatalf("runs = %d", runs)
		}
		if err := first.Save(ctx, "x", 1); !errors.Is(err, jobs.ErrLeaseLost) {
			t.Fatalf("Save of the first run after the second claim = %v, want ErrLeaseLost", err)
		}
		if info, _ := q.Get(ctx, id); info.State != jobs.Done {
			t.Fatalf("state %+v", info)
		}
	})
}

// A job whose node died during its last attempt is failed, not claimed
// again: a job that kills every process running it must stop somewhere.
func TestAbandonedLastAttemptFails(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{t: time.Unix(1_700_000_000, 0)}
		q := newQueue(d, c, "node-a")
		ran := 0
		q.Handle("crash", func(ctx context.Context, j *jobs.Job) error { ran++; return nil })
		last, _ := q.Enqueue(ctx, "crash", nil, jobs.Options{MaxAttempts: 2})
		spare, _ := q.Enqueue(ctx, "crash", map[string]int{"n": 2}, jobs.Options{MaxAttempts: 2})
		// Both were claimed by a node that died: one on its last attempt,
		// one with an attempt left.
		for id, attempts := range map[string]int{last: 2, spare: 1} {
			if _, err := d.Writer().ExecContext(ctx, `UPDATE jobs SET state = 'running', lease_owner = 'dead', lease_until = $2, attempts = $3 WHERE id = $1`,
				id, c.Now().Add(-time.Second).UnixMilli(), attempts); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := q.RunDue(ctx); err != nil || n != 1 || ran != 1 {
			t.Fatalf("RunDue = %d, %v; ran %d, want the one with an attempt left", n, err, ran)
		}
		if info, _ := q.Get(ctx, last); info.State != jobs.Failed || info.LastError == "" {
			t.Fatalf("the job abandoned on its last attempt is %+v, want failed with a reason", info)
		}
		if info, _ := q.Get(ctx, spare); info.State != jobs.Done {
			t.Fatalf("the job with an attempt left is %+v, want done", info)
		}
	})
}

// Several workers on one database never run the same job twice.
func TestConcurrentWorkersClaimOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var count sync.Map
		var total atomic.Int32
		mk := func(node string) *jobs.Queue {
			q := jobs.New(d, nil)
			q.Node = node
			q.Poll = 10 * time.Millisecond
			q.Concurrency = 3
			q.Handle("n", func(ctx context.Context, j *jobs.Job) error {
				if _, dup := count.LoadOrStore(j.ID, true); dup {
					t.Errorf("job %s ran twice", j.ID)
				}
				total.Add(1)
				return nil
			})
			return q
		}
		q1, q2 := mk("one"), mk("two")
		for i := 0; i < 40; i++ {
			if _, err := q1.Enqueue(ctx, "n", i, jobs.Options{}); err != nil {
				t.Fatal(err)
			}
		}
		s1, s2 := q1.Start(), q2.Start()
		deadline := time.After(30 * time.Second)
		for total.Load() < 40 {
			select {
			case <-deadline:
				t.Fatalf("only %d of 40 jobs ran", total.Load())
			case <-time.After(20 * time.Millisecond):
			}
		}
		s1()
		s2()
	})
}

// While every slot of a node is taken by long jobs, the schedules still
// get their jobs (a daily one must not miss its day).
func TestSchedulesWhileSlotsAreBusy(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{t: time.Unix(1_700_000_000, 0)}
		q := newQueue(d, c, "node-a")
		q.Concurrency = 1
		q.Poll = 5 * time.Millisecond
		running, release := make(chan struct{}), make(chan struct{})
		q.Handle("long", func(ctx context.Context, j *jobs.Job) error {
			close(running)
			<-release
			return nil
		})
		q.Handle("tick", func(context.Context, *jobs.Job) error { return nil })
		q.Every("tick", time.Hour, nil)
		if _, err := q.Enqueue(ctx, "long", nil, jobs.Options{}); err != nil {
			t.Fatal(err)
		}
		stop := q.Start()
		defer stop()
		defer close(release)
		<-running
		ticks := func() int {
			var n int
			if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM jobs WHERE kind = 'tick'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := ticks()
		c.Add(3 * time.Hour) // the next slots come while "long" holds the only slot
		for i := 0; ticks() == before; i++ {
			if i == 1000 {
				t.Fatal("no scheduled job was added while the node's only slot was busy")
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}
