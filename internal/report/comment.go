package report

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

// Comments under a report, by its author and recipients, with mentions
// of the people the report concerns.

// Comment is one comment under a report.
type Comment struct {
	ID       string `json:"id"`
	ReportID string `json:"report_id"`
	AuthorID string `json:"author_id"`
	Body     string `json:"body"`
	// Mentions are the account ids the comment names; each is told.
	Mentions  []string `json:"mentions"`
	CreatedAt int64    `json:"created_at"`
}

// CommentInput is the body of POST /api/v1/reports/{id}/comments.
// Mentions name accounts among the report's author and recipients.
type CommentInput struct {
	Body     string   `json:"body"`
	Mentions []string `json:"mentions,omitempty"`
}

// CommentList is the body of GET /api/v1/reports/{id}/comments, oldest
// first.
type CommentList struct {
	Items []Comment `json:"items"`
}

// MaxComment bounds a comment's length.
const MaxComment = 5000

func commentAAD(id string) string { return "report_comments.content:" + id }

// Comments lists a report's comments to its author and recipients.
func (s *Service) Comments(ctx context.Context, id string) (CommentList, error) {
	x, _, err := s.visible(ctx, id)
	if err != nil {
		return CommentList{}, err
	}
	rows, err := listComments(ctx, s.DB, x.OrgID, x.ID)
	if err != nil {
		return CommentList{}, err
	}
	out := CommentList{Items: make([]Comment, 0, len(rows))}
	for _, c := range rows {
		var body string
		s.open(ctx, c.ContentKey, commentAAD(c.ID), c.Content, &body)
		m := []string{}
		_ = json.Unmarshal([]byte(c.Mentions), &m)
		out.Items = append(out.Items, Comment{ID: c.ID, ReportID: x.ID, AuthorID: c.AuthorID, Body: body, Mentions: m, CreatedAt: c.CreatedAt})
	}
	return out, nil
}

// AddComment comments on a submitted report the caller wrote or
// received. Everyone the report concerns is told; the mentioned get a
// mention of their own.
func (s *Service) AddComment(ctx context.Context, id string, in CommentInput) (Comment, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Comment{}, err
	}
	body, err := safetext.Field("body", in.Body, 1, MaxComment, true)
	if err != nil {
		return Comment{}, err
	}
	var out Comment
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		x, _, err := s.visible(ctx, id)
		if err != nil {
			return err
		}
		if x.Status != StatusSubmitted {
			return apperr.Conflict("report_not_submitted", "a draft has no comments")
		}
		rs, err := readersOf(ctx, s.DB, x.OrgID, x.ID)
		if err != nil {
			return err
		}
		parties := append([]string{x.AuthorID}, accountsOf(rs)...)
		mentions := []string{}
		for _, m := range in.Mentions {
			if !slices.Contains(parties, m) {
				return apperr.InvalidField("mentions", "mention only the report's author and recipients").With("account_id", m)
			}
			if !slices.Contains(mentions, m) && m != a.AccountID {
				mentions = append(mentions, m)
			}
		}
		c := commentRow{ID: ids.New("rpc"), ReportID: x.ID, OrgID: x.OrgID, AuthorID: a.AccountID, Mentions: mustJSON(mentions), CreatedAt: s.now()}
		if c.Content, c.ContentKey, err = s.seal(ctx, x.OrgID, commentAAD(c.ID), body); err != nil {
			return err
		}
		if err := insertComment(ctx, s.DB, c); err != nil {
			return err
		}
		out = Comment{ID: c.ID, ReportID: x.ID, AuthorID: a.AccountID, Body: body, Mentions: mentions, CreatedAt: c.CreatedAt}
		if err := s.tell(ctx, x, "report.commented", a.AccountID); err != nil {
			return err
		}
		return s.notify(ctx, x.OrgID, "report.mentioned", map[string]string{"id": x.ID, "comment_id": c.ID}, mentions)
	})
	return out, err
}
