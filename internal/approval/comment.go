package approval

import (
	"context"
	"encoding/json"
)

// Comments under a request: written by anyone who may see it, in
// Markdown, mentioning members and attaching files; sealed with the
// organization's key.

// Comment is one comment under a request.
type Comment struct {
	ID        string      `json:"id"`
	Author    PersonRef   `json:"author"`
	Body      string      `json:"body"`
	Mentions  []PersonRef `json:"mentions"`
	FileIDs   []string    `json:"file_ids"`
	CreatedAt int64       `json:"created_at"`
}

// comments lists a request's comments as the caller sees them.
func (s *Service) comments(ctx context.Context, n *namer, x reqRow) ([]Comment, error) {
	rows, err := listComments(ctx, s.DB, x.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Comment, 0, len(rows))
	for _, c := range rows {
		cm := Comment{ID: c.ID, Author: n.ref(c.AuthorID, c.MemberID), Body: string(s.open(ctx, c.ContentKey, commentAAD(c.ID), c.Content)),
			Mentions: []PersonRef{}, FileIDs: []string{}, CreatedAt: c.CreatedAt}
		var mentions []PersonRef
		_ = json.Unmarshal([]byte(c.Mentions), &mentions)
		cm.Mentions = append(cm.Mentions, mentions...)
		_ = json.Unmarshal([]byte(c.FileIDs), &cm.FileIDs)
		out = append(out, cm)
	}
	return out, nil
}
