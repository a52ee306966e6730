package db

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"sync/atomic"

	"modernc.org/sqlite"
)

// SQLite spends about as long parsing and planning a short statement as
// running it, and database/sql hands the driver each query as text. The
// "atrium-sqlite" driver keeps, on every connection, the statements it
// has prepared for the most recently used query texts and runs a query
// through its prepared statement when that is free. PostgreSQL's driver
// (pgx) has its own statement cache.
const sqliteDriverName = "atrium-sqlite"

// stmtCacheSize is how many query texts a connection keeps prepared. The
// domains' fixed statements number a few hundred; statements built with
// a variable number of arguments make the rest, and the least recently
// used ones give way.
const stmtCacheSize = 256

// stmtCacheBytes bounds the query text a connection keeps prepared (the
// compiled programs grow with it): multi-row inserts of varying lengths
// would otherwise fill the cache with large programs used once.
const stmtCacheBytes = 512 << 10

// prepares counts the statements the caches have prepared, for tests
// that check how many distinct texts a code path makes.
var prepares atomic.Int64

func init() {
	sql.Register(sqliteDriverName, cachingDriver{&sqlite.Driver{}})
}

type cachingDriver struct{ d *sqlite.Driver }

func (d cachingDriver) Open(name string) (driver.Conn, error) {
	c, err := d.d.Open(name)
	if err != nil {
		return nil, err
	}
	return newCachingConn(c)
}

// innerConn is what the modernc connection offers.
type innerConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

func newCachingConn(c driver.Conn) (driver.Conn, error) {
	ic, ok := c.(innerConn)
	if !ok {
		c.Close()
		return nil, errors.New("db: the sqlite driver's connection lacks the context methods")
	}
	return &cachingConn{innerConn: ic, byQuery: map[string]*list.Element{}, lru: list.New()}, nil
}

// cachingConn is a connection with its prepared statements. database/sql
// uses a connection from one goroutine at a time (rows are closed under
// the same lock), so the cache needs no mutex of its own.
type cachingConn struct {
	innerConn
	byQuery map[string]*list.Element // of *cachedStmt
	lru     *list.List               // front: most recently used
	bytes   int                      // query text held
}

type cachedStmt struct {
	query   string
	st      driver.Stmt
	busy    bool // its rows are open: the query runs unprepared meanwhile
	evicted bool // close it when its rows close
}

// stmt returns the free prepared statement of query, preparing it if
// needed, or nil when the query must run unprepared (its statement is
// busy, or it does not prepare as one statement).
func (c *cachingConn) stmt(ctx context.Context, query string) *cachedStmt {
	if e, ok := c.byQuery[query]; ok {
		c.lru.MoveToFront(e)
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			return nil
		}
		return cs
	}
	if len(query) > stmtCacheBytes/8 || strings.Contains(strings.TrimRight(query, "; \t\n"), ";") {
		// Perhaps a script of several statements (or a ';' in a literal):
		// modernc re-parses scripts on every run anyway.
		return nil
	}
	st, err := c.innerConn.PrepareContext(ctx, query)
	if err != nil {
		// Running it unprepared reports the error as usual.
		return nil
	}
	prepares.Add(1)
	cs := &cachedStmt{query: query, st: st}
	c.byQuery[query] = c.lru.PushFront(cs)
	c.bytes += len(query)
	for c.lru.Len() > stmtCacheSize || c.bytes > stmtCacheBytes {
		old := c.lru.Back()
		c.lru.Remove(old)
		ocs := old.Value.(*cachedStmt)
		delete(c.byQuery, ocs.query)
		c.bytes -= len(ocs.query)
		if ocs.busy {
			ocs.evicted = true
		} else {
			_ = ocs.st.Close()
		}
	}
	return cs
}

// ExecContext runs query through its prepared statement when it can.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs := c.stmt(ctx, query)
	if cs == nil {
		return c.innerConn.ExecContext(ctx, query, args)
	}
	return cs.st.(driver.StmtExecContext).ExecContext(ctx, args)
}

// QueryContext runs query through its prepared statement when it can.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs := c.stmt(ctx, query)
	if cs == nil {
		return c.innerConn.QueryContext(ctx, query, args)
	}
	rows, err := cs.st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, cs: cs}, nil
}

// Close finalizes every prepared statement, then closes the connection.
func (c *cachingConn) Close() error {
	for e := c.lru.Front(); e != nil; e = e.Next() {
		_ = e.Value.(*cachedStmt).st.Close()
	}
	c.lru.Init()
	clear(c.byQuery)
	c.bytes = 0
	return c.innerConn.Close()
}

// cachedRows frees its statement for the next query when closed.
type cachedRows struct {
	driver.Rows
	cs *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.cs != nil {
		r.cs.busy = false
		if r.cs.evicted {
			_ = r.cs.st.Close()
		}
		r.cs = nil
	}
	return err
}
