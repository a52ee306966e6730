package announce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

// MaxComment is the longest comment, in characters.
const MaxComment = 2000

// Comment is one comment on an announcement. Its text is the author's,
// sealed under the author's key: erasing the author shreds it
// (ContentErased) even where a copy of the database survives.
type Comment struct {
	ID             string `json:"id"`
	AnnouncementID string `json:"announcement_id"`
	// AuthorID is the author's account id; names come from the directory.
	AuthorID      string `json:"author_id"`
	Body          string `json:"body"`
	ContentErased bool   `json:"content_erased,omitempty"`
	// Mine is true for the caller's own comments.
	Mine      bool  `json:"mine"`
	CreatedAt int64 `json:"created_at"`
}

// CommentPage is the body of GET /api/v1/announcements/{id}/comments:
// oldest first.
type CommentPage struct {
	Items      []Comment `json:"items"`
	NextCursor string    `json:"next_cursor"`
}

// CommentInput is the body of POST /api/v1/announcements/{id}/comments.
type CommentInput struct {
	Body string `json:"body"`
}

func commentAAD(id string) string { return "announcement_comments.content:" + id }

// readable loads an announcement the caller may read — one they received,
// or any of the organization's to a publisher — and says whether the
// caller is a publisher. Others get 404, as for an id that does not exist.
func (s *Service) readable(ctx context.Context, a *actor.Actor, id string) (row, bool, error) {
	x, err := s.load(ctx, a.OrgID, id, a.AccountID)
	if err != nil {
		return row{}, false, err
	}
	manager, err := s.mayPublish(ctx)
	if err != nil {
		return row{}, false, err
	}
	if !manager && !receives(x) {
		return row{}, false, apperr.ErrNotFound
	}
	return x, manager, nil
}

// Comments returns a page of an announcement's comments, oldest first, to
// those who may read the announcement.
func (s *Service) Comments(ctx context.Context, id string, q Query) (CommentPage, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return CommentPage{}, err
	}
	afterAt, afterID, err := parseCursor(q.Cursor)
	if err != nil {
		return CommentPage{}, err
	}
	if _, _, err := s.readable(ctx, a, id); err != nil {
		return CommentPage{}, err
	}
	limit := limitOf(q)
	rows, err := listComments(ctx, s.DB, a.OrgID, id, afterAt, afterID, limit+1)
	if err != nil {
		return CommentPage{}, err
	}
	out := CommentPage{Items: make([]Comment, 0, min(len(rows), limit))}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		out.NextCursor = httpx.IntCursor(last.CreatedAt, last.ID).String()
	}
	for _, c := range rows {
		out.Items = append(out.Items, s.openComment(ctx, c, a.AccountID))
	}
	return out, nil
}

// AddComment comments on a published announcement that allows comments,
// as one of its readers or a publisher. Its author is told on the stream.
func (s *Service) AddComment(ctx context.Context, id string, in CommentInput) (Comment, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Comment{}, err
	}
	body, err := safetext.Field("body", in.Body, 1, MaxComment, true)
	if err != nil {
		return Comment{}, err
	}
	x, _, err := s.readable(ctx, a, id)
	if err != nil {
		return Comment{}, err
	}
	if x.Status != StatusPublished {
		return Comment{}, apperr.Conflict("announcement_not_published", "only a published announcement can be commented on")
	}
	if !x.AllowComments {
		return Comment{}, apperr.Conflict("comments_disabled", "this announcement does not allow comments")
	}
	c := commentRow{ID: ids.New("acm"), AnnouncementID: x.ID, OrgID: a.OrgID, AuthorID: a.AccountID, CreatedAt: s.now()}
	if err := s.sealComment(ctx, &c, body); err != nil {
		return Comment{}, err
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := insertComment(ctx, s.DB, c); err != nil {
			return err
		}
		if x.AuthorID == a.AccountID {
			return nil
		}
		data, _ := json.Marshal(map[string]string{"id": x.ID, "org_id": a.OrgID, "comment_id": c.ID})
		_, err := events.Append(ctx, s.DB, a.OrgID, events.ScopeAccount, x.AuthorID, "announcement.commented", json.RawMessage(data))
		return err
	})
	if err != nil {
		return Comment{}, err
	}
	return Comment{ID: c.ID, AnnouncementID: x.ID, AuthorID: a.AccountID, Body: body, Mine: true, CreatedAt: c.CreatedAt}, nil
}

// DeleteComment deletes a comment: publishers any of the organization's
// (audited), others only their own. Whatever else a non-publisher names —
// someone else's comment, a missing one, one they cannot read — answers the
// same 403, so the refusal tells nothing about what exists.
func (s *Service) DeleteComment(ctx context.Context, id, commentID string) error {
	a, err := actor.Member(ctx)
	if err != nil {
		return err
	}
	manager, err := s.mayPublish(ctx)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		c, err := s.deletable(ctx, a, id, commentID, manager)
		if err != nil {
			return err
		}
		if err := deleteComment(ctx, s.DB, a.OrgID, commentID); err != nil {
			return err
		}
		if c.AuthorID == a.AccountID {
			return nil
		}
		return s.record(ctx, a.OrgID, "announcement.comment_delete", id, map[string]any{"comment_id": commentID})
	})
}

// deletable returns the comment the caller may delete, or the refusal.
func (s *Service) deletable(ctx context.Context, a *actor.Actor, id, commentID string, manager bool) (commentRow, error) {
	refuse := apperr.ErrNotFound
	if !manager {
		refuse = apperr.ErrForbidden
	}
	x, err := s.load(ctx, a.OrgID, id, a.AccountID)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && !manager && !receives(x)) {
		return commentRow{}, refuse
	}
	if err != nil {
		return commentRow{}, err
	}
	c, err := getComment(ctx, s.DB, a.OrgID, id, commentID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && !manager && c.AuthorID != a.AccountID) {
		return commentRow{}, refuse
	}
	return c, err
}

// sealComment stores body in c, sealed with its author's key.
func (s *Service) sealComment(ctx context.Context, c *commentRow, body string) error {
	if s.Sealer == nil {
		c.Content, c.ContentKey = []byte(body), ""
		return nil
	}
	box, err := s.Sealer.Seal(ctx, c.AuthorID, commentAAD(c.ID), []byte(body))
	if err != nil {
		return fmt.Errorf("announce: seal comment: %w", err)
	}
	c.Content, c.ContentKey = box, c.AuthorID
	return nil
}

// openComment turns a stored comment into what the caller sees; a comment
// whose author's key was destroyed reads as erased.
func (s *Service) openComment(ctx context.Context, c commentRow, accountID string) Comment {
	out := Comment{ID: c.ID, AnnouncementID: c.AnnouncementID, AuthorID: c.AuthorID, Mine: c.AuthorID == accountID, CreatedAt: c.CreatedAt}
	if c.ContentKey == "" {
		out.Body = string(c.Content)
		return out
	}
	if s.Sealer == nil {
		out.ContentErased = true
		return out
	}
	b, err := s.Sealer.Open(ctx, c.ContentKey, commentAAD(c.ID), c.Content)
	if err != nil {
		s.Log.DebugContext(ctx, "announce: comment not readable", "comment", c.ID, "err", err)
		out.ContentErased = true
		return out
	}
	out.Body = string(b)
	return out
}
