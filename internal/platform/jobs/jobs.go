// Package jobs runs background and scheduled work with leases, safe with
// several nodes on one database.
//
// A job is a row in the jobs table. A node claims a due job by writing an
// owner of that claim (its name and a random suffix) and a lease deadline
// into the row (on PostgreSQL under FOR UPDATE SKIP LOCKED, so two nodes
// never claim the same job; on SQLite the single writer serializes claims).
// While the handler runs, the lease is renewed; when a node crashes its
// lease runs out and another node (or the same one) claims the job again,
// and the first claim's Save fails with ErrLeaseLost. A crash counts as an
// attempt: a job whose node died during its last attempt is failed rather
// than claimed again. Handlers make progress resumable by saving a checkpoint in the
// same transaction as each batch of work (Job.Save), so a retried job
// continues where the last committed batch left off — no work lost, none done
// twice.
//
// Payloads and checkpoints hold ids and counters only, never personal data.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Job states.
const (
	Queued  = "queued"
	Running = "running"
	Done    = "done"
	Failed  = "failed"
)

// ErrLeaseLost is returned by Job.Save when another node has taken the job
// over (this node's lease ran out); the handler must stop.
var ErrLeaseLost = errors.New("jobs: lease lost to another node")

// Job is a claimed job, handed to its handler.
type Job struct {
	ID       string
	Kind     string
	Payload  json.RawMessage
	Attempts int
	// Checkpoint is what the handler last saved ("" on the first run).
	Checkpoint string
	Progress   int

	q     *Queue
	owner string
}

// Decode unmarshals the payload into v.
func (j *Job) Decode(v any) error { return json.Unmarshal(j.Payload, v) }

// Save records the handler's checkpoint and progress (0–100) and renews the
// lease. Call it inside the transaction of the batch it describes, so that
// the batch and its checkpoint commit together.
func (j *Job) Save(ctx context.Context, checkpoint string, progress int) error {
	if progress < 0 {
		progress = 0
	}
	if progress > 99 {
		progress = 99
	}
	now := j.q.now()
	ok, err := saveCheckpoint(ctx, j.q.DB, j.ID, j.owner, checkpoint, progress, now.Add(j.q.lease()).UnixMilli(), now.UnixMilli())
	if err != nil {
		return err
	}
	if !ok {
		return ErrLeaseLost
	}
	j.Checkpoint, j.Progress = checkpoint, progress
	return nil
}

// Handler does the work of one job. Returning nil marks the job done; an
// error schedules a retry with backoff (until MaxAttempts), unless it is
// Permanent.
type Handler func(ctx context.Context, j *Job) error

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks err as not worth retrying: the job fails at once.
func Permanent(err error) error { return permanent{err} }

// Options tune Enqueue.
type Options struct {
	// RunAt is when the job becomes due (zero: now).
	RunAt time.Time
	// Key deduplicates: a second Enqueue of the same kind and key returns
	// the first job's id instead of adding one.
	Key string
	// MaxAttempts bounds retries (default 10).
	MaxAttempts int
}

// Info is the public state of a job.
type Info struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	State      string `json:"state"`
	Progress   int    `json:"progress"`
	Attempts   int    `json:"attempts"`
	RunAt      int64  `json:"run_at"`
	LastError  string `json:"last_error,omitempty"`
	Result     string `json:"result,omitempty"`
	FinishedAt int64  `json:"finished_at,omitempty"`
}

// Queue enqueues jobs and runs the handlers of this node.
type Queue struct {
	DB  *db.DB
	Log *slog.Logger
	// Node names this process in leases (default hostname/pid/random).
	Node string
	// Lease is how long a claim lasts without renewal (default 30s).
	Lease time.Duration
	// Poll is how often the worker looks for due jobs (default 1s).
	Poll time.Duration
	// Concurrency is how many jobs this node runs at once (default 2).
	Concurrency int
	// Now is the clock (default time.Now); tests use a fake one.
	Now func() time.Time

	mu       sync.Mutex
	handlers map[string]Handler
	every    []schedule
	wake     chan struct{}
	stop     context.CancelFunc
	wg       sync.WaitGroup
}

type schedule struct {
	kind     string
	interval time.Duration
	payload  any
}

// New returns a queue over d.
func New(d *db.DB, log *slog.Logger) *Queue {
	if log == nil {
		log = slog.Default()
	}
	host, _ := os.Hostname()
	return &Queue{
		DB:       d,
		Log:      log,
		Node:     fmt.Sprintf("%s/%d/%s", host, os.Getpid(), ids.Token(4)),
		handlers: map[string]Handler{},
		wake:     make(chan struct{}, 1),
	}
}

func (q *Queue) now() time.Time {
	if q.Now != nil {
		return q.Now()
	}
	return time.Now()
}

func (q *Queue) lease() time.Duration {
	if q.Lease > 0 {
		return q.Lease
	}
	return 30 * time.Second
}

// Handle registers the handler of a job kind on this node.
func (q *Queue) Handle(kind string, h Handler) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.handlers[kind] = h
}

// Every makes sure a job of kind with payload runs once per interval across
// all nodes (the slot is the dedupe key, so nodes agree).
func (q *Queue) Every(kind string, interval time.Duration, payload any) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.every = append(q.every, schedule{kind: kind, interval: interval, payload: payload})
}

func (q *Queue) kinds() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]string, 0, len(q.handlers))
	for k := range q.handlers {
		out = append(out, k)
	}
	return out
}

// Enqueue adds a job in ctx's transaction (so it exists only if the change
// that asked for it commits) and returns its id.
func (q *Queue) Enqueue(ctx context.Context, kind string, payload any, o Options) (string, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("jobs: payload of %s: %w", kind, err)
	}
	now := q.now()
	runAt := o.RunAt
	if runAt.IsZero() {
		runAt = now
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	id, err := insertJob(ctx, q.DB, ids.New("job"), kind, o.Key, string(b), runAt.UnixMilli(), o.MaxAttempts, now.UnixMilli())
	if err != nil {
		return "", err
	}
	q.Wake()
	return id, nil
}

// Wake makes the worker look for due jobs now.
func (q *Queue) Wake() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Depth is how many jobs wait or run, for monitoring.
type Depth struct {
	Due     int64 // queued and due now: the backlog
	Later   int64 // queued for a later time (scheduled, retries)
	Running int64
}

// Depth counts the queue's unfinished jobs (every node's).
func (q *Queue) Depth(ctx context.Context) (Depth, error) {
	due, later, running, err := countJobs(ctx, q.DB, q.now().UnixMilli())
	return Depth{Due: due, Later: later, Running: running}, err
}

// Get returns the state of a job.
func (q *Queue) Get(ctx context.Context, id string) (Info, error) { return getJob(ctx, q.DB, id) }

// Cancel removes a job that has not started (e.g. an erasure that was
// called off). It returns db.ErrNotFound when the job is running or gone.
func (q *Queue) Cancel(ctx context.Context, id string) error { return cancelJob(ctx, q.DB, id) }

// Reschedule moves a queued job's due time.
func (q *Queue) Reschedule(ctx context.Context, id string, runAt time.Time) error {
	return rescheduleJob(ctx, q.DB, id, runAt.UnixMilli(), q.now().UnixMilli())
}

// Start runs the worker until the returned stop function is called; stop
// waits for running handlers to return (their context is cancelled, and a
// job interrupted that way is released to run again at once).
func (q *Queue) Start() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	q.mu.Lock()
	q.stop = cancel
	q.mu.Unlock()
	n := q.Concurrency
	if n <= 0 {
		n = 2
	}
	sem := make(chan struct{}, n)
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		poll := q.Poll
		if poll <= 0 {
			poll = time.Second
		}
		t := time.NewTicker(poll)
		defer t.Stop()
		lastPrune := time.Time{}
		for {
			q.schedule(ctx)
			q.failAbandoned(ctx)
			if time.Since(lastPrune) > time.Hour {
				lastPrune = time.Now()
				if err := pruneJobs(ctx, q.DB, q.now().Add(-30*24*time.Hour).UnixMilli()); err != nil && ctx.Err() == nil {
					q.Log.Warn("jobs: prune", "err", err)
				}
			}
			for {
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					return
				case <-t.C:
					// Every slot is busy (long jobs): the schedules still
					// get their jobs, or a daily one could miss its day.
					q.schedule(ctx)
					q.failAbandoned(ctx)
					continue
				}
				j, err := q.claim(ctx)
				if err != nil || j == nil {
					<-sem
					if err != nil && ctx.Err() == nil {
						q.Log.Warn("jobs: claim", "err", err)
					}
					break
				}
				q.wg.Add(1)
				go func() {
					defer q.wg.Done()
					defer func() { <-sem }()
					q.run(ctx, j)
				}()
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-q.wake:
			}
		}
	}()
	return func() {
		cancel()
		q.wg.Wait()
	}
}

// Started reports whether Start has been called: from then on jobs run, so
// whatever a handler relies on must be in place before it.
func (q *Queue) Started() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.stop != nil
}

func (q *Queue) schedule(ctx context.Context) {
	q.mu.Lock()
	ev := append([]schedule(nil), q.every...)
	q.mu.Unlock()
	now := q.now()
	for _, s := range ev {
		slot := now.UnixMilli() / s.interval.Milliseconds()
		key := fmt.Sprintf("every:%d", slot)
		// Not Enqueue: that wakes the worker, which would schedule again
		// at once — a busy loop.
		b, _ := json.Marshal(s.payload)
		if _, err := insertJob(ctx, q.DB, ids.New("job"), s.kind, key, string(b), now.UnixMilli(), 3, now.UnixMilli()); err != nil && ctx.Err() == nil {
			q.Log.Warn("jobs: schedule", "kind", s.kind, "err", err)
		}
	}
}

// RunDue claims and runs due jobs on the calling goroutine until none is
// left, and returns how many ran. Tests and CLI commands use it instead of
// Start.
func (q *Queue) RunDue(ctx context.Context) (int, error) {
	n := 0
	q.failAbandoned(ctx)
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		j, err := q.claim(ctx)
		if err != nil {
			return n, err
		}
		if j == nil {
			return n, nil
		}
		q.run(ctx, j)
		n++
	}
}

func (q *Queue) claim(ctx context.Context) (*Job, error) {
	kinds := q.kinds()
	if len(kinds) == 0 {
		return nil, nil
	}
	now := q.now()
	// Each claim has an owner of its own: were this node to claim again a
	// job whose lease it let run out (a long transaction held off the
	// renewal), the first run's Save and renewal must fail, not carry on
	// beside the second.
	owner := q.Node + "/" + ids.Token(4)
	j, err := claimJob(ctx, q.DB, kinds, owner, now.UnixMilli(), now.Add(q.lease()).UnixMilli())
	if err != nil || j == nil {
		return nil, err
	}
	j.q, j.owner = q, owner
	return j, nil
}

// failAbandoned marks failed the jobs whose node died while running them
// once they have used all their attempts: a job that kills every process
// that runs it (out of memory, say) must not be claimed for ever.
func (q *Queue) failAbandoned(ctx context.Context) {
	if err := failAbandonedJobs(ctx, q.DB, q.now().UnixMilli()); err != nil && ctx.Err() == nil {
		q.Log.Warn("jobs: fail abandoned", "err", err)
	}
}

func (q *Queue) run(ctx context.Context, j *Job) {
	q.mu.Lock()
	h := q.handlers[j.Kind]
	q.mu.Unlock()
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Renew the lease while the handler runs.
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(q.lease() / 3)
		defer t.Stop()
		for {
			select {
			case <-hctx.Done():
				return
			case <-t.C:
				now := q.now()
				ok, err := renewLease(context.WithoutCancel(hctx), q.DB, j.ID, j.owner, now.Add(q.lease()).UnixMilli())
				if err == nil && !ok {
					q.Log.Warn("jobs: lease lost", "job", j.ID, "kind", j.Kind)
					cancel()
					return
				}
			}
		}
	}()
	err := q.safeCall(hctx, h, j)
	cancel()
	<-renewed
	bg := context.WithoutCancel(ctx)
	now := q.now().UnixMilli()
	switch {
	case err == nil:
		if ferr := finishJob(bg, q.DB, j.ID, j.owner, now); ferr != nil {
			q.Log.Error("jobs: finish", "job", j.ID, "err", ferr)
		}
	case errors.Is(err, ErrLeaseLost):
		// Another node owns it now.
	case ctx.Err() != nil:
		// This node is stopping: hand the job back at once.
		if rerr := releaseJob(bg, q.DB, j.ID, j.owner, now); rerr != nil {
			q.Log.Warn("jobs: release", "job", j.ID, "err", rerr)
		}
	default:
		var p permanent
		final := errors.As(err, &p)
		backoff := time.Duration(1<<min(j.Attempts, 10)) * time.Second
		backoff += time.Duration(rand.Int64N(int64(backoff/2) + 1))
		q.Log.Warn("jobs: failed", "job", j.ID, "kind", j.Kind, "attempt", j.Attempts, "err", err)
		if ferr := failJob(bg, q.DB, j.ID, j.owner, err.Error(), final, now, now+backoff.Milliseconds()); ferr != nil {
			q.Log.Error("jobs: record failure", "job", j.ID, "err", ferr)
		}
	}
}

func (q *Queue) safeCall(ctx context.Context, h Handler, j *Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	if h == nil {
		return Permanent(fmt.Errorf("no handler for %s", j.Kind))
	}
	return h(ctx, j)
}

// SetResult stores a short result text (ids, counts) shown with the job.
func (j *Job) SetResult(ctx context.Context, result string) error {
	return setResult(ctx, j.q.DB, j.ID, result)
}
