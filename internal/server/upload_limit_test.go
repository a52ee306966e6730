package server_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestUploadLimit: a body over the upload limit is refused with 413
// file_too_large and leaves nothing in the file store; one at the limit is
// stored. (The limit is lowered for the test; the default is 100 MiB.)
func TestUploadLimit(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		const limit = 64 << 10
		env.App.Server.Chat.MaxFileSize = limit
		const email, pw = "up@example.test", "correct horse battery"
		if _, err := env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: email, Password: pw, Name: "Up"}); err != nil {
			t.Fatal(err)
		}
		c := env.Client()
		c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw}, nil).Want(t, http.StatusOK)
		files := func() int {
			n := 0
			filepath.WalkDir(filepath.Join(env.App.Cfg.DataDir, "blobs"), func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					n++
				}
				return nil
			})
			return n
		}
		upload := func(size int) *servertest.Response {
			req, _ := http.NewRequest("POST", env.URL+"/api/v1/files?name=big.bin", bytes.NewReader(bytes.Repeat([]byte{'x'}, size)))
			req.Header.Set("Content-Type", "application/octet-stream")
			return c.Request(t, req)
		}
		before := files()
		for _, size := range []int{limit + 1, 4 * limit, 3 << 20} {
			r := upload(size)
			if r.Status != http.StatusRequestEntityTooLarge && r.Status != http.StatusBadRequest {
				t.Fatalf("%d bytes over a %d limit: %d %s", size, limit, r.Status, r.Body)
			}
			if n := files(); n != before {
				t.Fatalf("a refused upload left %d files in the store", n-before)
			}
		}
		if r := upload(limit); r.Status != http.StatusCreated {
			t.Fatalf("an upload at the limit: %d %s", r.Status, r.Body)
		}
	})
}
