package events_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

// TestSealedCopiesAndReferences: readers splice in sealed content stored
// with the event (a copy) and content the event only refers to, which
// they fetch through the Source registered for its AAD's prefix, with one
// call per prefix for a whole page of events. A reference whose row is gone
// or whose prefix has no Source leaves the event without it.
func TestSealedCopiesAndReferences(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		keys, err := keyring.New(d, []byte(strings.Repeat("k", 32)))
		if err != nil {
			t.Fatal(err)
		}
		events.SetOpener(d, keys)
		t.Cleanup(func() { events.SetOpener(d, nil) })
		seal := func(owner, aad, frag string) []byte {
			b, err := keys.Seal(ctx, owner, aad, []byte(frag))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		// The rows a domain would hold: r1 exists, r2 was deleted.
		rows := map[string]events.Sealed{
			"r1": {Owner: "acc_1", AAD: "notes.content:r1", Box: seal("acc_1", "notes.content:r1", `"text":"from the row"`)},
		}
		calls := 0
		events.SetSource(d, "notes.content:", func(ctx context.Context, ids []string) (map[string]events.Sealed, error) {
			calls++
			out := map[string]events.Sealed{}
			for _, id := range ids {
				if v, ok := rows[id]; ok {
					out[id] = v
				}
			}
			return out, nil
		})
		t.Cleanup(func() { events.SetSource(d, "notes.content:", nil) })

		copied := &events.Sealed{Owner: "acc_2", AAD: "x:1", Box: seal("acc_2", "x:1", `"text":"copied"`)}
		for _, s := range []*events.Sealed{copied, events.Ref("notes.content:r1"), events.Ref("notes.content:r2"), events.Ref("unknown.content:r1")} {
			if _, err := events.AppendSealed(ctx, d, "org_a", events.ScopeConversation, "cnv_1", "note", map[string]string{"id": s.AAD}, s); err != nil {
				t.Fatal(err)
			}
		}
		noErr := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		noErr(events.AppendBatch(ctx, d, []events.Pending{{OrgID: "org_a", ScopeKind: events.ScopeConversation, ScopeID: "cnv_1",
			Type: "note", Data: map[string]string{"id": "batched"}, Sealed: events.Ref("notes.content:r1")}}))

		var stored int
		noErr(d.R(ctx).QueryRowContext(ctx, `SELECT count(*) FROM event_log WHERE sealed IS NULL AND sealed_key = '' AND sealed_aad LIKE '%content:r%'`).Scan(&stored))
		if stored != 4 {
			t.Errorf("%d reference rows store no copy, want 4", stored)
		}

		evs, err := events.ReadAfter(ctx, d, 0, 0, 100)
		noErr(err)
		var got []string
		for _, e := range evs {
			var v map[string]string
			noErr(json.Unmarshal(e.Data, &v))
			got = append(got, v["id"]+"="+v["text"])
		}
		want := []string{"x:1=copied", "notes.content:r1=from the row", "notes.content:r2=", "unknown.content:r1=", "batched=from the row"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("read %q\nwant %q", got, want)
		}
		if calls != 1 {
			t.Errorf("the source was called %d times for one page, want 1", calls)
		}

		// The row's owner's key destroyed: the reference no longer opens.
		noErr(keys.Destroy(ctx, "acc_1"))
		evs, err = events.ReadFor(ctx, d, 0, 0, 100, events.Selector{AccountID: "acc_1", ConversationIDs: []string{"cnv_1"}})
		noErr(err)
		for _, e := range evs {
			if strings.Contains(string(e.Data), "from the row") {
				t.Errorf("erased content still read: %s", e.Data)
			}
		}
	})
}
