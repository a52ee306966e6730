package blob_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/blob/blobtest"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
)

// BenchmarkThroughput uploads and downloads a 32 MiB body through the
// local store and through the S3 store talking to an in-memory
// S3-compatible server on loopback (blobtest), with the default 16 MiB
// parts: MB/s is the throughput of one stream.
func BenchmarkThroughput(b *testing.B) {
	ctx := context.Background()
	body := bytes.Repeat([]byte("0123456789abcdef"), 2<<20) // 32 MiB
	local, err := blob.NewLocal(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	srv := blobtest.StartS3(b, "bench")
	s3, err := blob.NewS3(ctx, blob.S3Config{Bucket: "bench", Endpoint: srv.URL, AccessKey: blobtest.AccessKey,
		SecretKey: blobtest.SecretKey, Region: blobtest.Region})
	if err != nil {
		b.Fatal(err)
	}
	for _, st := range []struct {
		name  string
		store blob.Store
	}{{"local", local}, {"s3", s3}} {
		b.Run(st.name+"/upload", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				info, err := st.store.Put(ctx, io.MultiReader(bytes.NewReader(body)), 0)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				_ = st.store.Delete(ctx, info.Key)
				b.StartTimer()
			}
		})
		b.Run(st.name+"/download", func(b *testing.B) {
			info, err := st.store.Put(ctx, bytes.NewReader(body), 0)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				o, _, err := st.store.Open(ctx, info.Key)
				if err != nil {
					b.Fatal(err)
				}
				if n, err := io.Copy(io.Discard, o); err != nil || n != int64(len(body)) {
					b.Fatal(n, err)
				}
				o.Close()
			}
		})
	}
}

// countingStore counts the bytes written through it.
type countingStore struct {
	blob.Store
	written int64
}

func (c *countingStore) Put(ctx context.Context, r io.Reader, limit int64) (blob.Info, error) {
	info, err := c.Store.Put(ctx, r, limit)
	c.written += info.Size
	return info, err
}

// BenchmarkShare gives a second owner a 32 MiB sealed body on the local
// store, referrers counted in SQLite: by a link (what Save to drive and a
// move between a personal and an organization space do) and, for
// comparison, by a rewrapped copy. stored-B/op is what reached the store
// per share.
func BenchmarkShare(b *testing.B) {
	ctx := context.Background()
	body := bytes.Repeat([]byte("0123456789abcdef"), 2<<20) // 32 MiB
	local, err := blob.NewLocal(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	cs := &countingStore{Store: local}
	env := blob.Seal(blob.Count(cs, blob.DBRefs{DB: dbtest.Open(b, db.SQLite)}), &keys{})
	src, err := env.PutFor(ctx, "acc_uploader", bytes.NewReader(body), 0)
	if err != nil {
		b.Fatal(err)
	}
	for _, how := range []string{"link", "copy"} {
		b.Run(how, func(b *testing.B) {
			cs.written = 0
			for b.Loop() {
				var info blob.Info
				if how == "link" {
					info, err = env.Link(ctx, src.Key, "acc_saver")
				} else {
					info, err = env.Rewrap(ctx, src.Key, "acc_saver")
				}
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				_ = env.Delete(ctx, info.Key)
				b.StartTimer()
			}
			b.ReportMetric(float64(cs.written)/float64(b.N), "stored-B/op")
		})
	}
}
