// Package fresh keeps, on each node, the answers every request re-reads —
// a token's session, an account's membership in its organization, the
// privacy gate's verdict, a person's membership in a conversation — without
// ever serving one that a committed change has taken back, on this node or
// any other.
//
// # How
//
// The database keeps one row of generation counters (table
// cache_generations), one per kind of answer (Kind). Triggers raise a kind's
// counter in the same transaction as any change that can take a right away:
// a session ended or moved to another organization, an account deactivated
// or deleted, a member deactivated, removed or given another role, an
// organization disbanded, a person removed from a conversation or given
// another role there, a conversation dissolved, a policy version published,
// an acceptance or a guardian's consent withdrawn, a birth date changed.
// Because the database raises them, every writer is covered — services,
// erasure, retention, the command line, cascades — with nothing to
// remember in the code. Changes that only grant (a new session, member or
// conversation member) raise nothing: no cache holds a refusal.
//
// A request reads the row once, first (With, one primary-key read instead
// of the six to eight reads it replaces), and a Cache hands back an answer
// only when that answer was read at the generation the request just read.
// An answer is stored with the generation read before the answer itself
// was read, so it reflects every change counted up to that generation.
//
// # The guarantee
//
// A change whose transaction has committed is seen by every request that
// reads the generations after the commit returned — that is, every request
// that starts after it, on every node: its commit raised the counter, the
// request reads the raised counter (one read-committed statement on
// PostgreSQL; SQLite has one writer), finds no answer stored at it, and
// reads the database. No notification between nodes is involved, so none
// can be late or lost. Requests already past their generation read when the
// change commits finish as they would have without a cache. Inside a
// transaction nothing is cached or served (its reads may see its own
// uncommitted changes).
//
// # Cost
//
// One indexed read of one row per request, and fewer under load: requests
// that arrive while a read is under way share the next one (group). On PostgreSQL a changing
// transaction holds the counters' row from its first such change to its
// commit, so those transactions (sign-outs, removals, policy versions:
// rare, administrative) serialize on it; the hot writes — sends, receipts,
// sign-ins, a session's sliding expiry — never take it. A change drops all
// of its kind's answers on every node; each person's next request reads
// theirs again.
package fresh

import (
	"context"
	"fmt"
	"sync"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Kind names one counter of cache_generations.
type Kind int

// The kinds of cached answers.
const (
	Sessions      Kind = iota // a token's session and its account's status
	Members                   // an account's active membership in an active organization
	Conversations             // a person's membership in a conversation, and whether it is dissolved
	Policies                  // the privacy gate: policy versions, acceptances, minors and guardians
	numKinds
)

// Gens is the generation of each kind, as read at one moment.
type Gens [numKinds]int64

// Read reads the current generations: the result of a read of the row
// that started after Read was called. Concurrent callers share reads (see
// group): a caller joins the next read to start, never one already under
// way, so what it gets reflects every change committed before it called.
func Read(ctx context.Context, d *db.DB) (Gens, error) {
	if d == nil {
		return Gens{}, fmt.Errorf("fresh: read generations: no database")
	}
	if db.InTx(ctx) {
		// A transaction's own view, never shared.
		return readRow(ctx, d)
	}
	v, _ := groups.Load(d)
	if v == nil {
		v, _ = groups.LoadOrStore(d, &group{d: d})
	}
	return v.(*group).read(ctx)
}

// readRow reads the row of generations.
func readRow(ctx context.Context, d *db.DB) (Gens, error) {
	var g Gens
	err := d.R(ctx).QueryRowContext(ctx,
		`SELECT sessions, members, conversations, policies FROM cache_generations WHERE id = 1`).
		Scan(&g[Sessions], &g[Members], &g[Conversations], &g[Policies])
	if err != nil {
		return Gens{}, fmt.Errorf("fresh: read generations: %w", err)
	}
	return g, nil
}

// groups holds each database's group of readers (*db.DB → *group).
var groups sync.Map

// group coalesces the reads of one database's generations, the way a group
// commit coalesces writes. Under load every request reads the row first;
// rather than each running its own query, the requests that arrive while a
// read is under way wait for the next one, which a single one of them runs
// for all. The next read starts after the current one ends, so it starts
// after every request waiting for it arrived: each gets a read that began
// after it asked, which is all the guarantee (package comment) needs. At
// most two reads are under way or waiting at any time; under a steady load
// of R requests per second and a read taking t, about 1/t reads run per
// second however large R is.
type group struct {
	d  *db.DB
	mu sync.Mutex
	// cur is the read under way (nil: none); next the read that starts when
	// cur ends, which the callers arriving meanwhile join.
	cur, next *round
}

// round is one read of the row, shared by its callers.
type round struct {
	done chan struct{}
	g    Gens
	err  error
}

func (gr *group) read(ctx context.Context) (Gens, error) {
	gr.mu.Lock()
	if gr.cur == nil {
		r := &round{done: make(chan struct{})}
		gr.cur = r
		gr.mu.Unlock()
		gr.run(ctx, r)
		return r.g, r.err
	}
	if r := gr.next; r != nil {
		// Not started yet: it will start after we arrived.
		gr.mu.Unlock()
		select {
		case <-r.done:
			return r.g, r.err
		case <-ctx.Done():
			return Gens{}, fmt.Errorf("fresh: read generations: %w", ctx.Err())
		}
	}
	// A read is under way, which may have started before we arrived: we
	// run the next one, for ourselves and whoever joins it meanwhile.
	r := &round{done: make(chan struct{})}
	gr.next = r
	prev := gr.cur
	gr.mu.Unlock()
	<-prev.done
	gr.mu.Lock()
	gr.cur, gr.next = r, nil
	gr.mu.Unlock()
	gr.run(ctx, r)
	return r.g, r.err
}

// run performs r's read and hands it to r's callers. The read is not bound
// to the caller's cancellation (others wait for it); it is one primary-key
// read.
func (gr *group) run(ctx context.Context, r *round) {
	r.g, r.err = readRow(context.WithoutCancel(ctx), gr.d)
	gr.mu.Lock()
	if gr.cur == r {
		gr.cur = nil
	}
	gr.mu.Unlock()
	close(r.done)
}

type key struct{}

// With returns ctx carrying the generations read now, for the caches the
// request consults. When the read fails, ctx is returned unchanged and the
// caches read again or step aside (From).
func With(ctx context.Context, d *db.DB) context.Context {
	if db.InTx(ctx) {
		return ctx
	}
	g, err := Read(ctx, d)
	if err != nil {
		return ctx
	}
	return context.WithValue(ctx, key{}, g)
}

// From returns the generations ctx carries, or reads them when it carries
// none. ok is false inside a transaction or when they cannot be read: the
// caller must then neither use nor fill a cache.
func From(ctx context.Context, d *db.DB) (g Gens, ok bool) {
	if db.InTx(ctx) {
		return Gens{}, false
	}
	if g, ok := ctx.Value(key{}).(Gens); ok {
		return g, true
	}
	g, err := Read(ctx, d)
	return g, err == nil
}

// Cache is one node's answers of one kind, keyed by id. The zero value is
// not usable: make one with NewCache.
type Cache[K comparable, V any] struct {
	kind Kind
	max  int

	mu  sync.Mutex
	gen int64
	m   map[K]V
}

// NewCache returns a cache of answers of kind k holding at most max entries
// (past it the cache starts empty again).
func NewCache[K comparable, V any](k Kind, max int) *Cache[K, V] {
	return &Cache[K, V]{kind: k, max: max, m: map[K]V{}}
}

// adopt makes gen the cache's generation, dropping every answer of another
// one. Called with mu held.
func (c *Cache[K, V]) adopt(gen int64) {
	if c.gen != gen {
		clear(c.m)
		c.gen = gen
	}
}

// Get returns the answer stored for k at generation g.
func (c *Cache[K, V]) Get(g Gens, k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Any other generation (newer: a change; older: a request that read
	// the row earlier) drops the answers: only answers read at the
	// generation a request saw are ever handed to it.
	c.adopt(g[c.kind])
	v, ok := c.m[k]
	return v, ok
}

// Put stores v for k. g must be the generations read before v was read from
// the database (the request's, from From).
func (c *Cache[K, V]) Put(g Gens, k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.adopt(g[c.kind])
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = v
}

// Len returns the number of answers held (for tests).
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
