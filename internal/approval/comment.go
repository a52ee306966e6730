package approval

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/markdown"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

// Comments under a request: written in Markdown by anyone who may see
// it, mentioning the people it concerns and attaching files; sealed with
// the organization's key.

// Comment is one comment under a request.
type Comment struct {
	ID     string    `json:"id"`
	Author PersonRef `json:"author"`
	// Body is the Markdown source; BodyHTML the sanitized rendering.
	Body      string      `json:"body"`
	BodyHTML  string      `json:"body_html"`
	Mentions  []PersonRef `json:"mentions"`
	FileIDs   []string    `json:"file_ids"`
	CreatedAt int64       `json:"created_at"`
}

// CommentInput is the body of POST /api/v1/approvals/{id}/comments:
// mentions name members among the request's applicant, approvers and CC.
type CommentInput struct {
	Body     string   `json:"body"`
	Mentions []string `json:"mentions,omitempty"`
	FileIDs  []string `json:"file_ids,omitempty"`
}

// MaxCommentBody bounds a comment's length.
const MaxCommentBody = 5000

// mention is how a mention is stored: ids only.
type mention struct {
	MemberID  string `json:"member_id"`
	AccountID string `json:"account_id"`
}

// AddComment comments on a request the caller may see. Everyone it
// concerns is told; the mentioned get a mention of their own.
func (s *Service) AddComment(ctx context.Context, id string, in CommentInput) (Comment, error) {
	if _, err := actor.Member(ctx); err != nil {
		return Comment{}, err
	}
	body, err := safetext.Field("body", in.Body, 1, MaxCommentBody, true)
	if err != nil {
		return Comment{}, err
	}
	if len(in.FileIDs) > 20 {
		return Comment{}, apperr.InvalidField("file_ids", "attach at most 20 files")
	}
	var out Comment
	_, err = s.act(ctx, id, func(ctx context.Context, a *actor.Actor, st *state) error {
		parties, err := s.parties(ctx, st)
		if err != nil {
			return err
		}
		mentions := []mention{}
		for _, m := range in.Mentions {
			acc, ok := parties[m]
			if !ok {
				return apperr.InvalidField("mentions", "mention only the request's applicant, approvers and CC").With("member_id", m)
			}
			if acc != a.AccountID && !slices.ContainsFunc(mentions, func(x mention) bool { return x.MemberID == m }) {
				mentions = append(mentions, mention{MemberID: m, AccountID: acc})
			}
		}
		files := orEmpty(in.FileIDs)
		if err := s.attach(ctx, st.req.OrgID, a.AccountID, st.req.ID, files); err != nil {
			return err
		}
		c := commentRow{ID: ids.New("apc"), RequestID: st.req.ID, OrgID: st.req.OrgID, AuthorID: a.AccountID, MemberID: a.MemberID,
			Mentions: mustJSON(mentions), FileIDs: mustJSON(files), CreatedAt: s.now()}
		if c.Content, c.ContentKey, err = s.seal(ctx, st.req.OrgID, commentAAD(c.ID), []byte(body)); err != nil {
			return err
		}
		if err := insertComment(ctx, s.DB, c); err != nil {
			return err
		}
		if err := s.note(ctx, st, a.AccountID, "commented", "", "", map[string]any{"comment_id": c.ID}); err != nil {
			return err
		}
		to := make([]string, len(mentions))
		for i, m := range mentions {
			to[i] = m.AccountID
		}
		if err := s.publish(ctx, st.req.OrgID, "approval.mentioned", map[string]string{"id": st.req.ID, "org_id": st.req.OrgID, "comment_id": c.ID}, to); err != nil {
			return err
		}
		n := &namer{s: s, orgID: st.req.OrgID, names: map[string]string{}}
		out = s.commentView(ctx, n, c)
		return nil
	})
	return out, err
}

// parties maps the member ids of a request's applicant, approvers
// reached and CC to their accounts.
func (s *Service) parties(ctx context.Context, st *state) (map[string]string, error) {
	out := map[string]string{st.req.MemberID: st.req.ApplicantID}
	all, err := listTasks(ctx, s.DB, st.req.ID, -1)
	if err != nil {
		return nil, err
	}
	for _, t := range all {
		if t.Status != TaskPlanned {
			out[t.MemberID] = t.ApproverID
		}
	}
	cc, err := listCC(ctx, s.DB, st.req.ID)
	if err != nil {
		return nil, err
	}
	for _, p := range cc {
		out[p.MemberID] = p.AccountID
	}
	return out, nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// comments lists a request's comments as the caller sees them.
func (s *Service) comments(ctx context.Context, n *namer, x reqRow) ([]Comment, error) {
	rows, err := listComments(ctx, s.DB, x.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Comment, 0, len(rows))
	for _, c := range rows {
		out = append(out, s.commentView(ctx, n, c))
	}
	return out, nil
}

func (s *Service) commentView(ctx context.Context, n *namer, c commentRow) Comment {
	body := string(s.open(ctx, c.ContentKey, commentAAD(c.ID), c.Content))
	cm := Comment{ID: c.ID, Author: n.ref(c.AuthorID, c.MemberID), Body: body, BodyHTML: markdown.Render(body).HTML,
		Mentions: []PersonRef{}, FileIDs: []string{}, CreatedAt: c.CreatedAt}
	var ms []mention
	_ = json.Unmarshal([]byte(c.Mentions), &ms)
	for _, m := range ms {
		cm.Mentions = append(cm.Mentions, n.ref(m.AccountID, m.MemberID))
	}
	_ = json.Unmarshal([]byte(c.FileIDs), &cm.FileIDs)
	return cm
}
