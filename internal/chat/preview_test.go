package chat

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// names implements PersonNamer for the test directory.
type namingDirectory struct {
	*testDirectory
	asked [][]string
}

func (d *namingDirectory) PersonNames(ctx context.Context, viewer string, accountIDs []string) map[string]string {
	d.asked = append(d.asked, accountIDs)
	out := map[string]string{}
	for _, id := range accountIDs {
		out[id] = "name of " + id
	}
	return out
}

func TestPreviewOf(t *testing.T) {
	for _, tc := range []struct {
		m    Message
		want string
	}{
		{Message{Kind: MsgText, HTML: `<p>Hi <span class="mention" data-account-id="acc_1">@李雷</span>, <strong>please</strong> read</p><ul><li>one</li><li>two &amp; three</li></ul>`}, "Hi @李雷, please read one two & three"},
		{Message{Kind: MsgText, Body: "plain  text\nhere"}, "plain text here"},
		{Message{Kind: MsgImage}, "[Image]"},
		{Message{Kind: MsgFile, Attachment: &Attachment{Name: "plan.pdf"}}, "[File]"},
		{Message{Kind: MsgCard, Attachment: &Attachment{Title: "Atrium"}}, "Atrium"},
		{Message{Kind: MsgText, Deleted: true}, ""},
		{Message{Kind: MsgText, HTML: "<p>" + strings.Repeat("x", 300) + "</p>"}, strings.Repeat("x", previewMax-1) + "…"},
	} {
		if got := previewOf(&tc.m); got != tc.want {
			t.Errorf("previewOf(%+v) = %q, want %q", tc.m, got, tc.want)
		}
	}
}

func TestListLastMessage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		names := &namingDirectory{testDirectory: f.dir}
		f.s.Directory = names
		org := ids.New("org")
		alice, bob := acc(), acc()
		f.dir.join(org, alice, bob)
		A, B := as(alice, org), as(bob, org)
		g := f.create(A, KindInternal, "team", bob)
		dm := f.create(A, KindDirect, "", bob)
		empty := f.create(B, KindInternal, "quiet", alice)
		f.send(A, g.ID, "first")
		last := f.send(A, g.ID, "**Look** at this, @["+"Bob"+"]("+bob+")\n\n- one\n- two")
		img := must(f.s.Upload(B, UploadInput{Name: "pic.png", SniffedType: "image/png", Body: bytes.NewReader(canaryPNG(t))}))
		pic := must2(f.s.Send(B, dm.ID, SendInput{ClientMsgID: cid(), Kind: MsgImage, FileID: img.ID}))

		byID := func(ctx context.Context) map[string]Conversation {
			out := map[string]Conversation{}
			for _, c := range must(f.s.List(ctx)) {
				out[c.ID] = c
			}
			return out
		}
		names.asked = nil
		l := byID(B)
		if len(names.asked) != 1 {
			t.Fatalf("names asked %d times for one list", len(names.asked))
		}
		lm := l[g.ID].LastMessage
		if lm == nil || lm.ID != last.ID || lm.SenderID != alice || lm.SenderName != "name of "+alice ||
			lm.Preview != "Look at this, @Bob one two" || lm.CreatedAt != last.CreatedAt || lm.Kind != MsgText {
			t.Fatalf("group last message = %+v", lm)
		}
		if lm := l[dm.ID].LastMessage; lm == nil || lm.ID != pic.ID || lm.Preview != "[Image]" || lm.SenderID != bob {
			t.Fatalf("direct last message = %+v", lm)
		}
		if lm := l[empty.ID].LastMessage; lm != nil {
			t.Fatalf("empty conversation has a last message: %+v", lm)
		}
		// Deleted for me: the one before shows.
		noErr(t, f.s.Hide(B, g.ID, last.ID))
		if lm := byID(B)[g.ID].LastMessage; lm == nil || lm.Preview != "first" {
			t.Fatalf("after hiding = %+v", lm)
		}
		if lm := byID(A)[g.ID].LastMessage; lm == nil || lm.ID != last.ID {
			t.Fatalf("hiding for bob changed alice's list: %+v", lm)
		}
		// Deleted for everyone: a marker without content.
		noErr(t, f.s.Delete(A, g.ID, last.ID, nil))
		if lm := byID(A)[g.ID].LastMessage; lm == nil || !lm.Deleted || lm.Preview != "" {
			t.Fatalf("after deleting = %+v", lm)
		}
		// Cleared history: nothing left to show.
		must(f.s.Clear(B, dm.ID))
		if lm := byID(B)[dm.ID].LastMessage; lm != nil {
			t.Fatalf("after clearing = %+v", lm)
		}
	})
}
