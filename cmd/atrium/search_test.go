package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

type everyoneKnowsEveryone struct{}

func (everyoneKnowsEveryone) IsActiveMember(context.Context, string, string) bool { return true }
func (everyoneKnowsEveryone) AreContacts(context.Context, string, string) bool    { return true }

// TestSearchReindex empties the search index behind the server's back and
// checks that `atrium search reindex` brings the answers back.
func TestSearchReindex(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := chat.New(d, everyoneKnowsEveryone{}, nil, nil)
		defer svc.Close()
		me := actor.With(ctx, &actor.Actor{AccountID: ids.New("acc"), OrgID: ids.New("org")})
		c, _, err := svc.Create(me, chat.CreateInput{Kind: chat.KindInternal, Name: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Send(me, c.ID, chat.SendInput{ClientMsgID: "r1", Body: "本周会议纪要 quarterly"}); err != nil {
			t.Fatal(err)
		}
		find := func() int {
			p, err := svc.Search(me, chat.SearchQuery{Q: "会议纪要"})
			if err != nil {
				t.Fatal(err)
			}
			return len(p.Items)
		}
		if find() != 1 {
			t.Fatal("not found before reindex")
		}
		args := []string{"search", "reindex"}
		if d.Kind == db.SQLite {
			if _, err := d.Writer().ExecContext(ctx, `INSERT INTO message_fts (message_fts) VALUES ('delete-all')`); err != nil {
				t.Fatal(err)
			}
			if find() != 0 {
				t.Fatal("still found with an empty index")
			}
			args = append(args, "--data-dir", filepath.Dir(d.Path))
		} else {
			// The data dir holds the master key that opens sealed messages.
			args = append(args, "--database-url", d.URL, "--data-dir", t.TempDir())
		}
		out, err := runCmd(t, args...)
		if err != nil || !strings.Contains(out, "search index rebuilt: 1 messages") {
			t.Fatalf("reindex: %v\n%s", err, out)
		}
		if find() != 1 {
			t.Fatal("not found after reindex")
		}
	})
}
