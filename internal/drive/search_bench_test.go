package drive_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// BenchmarkSearch10k measures, on each database, a folder of 10,000 files
// whose names are sealed under their person's key, each with a few
// hundred bytes of indexed text: listing the folder through the API (every
// name opened), rebuilding the drive's search index (Reindex), and
// searches through the API — a word in one file's text (trigram index), a
// word in every tenth file's name, and a two-character Chinese word (the
// bounded scan). Figures in docs/benchmarks.md ("Drive: search").
//
//	go test ./internal/drive -run '^$' -bench Search10k -benchtime 5x
func BenchmarkSearch10k(b *testing.B) {
	for _, k := range dbtest.Kinds {
		b.Run(string(k), func(b *testing.B) {
			ctx := context.Background()
			env := servertest.Start(b, k)
			w := newWorld(b, env)
			ann := w.member(b, "Ann")
			sp := mySpace(b, ann)
			big := folder(b, ann, sp.RootID, "big")
			keys := env.App.Keyring
			texts := map[string]string{}
			err := env.App.DB.Tx(ctx, func(ctx context.Context) error {
				for i := 0; i < 10000; i++ {
					id := ids.New("dit")
					name := fmt.Sprintf("report-%05d.txt", i)
					if i%10 == 0 {
						name = fmt.Sprintf("budget-%05d.txt", i)
					}
					box, err := keys.Seal(ctx, ann.ID, "drive_items.name:"+id, []byte(name))
					if err != nil {
						return err
					}
					texts[id] = fmt.Sprintf("Minutes %d. The committee reviewed item %d of the plan; 会议讨论了第%d项。", i, i*7, i) +
						strings.Repeat(" Further notes follow.", 10)
					if i == 4321 {
						texts[id] += " The flamingo clause was struck."
					}
					if i%100 == 0 {
						texts[id] += " 预算已批准。"
					}
					if _, err := env.App.DB.W(ctx).ExecContext(ctx, `INSERT INTO drive_items (id, org_id, space_id, parent_id, kind, name, name_key,
						size, content_type, sha256, blob_key, version, created_by, updated_by, created_at, updated_at, name_box, content_key)
						VALUES ($1, $2, $3, $4, 'file', '', $5, 11, 'application/octet-stream', $6, $7, 1, $8, $8, $9, $9, $10, $8)`,
						id, w.orgID, sp.ID, big.ID, keys.Hash("drive.name", name), fmt.Sprintf("%064d", i), "bench/"+id, ann.ID,
						time.Now().UnixMilli()+int64(i), box); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			n, err := drive.Reindex(ctx, env.App.DB, keys, nil, nil)
			if err != nil || n < 10000 {
				b.Fatal(n, err)
			}
			b.Logf("%s: Reindex of %d names in %s", k, n, time.Since(start).Round(time.Millisecond))
			// The files' text, as the indexing job would have read it.
			err = env.App.DB.Tx(ctx, func(ctx context.Context) error {
				for id, text := range texts {
					var rid int64
					if err := env.App.DB.W(ctx).QueryRowContext(ctx, `UPDATE drive_search SET body = $2 WHERE item_id = $1 RETURNING rid`, id, text).Scan(&rid); err != nil {
						return err
					}
					if _, err := env.App.DB.W(ctx).ExecContext(ctx, `DELETE FROM drive_fts WHERE rowid = $1`, rid); err != nil {
						return err
					}
					var name string
					if err := env.App.DB.W(ctx).QueryRowContext(ctx, `SELECT name FROM drive_search WHERE rid = $1`, rid).Scan(&name); err != nil {
						return err
					}
					if _, err := env.App.DB.W(ctx).ExecContext(ctx, `INSERT INTO drive_fts (rowid, body) VALUES ($1, $2)`, rid, name+"\n"+text); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			b.Run("list", func(b *testing.B) {
				for b.Loop() {
					if got := len(children(b, ann, big.ID)); got != 10000 {
						b.Fatalf("%d children", got)
					}
				}
			})
			for _, c := range []struct {
				name, q string
				want    int
			}{{"word-in-one-text", "flamingo", 1}, {"name-in-1000", "budget-", 100}, {"chinese-2-chars", "预算", 100}} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						var l drive.SearchList
						ann.Do(b, "GET", "/api/v1/drive/search?q="+url.QueryEscape(c.q), nil, &l).Want(b, http.StatusOK)
						if len(l.Items) == 0 || len(l.Items) > c.want {
							b.Fatalf("%s: %d hits", c.q, len(l.Items))
						}
						b.ReportMetric(float64(len(l.Items)), "hits")
					}
				})
			}
		})
	}
}
