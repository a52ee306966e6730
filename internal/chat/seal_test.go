package chat

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// rawContains reports which rows of table hold canary as bytes in any
// column, reading the database directly (what a backup of it would hold).
func rawContains(t *testing.T, d *db.DB, table, canary string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := d.R(ctx).QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var hits []string
	for rows.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if bytes.Contains(v, []byte(canary)) {
				hits = append(hits, table+"."+cols[i])
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return hits
}

// blobsContaining lists the stored file bodies that hold canary as bytes.
func blobsContaining(t *testing.T, dir, canary string) (hits []string, n int) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		if bytes.Contains(b, []byte(canary)) {
			hits = append(hits, p)
		}
		if !bytes.HasPrefix(b, []byte("ATRB")) {
			t.Errorf("stored body %s is not envelope-encrypted", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits, n
}

func canaryPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestContentSealedAtRest writes a canary into every sealed column of chat
// — a message's text, its earlier version, a card's title, a file's name
// and bytes, an image and its thumbnail — and checks that the raw rows,
// the event log and the file store hold none of it, that the API reads it
// back, and that once the sender's key is destroyed the API shows erased
// content instead (no text, no file), without errors.
func TestContentSealedAtRest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		org := ids.New("org")
		alice, bob := acc(), acc()
		f.dir.join(org, alice, bob)
		f.dir.befriend(alice, bob)
		A, B := as(alice, org), as(bob, org)
		g := f.create(A, KindInternal, "sealed", bob)

		const (
			body   = "CANARYbodyQ7 the quarterly numbers"
			before = "CANARYbeforeQ7 draft"
			card   = "CANARYcardQ7 title"
			name   = "CANARYnameQ7.txt"
			bytesC = "CANARYbytesQ7 file body"
		)
		m := f.send(A, g.ID, body)
		e := f.send(A, g.ID, before)
		must(f.s.Edit(A, g.ID, e.ID, "after the edit"))
		must2(f.s.Send(A, g.ID, SendInput{ClientMsgID: cid(), Kind: MsgCard, Card: &Card{URL: "https://example.com/x", Title: card}}))
		file := must(f.s.Upload(A, UploadInput{Name: name, SniffedType: "text/plain", Body: strings.NewReader(bytesC + strings.Repeat("x", 200_000))}))
		must2(f.s.Send(A, g.ID, SendInput{ClientMsgID: cid(), Kind: MsgFile, FileID: file.ID}))
		img := must(f.s.Upload(A, UploadInput{Name: "pic.png", SniffedType: "image/png", Body: bytes.NewReader(canaryPNG(t))}))
		if !img.HasThumbnail {
			t.Fatal("no thumbnail")
		}

		// At rest: no canary in the rows, the event log or the file store.
		for _, c := range []string{body, before, card, name, bytesC, "after the edit"} {
			for _, table := range []string{"messages", "message_edits", "chat_files", "event_log"} {
				if hits := rawContains(t, d, table, c); len(hits) > 0 {
					t.Errorf("%q stored in plaintext in %v", c, hits)
				}
			}
		}
		if hits, n := blobsContaining(t, f.blobDir, "CANARYbytesQ7"); len(hits) > 0 || n < 3 {
			t.Errorf("file store: %d bodies, plaintext in %v", n, hits)
		}

		// Through the API: everything reads back.
		h := must(f.s.History(B, g.ID, HistoryQuery{}))
		text := ""
		for _, x := range h.Items {
			text += x.Body + "|"
			if x.Attachment != nil {
				text += x.Attachment.Name + x.Attachment.Title + "|"
			}
		}
		for _, c := range []string{body, card, name, "after the edit"} {
			if !strings.Contains(text, c) {
				t.Errorf("history misses %q: %s", c, text)
			}
		}
		if es := must(f.s.Edits(B, g.ID, e.ID)); len(es) != 1 || es[0].Body != before {
			t.Errorf("edits: %+v", es)
		}
		if p := must(f.s.Search(B, SearchQuery{Q: "quarterly"})); len(p.Items) != 1 || p.Items[0].Body != body {
			t.Errorf("search: %+v", p.Items)
		}
		if p := must(f.s.Search(B, SearchQuery{Q: "Q7"})); len(p.Items) == 0 {
			t.Errorf("short search found nothing")
		}
		_, o, size, err := f.s.OpenFile(B, file.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(o)
		o.Close()
		if int64(len(got)) != size || !strings.HasPrefix(string(got), bytesC) {
			t.Fatalf("file reads %d bytes (size %d): %.40q", len(got), size, got)
		}
		// A range in the middle of the second chunk decrypts alone.
		_, o, _, _ = f.s.OpenFile(B, file.ID, false)
		if _, err := o.Seek(100_000, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		part := make([]byte, 10)
		if _, err := io.ReadFull(o, part); err != nil || string(part) != strings.Repeat("x", 10) {
			t.Fatalf("range read %q %v", part, err)
		}
		o.Close()
		if fm := must(f.s.FileMeta(B, file.ID)); fm.Name != name || fm.ContentType != "text/plain" {
			t.Errorf("file meta %+v", fm)
		}
		evs, err := events.ReadAfter(ctx, d, 0, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var all []byte
		for _, ev := range evs {
			all = append(all, ev.Data...)
		}
		if !bytes.Contains(all, []byte(body)) {
			t.Error("the event log's readers do not see the sealed text")
		}

		// Erase the sender: their key goes, their content with it.
		noErr(t, f.keys.Destroy(ctx, alice))
		h = must(f.s.History(B, g.ID, HistoryQuery{}))
		for _, x := range h.Items {
			if !x.ContentErased || x.Body != "" || x.HTML != "" || x.Attachment != nil {
				t.Errorf("after erasure: %+v", x)
			}
		}
		if es := must(f.s.Edits(B, g.ID, e.ID)); len(es) != 1 || es[0].Body != "" || !es[0].ContentErased {
			t.Errorf("edits after erasure: %+v", es)
		}
		if got := must(f.s.GetMessage(B, g.ID, m.ID)); got.Body != "" || !got.ContentErased {
			t.Errorf("message after erasure: %+v", got)
		}
		if p := must(f.s.Search(B, SearchQuery{Q: "Q7"})); len(p.Items) != 0 {
			t.Errorf("short search finds erased text: %+v", p.Items)
		}
		if _, _, _, err := f.s.OpenFile(B, file.ID, false); apperr.CodeOf(err) != "file_erased" {
			t.Errorf("open erased file: %v", err)
		}
		if fm := must(f.s.FileMeta(B, file.ID)); fm.Name != "" || !fm.ContentErased {
			t.Errorf("file meta after erasure %+v", fm)
		}
		evs, _ = events.ReadAfter(ctx, d, 0, 0, 1000)
		for _, ev := range evs {
			if bytes.Contains(ev.Data, []byte("CANARY")) {
				t.Errorf("event %d still reads erased content: %s", ev.Pos, ev.Data)
			}
		}
		// Reindexing leaves erased text out of the index.
		must(Reindex(ctx, d, f.keys, nil))
		if p := must(f.s.Search(B, SearchQuery{Q: "quarterly"})); len(p.Items) != 0 {
			t.Errorf("search after reindex finds erased text: %+v", p.Items)
		}
	})
}

// TestResealKeepsWorkMessages: an organization that anonymizes leavers
// keeps their work messages and files: ResealMessages moves them under the
// organization's key, so destroying the person's key shreds only their
// direct chats.
func TestResealKeepsWorkMessages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		org := ids.New("org")
		alice, bob := acc(), acc()
		f.dir.join(org, alice, bob)
		f.dir.befriend(alice, bob)
		A, B := as(alice, org), as(bob, org)
		g := f.create(A, KindInternal, "work", bob)
		dm := f.create(as(alice, ""), KindDirect, "", bob)
		work := f.send(A, g.ID, "work report")
		must(f.s.Edit(A, g.ID, work.ID, "work report v2"))
		private := f.send(as(alice, ""), dm.ID, "private note")
		file := must(f.s.Upload(A, UploadInput{Name: "plan.txt", SniffedType: "text/plain", Body: strings.NewReader("the plan")}))
		must2(f.s.Send(A, g.ID, SendInput{ClientMsgID: cid(), Kind: MsgFile, FileID: file.ID}))

		n, err := f.s.ResealMessages(ctx, org, alice)
		if err != nil || n != 4 { // two messages, one earlier version, one file
			t.Fatalf("reseal: %d %v", n, err)
		}
		if n, err := f.s.ResealMessages(ctx, org, alice); err != nil || n != 0 {
			t.Fatalf("second reseal: %d %v", n, err)
		}
		noErr(t, f.keys.Destroy(ctx, alice))

		if got := must(f.s.GetMessage(B, g.ID, work.ID)); got.Body != "work report v2" || got.ContentErased {
			t.Errorf("work message after the person's erasure: %+v", got)
		}
		if es := must(f.s.Edits(B, g.ID, work.ID)); len(es) != 1 || es[0].Body != "work report" {
			t.Errorf("work edits: %+v", es)
		}
		_, o, _, err := f.s.OpenFile(B, file.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(o)
		o.Close()
		if string(b) != "the plan" {
			t.Errorf("work file reads %q", b)
		}
		if got := must(f.s.GetMessage(as(bob, ""), dm.ID, private.ID)); got.Body != "" || !got.ContentErased {
			t.Errorf("direct message after erasure: %+v", got)
		}
	})
}

func must2[T any](v T, _ bool, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestEventsReferToSealedContent: a message's events store no copy of its
// sealed content, only a reference the event log's readers resolve. The
// bytes are written once, an edit shows the current text, and a deleted
// message leaves nothing of its text in the log.
func TestEventsReferToSealedContent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		org := ids.New("org")
		alice, bob := acc(), acc()
		f.dir.join(org, alice, bob)
		A := as(alice, org)
		g := f.create(A, KindInternal, "refs", bob)
		kept := f.send(A, g.ID, "REFkept the plan")
		edited := f.send(A, g.ID, "REFfirst draft")
		gone := f.send(A, g.ID, "REFgone by noon")

		var copies int
		if err := d.R(ctx).QueryRowContext(ctx, `SELECT count(*) FROM event_log
			WHERE type = 'message.created' AND (sealed IS NOT NULL OR sealed_key <> '')`).Scan(&copies); err != nil {
			t.Fatal(err)
		}
		if copies != 0 {
			t.Errorf("%d message events store a copy of the sealed content", copies)
		}

		must(f.s.Edit(A, g.ID, edited.ID, "REFsecond draft"))
		noErr(t, f.s.Delete(A, g.ID, gone.ID, nil))

		evs, err := events.ReadAfter(ctx, d, 0, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		created := map[string]string{} // message id → the event's data
		for _, ev := range evs {
			if ev.Type != "message.created" {
				continue
			}
			var m struct {
				ID string `json:"id"`
			}
			noErr(t, json.Unmarshal(ev.Data, &m))
			created[m.ID] = string(ev.Data)
		}
		if !strings.Contains(created[kept.ID], "REFkept the plan") {
			t.Errorf("kept message's event: %s", created[kept.ID])
		}
		if s := created[edited.ID]; !strings.Contains(s, "REFsecond draft") || strings.Contains(s, "REFfirst") {
			t.Errorf("edited message's event: %s", s)
		}
		if s := created[gone.ID]; s == "" || strings.Contains(s, "REFgone") {
			t.Errorf("deleted message's event: %q", s)
		}
		if hits := rawContains(t, d, "event_log", "REF"); len(hits) > 0 {
			t.Errorf("plaintext in the event log: %v", hits)
		}
	})
}
