package announce_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/announce"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func comments(t *testing.T, p *person, id, query string) announce.CommentPage {
	t.Helper()
	var page announce.CommentPage
	p.Do(t, "GET", "/api/v1/announcements/"+id+"/comments"+query, nil, &page).Want(t, http.StatusOK)
	return page
}

// TestHTTPComments: the readers of an announcement that allows comments
// and its publishers comment and read the comments; nobody else learns
// they exist; authors delete their own, publishers any.
func TestHTTPComments(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		sales := w.dept(t, "Sales", "")
		ann := w.member(t, "Ann", sales)
		bo := w.member(t, "Bo", sales)
		otto := w.member(t, "Otto")
		a := publish(t, w.owner, map[string]any{"body": "Offsite on Friday", "audience": map[string]any{"department_ids": []string{sales}},
			"publish": true, "allow_comments": true})
		path := "/api/v1/announcements/" + a.ID + "/comments"

		var c announce.Comment
		ann.Do(t, "POST", path, map[string]any{"body": "  I'll bring the projector  "}, &c).Want(t, http.StatusCreated)
		if c.Body != "I'll bring the projector" || !c.Mine || c.AuthorID != ann.ID {
			t.Fatalf("comment: %+v", c)
		}
		var mine announce.Comment
		w.owner.Do(t, "POST", path, map[string]any{"body": "Thanks!"}, &mine).Want(t, http.StatusCreated)
		bo.Do(t, "POST", path, map[string]any{"body": "Count me in"}, nil).Want(t, http.StatusCreated)

		// Readers and the publisher see them, oldest first, paged.
		p := comments(t, bo, a.ID, "")
		if len(p.Items) != 3 || p.Items[0].ID != c.ID || p.Items[0].Mine || !p.Items[2].Mine || p.NextCursor != "" {
			t.Fatalf("bo's page: %+v", p)
		}
		p = comments(t, w.owner, a.ID, "?limit=2")
		if len(p.Items) != 2 || p.NextCursor == "" {
			t.Fatalf("first page: %+v", p)
		}
		if rest := comments(t, w.owner, a.ID, "?limit=2&cursor="+p.NextCursor); len(rest.Items) != 1 || rest.Items[0].Body != "Count me in" {
			t.Fatalf("second page: %+v", rest)
		}

		// Outside the audience, or in another organization: 404, like a made-up id.
		for _, who := range []*person{otto, w.mallory} {
			who.Do(t, "GET", path, nil, nil).WantError(t, http.StatusNotFound, "not_found")
			who.Do(t, "POST", path, map[string]any{"body": "hi"}, nil).WantError(t, http.StatusNotFound, "not_found")
		}
		ann.Do(t, "GET", "/api/v1/announcements/ann_nope/comments", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		// Deleting as a reader: anything but one's own comment is the same 403.
		for _, p := range []string{path + "/" + c.ID, path + "/acm_nope", "/api/v1/announcements/ann_nope/comments/" + c.ID} {
			otto.Do(t, "DELETE", p, nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		}
		ann.Do(t, "DELETE", path+"/acm_nope", nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		// A publisher of another organization: 404.
		w.mallory.Do(t, "DELETE", path+"/"+c.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		w.owner.Do(t, "DELETE", path+"/acm_nope", nil, nil).WantError(t, http.StatusNotFound, "not_found")

		// Bad input and announcements that take no comments.
		ann.Do(t, "POST", path, map[string]any{"body": " "}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		closed := publish(t, w.owner, map[string]any{"audience": map[string]any{"all": true}, "publish": true})
		ann.Do(t, "POST", "/api/v1/announcements/"+closed.ID+"/comments", map[string]any{"body": "hi"}, nil).WantError(t, http.StatusConflict, "comments_disabled")
		draft := publish(t, w.owner, map[string]any{"audience": map[string]any{"all": true}, "allow_comments": true})
		w.owner.Do(t, "POST", "/api/v1/announcements/"+draft.ID+"/comments", map[string]any{"body": "hi"}, nil).WantError(t, http.StatusConflict, "announcement_not_published")
		ann.Do(t, "GET", "/api/v1/announcements/"+draft.ID+"/comments", nil, nil).WantError(t, http.StatusNotFound, "not_found")

		// Deleting: not someone else's as a reader; one's own, and any as a publisher.
		bo.Do(t, "DELETE", path+"/"+c.ID, nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		ann.Do(t, "DELETE", path+"/"+mine.ID, nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		w.owner.Do(t, "DELETE", path+"/"+c.ID, nil, nil).Want(t, http.StatusNoContent)
		p = comments(t, ann, a.ID, "")
		if len(p.Items) != 2 || p.Items[0].ID != mine.ID {
			t.Fatalf("after the publisher deleted ann's: %+v", p)
		}
		bo.Do(t, "DELETE", path+"/"+p.Items[1].ID, nil, nil).Want(t, http.StatusNoContent)

		// Withdrawn: readers lose the comments with the announcement.
		w.owner.Do(t, "POST", "/api/v1/announcements/"+a.ID+"/withdraw", nil, nil).Want(t, http.StatusOK)
		ann.Do(t, "GET", path, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		if p := comments(t, w.owner, a.ID, ""); len(p.Items) != 1 {
			t.Fatalf("the publisher's view of a withdrawn announcement: %+v", p)
		}
	})
}

// TestCommentsPrivacy: a comment is company data about its author: in
// their export, and deleted when their membership is erased after they
// leave, while the announcement stays. (Erasing the whole account destroys
// the author's key, which shreds the sealed text: TestHTTPCommentsSealed.)
func TestCommentsPrivacy(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		org := ids.New("org")
		author := announce.Recipient{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
		reader := announce.Recipient{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
		svc := announce.New(d, bigOrg{rs: []announce.Recipient{author, reader}}, nil)
		as := func(r announce.Recipient) context.Context {
			return actor.With(ctx, &actor.Actor{AccountID: r.AccountID, OrgID: org, MemberID: r.MemberID})
		}
		a, err := svc.Create(as(author), announce.CreateInput{Title: "T", Body: "B", Audience: announce.Audience{All: true}, Publish: true, AllowComments: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddComment(as(reader), a.ID, announce.CommentInput{Body: "my words"}); err != nil {
			t.Fatal(err)
		}
		p := svc.Privacy()
		subject := datamap.Subject{AccountID: reader.AccountID, Members: map[string]string{org: reader.MemberID}}
		var w sections
		if err := p.Export(ctx, datamap.ExportRequest{Subject: subject, Orgs: []datamap.OrgExport{{OrgID: org, MemberID: reader.MemberID}}}, &w); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, s := range w.s {
			if s.Table == "announcement_comments" && len(s.Rows) == 1 && s.Rows[0]["content"] != nil {
				found = true
			}
		}
		if !found {
			t.Fatalf("the comment is not in its author's export: %+v", w.s)
		}
		if _, err := p.Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: subject, OrgID: org, MemberID: reader.MemberID,
			Mode: datamap.ModeAnonymize, Tombstone: "acc_gone"}); err != nil {
			t.Fatal(err)
		}
		page, err := svc.Comments(as(author), a.ID, announce.Query{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 0 {
			t.Fatalf("comments after their author's erasure: %+v", page.Items)
		}
		if _, err := svc.Get(as(author), a.ID); err != nil {
			t.Fatalf("the announcement after a commenter's erasure: %v", err)
		}
	})
}

// TestHTTPCommentsSealed: a comment's text is sealed at rest under its
// author's key; destroying that key (erasing the account) leaves the
// comment without text for everyone.
func TestHTTPCommentsSealed(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		a := publish(t, w.owner, map[string]any{"audience": map[string]any{"all": true}, "publish": true, "allow_comments": true})
		const canary = "CANARYcomment the budget is late"
		var c announce.Comment
		ann.Do(t, "POST", "/api/v1/announcements/"+a.ID+"/comments", map[string]any{"body": canary}, &c).Want(t, http.StatusCreated)
		svc := env.App.Announce()
		ctx := context.Background()
		var n int
		if err := svc.DB.R(ctx).QueryRowContext(ctx, `SELECT count(*) FROM announcement_comments WHERE id = $1 AND content_key = $2`, c.ID, ann.ID).Scan(&n); err != nil || n != 1 {
			t.Fatalf("the comment is not sealed under its author's key: %d %v", n, err)
		}
		var stored []byte
		if err := svc.DB.R(ctx).QueryRowContext(ctx, `SELECT content FROM announcement_comments WHERE id = $1`, c.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(stored), "CANARY") {
			t.Fatal("the comment is stored in plaintext")
		}
		keys, ok := svc.Sealer.(interface {
			Destroy(ctx context.Context, owner string) error
		})
		if !ok {
			t.Fatalf("the server's sealer %T cannot destroy keys", svc.Sealer)
		}
		if err := keys.Destroy(ctx, ann.ID); err != nil {
			t.Fatal(err)
		}
		p := comments(t, w.owner, a.ID, "")
		if len(p.Items) != 1 || p.Items[0].Body != "" || !p.Items[0].ContentErased {
			t.Fatalf("after the author's key was destroyed: %+v", p.Items)
		}
	})
}

// TestHTTPBodyHTML: one announcement comes with its body rendered by the
// renderer of messages: the Markdown subset, nothing unsafe.
func TestHTTPBodyHTML(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		a := publish(t, w.owner, map[string]any{"body": "**hi** <script>alert(1)</script> [x](javascript:alert(1))", "audience": map[string]any{"all": true}, "publish": true})
		var got announce.Announcement
		ann.Do(t, "GET", "/api/v1/announcements/"+a.ID, nil, &got).Want(t, http.StatusOK)
		if !strings.Contains(got.BodyHTML, "<strong>hi</strong>") || strings.Contains(got.BodyHTML, "<script") || strings.Contains(got.BodyHTML, "javascript:") {
			t.Fatalf("body_html: %q", got.BodyHTML)
		}
	})
}
