package blob_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/blob/blobtest"
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
