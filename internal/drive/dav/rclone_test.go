package dav_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestRclone copies a tree into a personal space with rclone's webdav
// backend and back out, on both databases: `rclone check --download`
// finds no difference, the copy back is byte for byte the original, and
// the drive's SHA-256 of each file is the original's.
func TestRclone(t *testing.T) {
	rclone := need(t, "rclone", "rclone")
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann")
		d := davOf(t, env, ps[1])
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		obscured := ""
		run := func(args ...string) string {
			t.Helper()
			cmd := exec.CommandContext(ctx, rclone, args...)
			cmd.Env = append(os.Environ(), "RCLONE_CONFIG="+filepath.Join(t.TempDir(), "none.conf"))
			if len(args) > 0 && args[0] != "obscure" {
				cmd.Env = append(cmd.Env, "RCLONE_CONFIG_ATRIUM_TYPE=webdav", "RCLONE_CONFIG_ATRIUM_URL="+env.URL+"/dav/Acme/personal",
					"RCLONE_CONFIG_ATRIUM_USER="+d.login, "RCLONE_CONFIG_ATRIUM_PASS="+obscured, "RCLONE_CONFIG_ATRIUM_VENDOR=other")
			}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("rclone %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			return string(out)
		}
		obscured = strings.TrimSpace(run("obscure", d.secret))

		// The tree: nested folders, an empty file, a name with spaces and
		// Chinese, and a few random bodies up to 3 MiB.
		src := t.TempDir()
		rng := rand.New(rand.NewSource(7))
		files := map[string][]byte{
			"readme.txt":             []byte("hello\n"),
			"empty":                  {},
			"文档/报告 final.md":         []byte("# 报告\n"),
			"a/b/c/deep.bin":         random(rng, 3<<20+17),
			"a/b/photo.jpg":          random(rng, 200<<10),
			"a/notes with space.txt": []byte("spaces\n"),
		}
		for name, body := range files {
			p := filepath.Join(src, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		run("copy", src, "atrium:tree")
		out := run("check", "--download", src, "atrium:tree")
		t.Logf("rclone check: %s", out)
		dst := t.TempDir()
		run("copy", "atrium:tree", dst)
		for name, body := range files {
			got, err := os.ReadFile(filepath.Join(dst, filepath.FromSlash(name)))
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("%s came back different (%d bytes, want %d): %v", name, len(got), len(body), err)
			}
			sum := sha256.Sum256(body)
			if it := mustItem(t, env, ps[1], "/tree/"+name); it.SHA256 != hex.EncodeToString(sum[:]) || it.Size != int64(len(body)) {
				t.Fatalf("%s in the drive: %s %d, want %x %d", name, it.SHA256, it.Size, sum, len(body))
			}
		}
		// And a listing agrees.
		ls := run("lsf", "-R", "atrium:tree")
		if !strings.Contains(ls, "文档/报告 final.md") || !strings.Contains(ls, "a/b/c/deep.bin") {
			t.Fatalf("rclone lsf: %s", ls)
		}
	})
}

func random(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	rng.Read(b)
	return b
}
