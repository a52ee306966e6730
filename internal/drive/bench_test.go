package drive_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/platform/blob/blobtest"
	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// BenchmarkThroughput measures one stream of a 32 MiB file through the
// HTTP API of a real server on SQLite (bodies sealed under the person's
// key), with the local file store (synced to disk) and with the S3 store
// talking to an S3-compatible server on 127.0.0.1 (blobtest, in memory):
// a streamed upload, a resumable upload in 8 MiB chunks with its SHA-256
// checked on completion, and a download. MB/s is the throughput of one
// stream.
//
//	go test ./internal/drive -run '^$' -bench Throughput -benchtime 5x
func BenchmarkThroughput(b *testing.B) {
	b.Run("local", func(b *testing.B) { throughput(b, servertest.Start(b, db.SQLite)) })
	b.Run("s3", func(b *testing.B) {
		srv := blobtest.StartS3(b, "bench")
		for k, v := range srv.Env() {
			b.Setenv(k, v)
		}
		throughput(b, servertest.StartWith(b, db.SQLite, servertest.Options{Configure: func(c *config.Config) { c.BlobURL = "s3://bench/drive" }}))
	})
}

func throughput(b *testing.B, env *servertest.Env) {
	w := newWorld(b, env)
	ann := w.member(b, "Ann")
	sp := mySpace(b, ann)
	body := bytes.Repeat([]byte("0123456789abcdef"), 2<<20) // 32 MiB
	drop := func(id string) {
		ann.Do(b, "DELETE", "/api/v1/drive/items/"+id, nil, nil).Want(b, http.StatusNoContent)
		ann.Do(b, "DELETE", "/api/v1/drive/items/"+id+"/trash", nil, nil).Want(b, http.StatusNoContent)
	}
	n := 0
	b.Run("upload", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			n++
			it := file(b, ann, sp.RootID, fmt.Sprintf("up-%d.bin", n), body)
			b.StopTimer()
			drop(it.ID)
			b.StartTimer()
		}
	})
	b.Run("resumable", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			n++
			var u drive.UploadSession
			ann.Do(b, "POST", "/api/v1/drive/uploads", map[string]any{"parent_id": sp.RootID, "name": fmt.Sprintf("res-%d.bin", n), "size": len(body)}, &u).Want(b, http.StatusCreated)
			for off := 0; off < len(body); off += 8 << 20 {
				raw(b, ann, "PATCH", "/api/v1/drive/uploads/"+u.ID, body[off:off+8<<20], map[string]string{"Upload-Offset": strconv.Itoa(off)}).Want(b, http.StatusOK)
			}
			var it drive.Item
			ann.Do(b, "POST", "/api/v1/drive/uploads/"+u.ID+"/complete", map[string]any{}, &it).Want(b, http.StatusCreated)
			b.StopTimer()
			drop(it.ID)
			b.StartTimer()
		}
	})
	b.Run("download", func(b *testing.B) {
		it := file(b, ann, sp.RootID, "down.bin", body)
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			req, _ := http.NewRequest("GET", env.URL+"/api/v1/drive/items/"+it.ID+"/content", nil)
			for _, c := range ann.HTTP.Jar.Cookies(req.URL) {
				req.AddCookie(c)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			m, err := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil || m != int64(len(body)) {
				b.Fatal(m, err)
			}
		}
	})
}
