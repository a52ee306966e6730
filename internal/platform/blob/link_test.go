package blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// stored sums the bytes a backend keeps.
func stored(t *testing.T, b backend) (objects int, n int) {
	for _, k := range b.list(t) {
		objects++
		n += len(b.raw(t, k))
	}
	return objects, n
}

func readAll(t *testing.T, env *blob.Envelope, key string) []byte {
	t.Helper()
	o, _, err := env.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer o.Close()
	got, err := io.ReadAll(o)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestLink shares a body between owners without copying its chunks: a
// link adds a header-sized object and no body bytes, reads (and seeks) the
// same plaintext under its own owner's key, survives the destruction of
// the writer's key and the deletion of the writer's key, and the bytes go
// with the last referrer — on the local and the S3 store, with the
// referrers counted in SQLite and PostgreSQL.
func TestLink(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		eachBackend(t, func(t *testing.T, b backend) { testLink(t, b, d) })
	})
}

func testLink(t *testing.T, b backend, d *db.DB) {
	ctx := context.Background()
	k := &keys{}
	refs := blob.DBRefs{DB: d}
	env := blob.Seal(blob.Count(b.store, refs), k)
	body := make([]byte, 300_000)
	rand.Read(body)

	orig, err := env.PutFor(ctx, "acc_ann", bytes.NewReader(body), 0)
	if err != nil {
		t.Fatal(err)
	}
	objs, size := stored(t, b)

	l, err := env.Link(ctx, orig.Key, "acc_bob")
	if err != nil {
		t.Fatal(err)
	}
	if l.Size != int64(len(body)) || l.Key == orig.Key {
		t.Fatalf("link: %+v", l)
	}
	objs2, size2 := stored(t, b)
	if objs2 != objs+1 || size2-size > 256 {
		t.Fatalf("a link stored %d objects and %d bytes", objs2-objs, size2-size)
	}
	if got := readAll(t, env, l.Key); !bytes.Equal(got, body) {
		t.Fatal("the link reads other bytes")
	}
	o, n, err := env.Open(ctx, l.Key)
	if err != nil || n != int64(len(body)) {
		t.Fatalf("open: %d %v", n, err)
	}
	if _, err := o.Seek(200_000, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	part := make([]byte, 1000)
	if _, err := io.ReadFull(o, part); err != nil || !bytes.Equal(part, body[200_000:201_000]) {
		t.Fatalf("ranged read of a link: %v", err)
	}
	o.Close()
	if owner, err := env.Owner(ctx, l.Key); err != nil || owner != "acc_bob" {
		t.Fatalf("owner: %q %v", owner, err)
	}
	// The stored link holds no key in the clear and no chunk.
	if raw := b.raw(t, l.Key); len(raw) > 200 || bytes.Contains(raw, body[:32]) {
		t.Fatalf("link object: %d bytes", len(raw))
	}

	// A link to the link points at the body itself.
	l2, err := env.Link(ctx, l.Key, "org_x")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := refs.Referrers(ctx, orig.Key); err != nil || n != 3 {
		t.Fatalf("referrers: %d %v", n, err)
	}
	// A rewrapped link is a full copy.
	cp, err := env.Rewrap(ctx, l.Key, "org_y")
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, env, cp.Key); !bytes.Equal(got, body) {
		t.Fatal("the rewrapped link reads other bytes")
	}
	if err := env.Delete(ctx, cp.Key); err != nil {
		t.Fatal(err)
	}

	// The writer's key destroyed: their body is unreadable, the links
	// are not.
	k.destroy("acc_ann")
	if _, _, err := env.Open(ctx, orig.Key); !errors.Is(err, blob.ErrUnreadable) {
		t.Fatalf("the writer's body after its key went: %v", err)
	}
	if got := readAll(t, env, l.Key); !bytes.Equal(got, body) {
		t.Fatal("the link after the writer's key went")
	}
	// The writer lets go: the chunks stay for the links.
	if err := env.Delete(ctx, orig.Key); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(b.list(t), orig.Key) {
		t.Fatal("the body went while links refer to it")
	}
	if got := readAll(t, env, l2.Key); !bytes.Equal(got, body) {
		t.Fatal("the second link after the writer let go")
	}
	if err := env.Delete(ctx, l.Key); err != nil {
		t.Fatal(err)
	}
	if keys := b.list(t); !slices.Contains(keys, orig.Key) || slices.Contains(keys, l.Key) {
		t.Fatalf("after the first link went: %v", keys)
	}
	// The last referrer goes: nothing is left, in the store or the count.
	if err := env.Delete(ctx, l2.Key); err != nil {
		t.Fatal(err)
	}
	if keys := b.list(t); len(keys) != 0 {
		t.Fatalf("left in the store: %v", keys)
	}
	if n, err := db.QueryOne(ctx, d.R(ctx), db.Value[int], `SELECT COUNT(*) FROM blob_refs`); err != nil || n != 0 {
		t.Fatalf("blob_refs rows left: %d %v", n, err)
	}

	// A body nobody linked to is deleted at once.
	solo, err := env.PutFor(ctx, "acc_ann2", bytes.NewReader(body[:10]), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Delete(ctx, solo.Key); err != nil {
		t.Fatal(err)
	}
	if keys := b.list(t); len(keys) != 0 {
		t.Fatalf("left in the store: %v", keys)
	}
	// A body being deleted cannot be linked; nor can one stored without
	// encryption, or one in a store that does not count referrers.
	gone, _ := env.PutFor(ctx, "acc_ann2", bytes.NewReader(body[:10]), 0)
	if _, err := refs.Release(ctx, gone.Key); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Link(ctx, gone.Key, "acc_bob"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("link to a body being deleted: %v", err)
	}
	plain, _ := env.Put(ctx, bytes.NewReader(body[:10]), 0)
	if _, err := env.Link(ctx, plain.Key, "acc_bob"); !errors.Is(err, blob.ErrNotLinkable) {
		t.Fatalf("link to an unsealed body: %v", err)
	}
	if _, err := blob.Seal(b.store, k).Link(ctx, plain.Key, "acc_bob"); !errors.Is(err, blob.ErrNotLinkable) {
		t.Fatalf("link without counted referrers: %v", err)
	}
	if _, err := env.Link(ctx, "00000000000000000000000000000000", "acc_bob"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("link to nothing: %v", err)
	}
	// Bodies dropped inside a transaction and, with its context, after
	// its commit (as bytes are dropped once their rows are gone).
	in, _ := env.PutFor(ctx, "acc_ann2", bytes.NewReader(body[:10]), 0)
	after, _ := env.PutFor(ctx, "acc_ann2", bytes.NewReader(body[:10]), 0)
	linked, err := env.Link(ctx, after.Key, "acc_bob")
	if err != nil {
		t.Fatal(err)
	}
	var done context.Context
	if err := d.Tx(ctx, func(ctx context.Context) error {
		done = ctx
		return env.Delete(ctx, in.Key)
	}); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(env.Delete(done, after.Key), env.Delete(done, linked.Key)); err != nil {
		t.Fatalf("delete with a finished transaction's context: %v", err)
	}
	if keys := b.list(t); len(keys) != 2 || slices.Contains(keys, in.Key) || slices.Contains(keys, after.Key) {
		t.Fatalf("left in the store: %v", keys)
	}
	// (The deletion the test interrupted ends; the next backend shares
	// the database.)
	if err := b.store.Delete(ctx, gone.Key); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(refs.Forget(ctx, gone.Key), env.Delete(ctx, plain.Key)); err != nil {
		t.Fatal(err)
	}
	if n, err := db.QueryOne(ctx, d.R(ctx), db.Value[int], `SELECT COUNT(*) FROM blob_refs`); err != nil || n != 0 {
		t.Fatalf("blob_refs rows left: %d %v", n, err)
	}
}
