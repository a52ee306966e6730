package blob

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Shared bodies. A body is written once; another owner who must read it
// (a chat attachment saved to someone's drive, a drive file moved between
// a personal space and an organization's) gets a small link object of its
// own (Envelope.Link) holding the body's data key sealed under its owner's
// key and the key of the body it points at. The body's bytes then have
// several referrers, in several domains: the key its writer holds and
// every link to it. Counted keeps how many, in the database every node
// shares (table blob_refs), and deletes the bytes only when the last
// referrer lets go.
//
// A body nobody ever linked to has no row: deleting it costs one row
// written and removed (a tombstone, so that a link racing with the
// deletion fails instead of pointing at bytes about to go).

// Refs counts the referrers of shared bodies.
type Refs interface {
	// Add counts one more referrer of key besides its writer; ErrNotFound
	// when key is being deleted.
	Add(ctx context.Context, key string) error
	// Release drops one referrer of key; last reports that none is left
	// and the bytes may go.
	Release(ctx context.Context, key string) (last bool, err error)
	// Forget forgets a key whose bytes are gone.
	Forget(ctx context.Context, key string) error
}

// Counted is a Store whose bodies may be shared: Delete drops one
// referrer and deletes the bytes with the last one.
type Counted struct {
	st   Store
	refs Refs
}

// Count returns st with its bodies' referrers counted by refs.
func Count(st Store, refs Refs) *Counted { return &Counted{st: st, refs: refs} }

// Put implements Store.
func (c *Counted) Put(ctx context.Context, r io.Reader, limit int64) (Info, error) {
	return c.st.Put(ctx, r, limit)
}

// Open implements Store.
func (c *Counted) Open(ctx context.Context, key string) (Object, int64, error) {
	return c.st.Open(ctx, key)
}

// Delete implements Store: it drops one referrer of key, and the bytes
// when it was the last.
func (c *Counted) Delete(ctx context.Context, key string) error {
	_, err := c.drop(ctx, key)
	return err
}

// drop is Delete, reporting whether the bytes went.
func (c *Counted) drop(ctx context.Context, key string) (bool, error) {
	last, err := c.refs.Release(ctx, key)
	if err != nil || !last {
		return false, err
	}
	if err := c.st.Delete(ctx, key); err != nil {
		return false, err
	}
	return true, c.refs.Forget(ctx, key)
}

// AddRef counts one more referrer of the body under key, which must exist
// (ErrNotFound otherwise), and returns its stored size.
func (c *Counted) AddRef(ctx context.Context, key string) (int64, error) {
	// Looked for before it is counted (no count for a body that is not
	// there) and after (it may have gone in between).
	o, _, err := c.st.Open(ctx, key)
	if err != nil {
		return 0, err
	}
	o.Close()
	if err := c.refs.Add(ctx, key); err != nil {
		return 0, err
	}
	o, size, err := c.st.Open(ctx, key)
	if err != nil {
		_ = c.Delete(ctx, key)
		return 0, err
	}
	o.Close()
	return size, nil
}

// Unwrap returns the store under c.
func (c *Counted) Unwrap() Store { return c.st }

// refCounter is a store that counts referrers (Counted).
type refCounter interface {
	AddRef(ctx context.Context, key string) (int64, error)
	drop(ctx context.Context, key string) (bool, error)
}

// DBRefs keeps the referrers of shared bodies in the database's blob_refs.
type DBRefs struct {
	DB *db.DB
}

// row runs one statement of the count and scans its single result. The
// count lives apart from the caller's transaction, as the bytes do: on
// PostgreSQL it runs on its own connection (a caller's transaction may
// have failed already); SQLite has a single writer, so a statement there
// joins the transaction ctx carries, unless that one has ended (bytes
// dropped after a commit with the transaction's context).
func (r DBRefs) row(ctx context.Context, q string, args ...any) (int, error) {
	var n int
	if r.DB.Kind == db.Postgres || !db.InTx(ctx) {
		err := r.DB.Writer().QueryRowContext(ctx, q, args...).Scan(&n)
		return n, err
	}
	err := r.DB.W(ctx).QueryRowContext(ctx, q, args...).Scan(&n)
	if errors.Is(err, sql.ErrTxDone) {
		err = r.DB.Writer().QueryRowContext(ctx, q, args...).Scan(&n)
	}
	return n, err
}

// Add implements Refs: a body's first link makes two referrers (its
// writer's and the link's). A row at 0 is a body being deleted.
func (r DBRefs) Add(ctx context.Context, key string) error {
	_, err := r.row(ctx, `INSERT INTO blob_refs (blob_key, refs, created_at) VALUES ($1, 2, $2)
		ON CONFLICT (blob_key) DO UPDATE SET refs = blob_refs.refs + 1 WHERE blob_refs.refs > 0 RETURNING refs`,
		key, time.Now().UnixMilli())
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// Release implements Refs.
func (r DBRefs) Release(ctx context.Context, key string) (bool, error) {
	n, err := r.row(ctx, `INSERT INTO blob_refs (blob_key, refs, created_at) VALUES ($1, 0, $2)
		ON CONFLICT (blob_key) DO UPDATE SET refs = blob_refs.refs - 1 RETURNING refs`,
		key, time.Now().UnixMilli())
	if err != nil {
		return false, err
	}
	// Exactly 0: a second release racing with the last (a key deleted
	// twice at once) goes below and deletes nothing.
	return n == 0, nil
}

// Forget implements Refs.
func (r DBRefs) Forget(ctx context.Context, key string) error {
	_, err := r.row(ctx, `DELETE FROM blob_refs WHERE blob_key = $1 AND refs <= 0 RETURNING refs`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

// Referrers returns how many referrers the body under key has (1 for a
// body nobody linked to, 0 for one being deleted), for tests and tools.
func (r DBRefs) Referrers(ctx context.Context, key string) (int, error) {
	n, err := db.QueryOne(ctx, r.DB.R(ctx), db.Value[int], `SELECT refs FROM blob_refs WHERE blob_key = $1`, key)
	if errors.Is(err, db.ErrNotFound) {
		return 1, nil
	}
	return n, err
}

func init() {
	datamap.Register(datamap.Table{
		Name:       "blob_refs",
		Controller: datamap.System,
		Purpose:    "Count who refers to a shared file body, so that its bytes are deleted with the last referrer.",
		Technical:  []string{"blob_key", "refs", "created_at"},
		Erasure:    datamap.Keep,
		Reason:     "Holds a random storage key and a counter only, no personal data; the row goes with the body's bytes.",
	})
}
