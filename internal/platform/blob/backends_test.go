package blob_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/blob/blobtest"
)

// backend is one Store under test, with a look at what it keeps.
type backend struct {
	name  string
	store blob.Store
	// raw reads and write replaces the stored bytes of a key; list names
	// every key stored; leftovers names anything else left behind
	// (temporary files, unfinished multipart uploads).
	raw       func(t *testing.T, key string) []byte
	write     func(t *testing.T, key string, b []byte)
	list      func(t *testing.T) []string
	leftovers func(t *testing.T) []string
}

// eachBackend runs fn on a fresh local store and on a fresh S3 store of a
// real S3-compatible server listening on 127.0.0.1 (blobtest).
func eachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Run("local", func(t *testing.T) {
		dir := t.TempDir()
		local, err := blob.NewLocal(dir)
		if err != nil {
			t.Fatal(err)
		}
		path := func(key string) string { return filepath.Join(dir, key[0:2], key[2:4], key) }
		walk := func(t *testing.T, tmp bool) []string {
			var keys []string
			filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
				if err == nil && !fi.IsDir() && (filepath.Base(filepath.Dir(p)) == "tmp") == tmp {
					keys = append(keys, fi.Name())
				}
				return nil
			})
			sort.Strings(keys)
			return keys
		}
		fn(t, backend{name: "local", store: local,
			raw: func(t *testing.T, key string) []byte {
				b, err := os.ReadFile(path(key))
				if err != nil {
					t.Fatal(err)
				}
				return b
			},
			write: func(t *testing.T, key string, b []byte) {
				if err := os.WriteFile(path(key), b, 0o600); err != nil {
					t.Fatal(err)
				}
			},
			list:      func(t *testing.T) []string { return walk(t, false) },
			leftovers: func(t *testing.T) []string { return walk(t, true) },
		})
	})
	t.Run("s3", func(t *testing.T) {
		srv := blobtest.StartS3(t, "atrium-test")
		st, err := blob.NewS3(context.Background(), blob.S3Config{Bucket: "atrium-test", Prefix: "node/", Endpoint: srv.URL,
			AccessKey: blobtest.AccessKey, SecretKey: blobtest.SecretKey, Region: blobtest.Region, PartSize: 5 << 20})
		if err != nil {
			t.Fatal(err)
		}
		fn(t, backend{name: "s3", store: st,
			raw:       func(t *testing.T, key string) []byte { return srv.Get(t, "node/"+key) },
			write:     func(t *testing.T, key string, b []byte) { srv.Put(t, "node/"+key, b) },
			list:      func(t *testing.T) []string { return srv.List(t, "node/") },
			leftovers: func(t *testing.T) []string { return srv.Uploads(t, "node/") },
		})
	})
}
