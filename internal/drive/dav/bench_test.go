package dav_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// BenchmarkPropfindFolder10k answers PROPFIND Depth 1 (allprop: names,
// sizes, types, dates, ETags and dead properties) of a folder of 10,000
// files (rows as uploads leave them: names sealed under the person's key,
// as SealPlaintextNames seals them) through the whole server, app
// password included, on each database. Besides the wall time it reports
// the CPU time of the process (server and client; not PostgreSQL's) per
// PROPFIND, steadier than the wall time on a shared machine. Figures in
// docs/benchmarks.md ("Drive: WebDAV").
//
//	go test ./internal/drive/dav -run '^$' -bench PropfindFolder10k -benchtime 5x
func BenchmarkPropfindFolder10k(b *testing.B) {
	for _, k := range dbtest.Kinds {
		b.Run(string(k), func(b *testing.B) {
			env := servertest.Start(b, k)
			ps := acme(b, env, "Ann")
			ann := ps[1]
			d := davOf(b, env, ann)
			sp, err := env.App.Drive().MySpace(ann.ctx())
			if err != nil {
				b.Fatal(err)
			}
			dir, err := env.App.Drive().CreateFolder(ann.ctx(), drive.FolderInput{ParentID: sp.RootID, Name: "big"})
			if err != nil {
				b.Fatal(err)
			}
			// The 10,000 rows as uploads leave them (the bytes themselves are
			// not read by PROPFIND), written in one transaction: the name
			// sealed under the person's key and bound to its row, the name
			// key the keyed hash of the lower-cased name.
			ctx := context.Background()
			keys := env.App.Keyring
			err = env.App.DB.Tx(ctx, func(ctx context.Context) error {
				for i := 0; i < 10000; i++ {
					id := ids.New("dit")
					name := fmt.Sprintf("file-%05d.txt", i)
					box, err := keys.Seal(ctx, ann.AccountID, "drive_items.name:"+id, []byte(name))
					if err != nil {
						return err
					}
					sum := sha256.Sum256([]byte(name))
					if _, err := env.App.DB.W(ctx).ExecContext(ctx, `INSERT INTO drive_items (id, org_id, space_id, parent_id, kind, name, name_key,
						size, content_type, sha256, blob_key, version, created_by, updated_by, created_at, updated_at, name_box, content_key)
						VALUES ($1, $2, $3, $4, 'file', '', $5, 11, 'text/plain', $6, $7, 1, $8, $8, $9, $9, $10, $8)`,
						id, ann.OrgID, sp.ID, dir.ID, keys.Hash("drive.name", strings.ToLower(name)), hex.EncodeToString(sum[:]), "bench/"+name,
						ann.AccountID, time.Now().UnixMilli(), box); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			cpu0 := cpuTime(b)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_, body := d.want(http.StatusMultiStatus, "PROPFIND", "/dav/Acme/personal/big/", propfindAll, "Depth", "1")
				if n := strings.Count(body, "<D:response>"); n != 10001 {
					b.Fatalf("%d responses, want 10,001", n)
				}
				b.SetBytes(int64(len(body)))
			}
			b.StopTimer()
			b.ReportMetric(float64((cpuTime(b)-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
