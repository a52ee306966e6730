package chat

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// TestSealPlaintextMessages writes messages and an earlier version as a
// version before sealing did (no sealer), then checks that the start-up
// pass seals them (no plaintext left in the rows), that they read back,
// that a second pass finds nothing, and that a message whose author's key
// is already destroyed is sealed under the organization's key.
func TestSealPlaintextMessages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		org := ids.New("org")
		alice, bob, carol := acc(), acc(), acc()
		f.dir.join(org, alice, bob, carol)
		f.dir.befriend(alice, bob)
		A, B, C := as(alice, org), as(bob, org), as(carol, org)
		g := f.create(A, KindInternal, "legacy", bob, carol)

		sealer, blobs := f.s.Sealer, f.s.Blobs
		local, err := blob.NewLocal(f.blobDir)
		noErr(t, err)
		f.s.Sealer, f.s.Blobs = nil, local
		file := must(f.s.Upload(A, UploadInput{Name: "LEGACYname.txt", SniffedType: "text/plain", Body: strings.NewReader("LEGACYbytes of the plan")}))
		must2(f.s.Send(A, g.ID, SendInput{ClientMsgID: cid(), Kind: MsgFile, FileID: file.ID}))
		m := f.send(A, g.ID, "LEGACYbody one")
		e := f.send(A, g.ID, "LEGACYbefore draft")
		must(f.s.Edit(A, g.ID, e.ID, "LEGACYafter final"))
		gone := f.send(C, g.ID, "LEGACYcarol kept")
		deleted := f.send(B, g.ID, "LEGACYdeleted")
		noErr(t, f.s.Delete(B, g.ID, deleted.ID, nil))
		f.s.Sealer, f.s.Blobs = sealer, blobs
		if hits := rawContains(t, d, "chat_files", "LEGACYname"); len(hits) == 0 {
			t.Fatal("the fixture did not store the file name in plaintext")
		}
		for _, c := range []string{"LEGACYbody", "LEGACYbefore", "LEGACYafter", "LEGACYcarol"} {
			if hits := rawContains(t, d, "messages", c); len(hits)+len(rawContains(t, d, "message_edits", c)) == 0 {
				t.Fatalf("the fixture did not store %q in plaintext", c)
			}
		}
		// Carol was erased and the organization kept her work: her key is
		// gone before her plaintext message was sealed.
		noErr(t, f.keys.Destroy(ctx, carol))

		n, err := f.s.SealPlaintextMessages(ctx)
		if err != nil || n != 6 { // four messages (one of them the file's), one earlier version, one file
			t.Fatalf("seal: %d %v", n, err)
		}
		if n, err := f.s.SealPlaintextMessages(ctx); err != nil || n != 0 {
			t.Fatalf("second pass: %d %v", n, err)
		}
		for _, c := range []string{"LEGACYbody", "LEGACYbefore", "LEGACYafter", "LEGACYcarol", "LEGACYdeleted", "LEGACYname"} {
			for _, table := range []string{"messages", "message_edits", "chat_files"} {
				if hits := rawContains(t, d, table, c); len(hits) > 0 {
					t.Errorf("%q still in plaintext in %v", c, hits)
				}
			}
		}
		if got := must(f.s.GetMessage(B, g.ID, m.ID)); got.Body != "LEGACYbody one" || got.ContentErased {
			t.Errorf("sealed legacy message reads %+v", got)
		}
		if got := must(f.s.GetMessage(B, g.ID, e.ID)); got.Body != "LEGACYafter final" {
			t.Errorf("edited legacy message reads %+v", got)
		}
		if es := must(f.s.Edits(B, g.ID, e.ID)); len(es) != 1 || es[0].Body != "LEGACYbefore draft" {
			t.Errorf("legacy earlier version reads %+v", es)
		}
		if got := must(f.s.GetMessage(B, g.ID, gone.ID)); got.Body != "LEGACYcarol kept" || got.ContentErased {
			t.Errorf("an erased author's kept message reads %+v", got)
		}
		if hits, n := blobsContaining(t, f.blobDir, "LEGACYbytes"); len(hits) > 0 || n != 1 {
			t.Errorf("file store after sealing: %d bodies, plaintext in %v", n, hits)
		}
		got, o, _, err := f.s.OpenFile(B, file.ID, false)
		noErr(t, err)
		b, _ := io.ReadAll(o)
		o.Close()
		if string(b) != "LEGACYbytes of the plan" || got.Name != "LEGACYname.txt" {
			t.Errorf("sealed legacy file reads %q named %q", b, got.Name)
		}
		// Alice's erasure now shreds her sealed legacy messages.
		noErr(t, f.keys.Destroy(ctx, alice))
		if got := must(f.s.GetMessage(B, g.ID, m.ID)); got.Body != "" || !got.ContentErased {
			t.Errorf("legacy message after its author's key was destroyed: %+v", got)
		}
	})
}
