package approval

import (
	"context"
	"slices"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// The lists: "To approve" (tasks waiting for me), "Submitted by me",
// "CC to me" and "Done" (requests I decided), newest first, paged by a
// cursor.

// Boxes of GET /api/v1/approvals.
const (
	BoxTodo = "todo"
	BoxMine = "mine"
	BoxCC   = "cc"
	BoxDone = "done"
)

// Query filters a list.
type Query struct {
	Box, Status, TemplateID, Q string
	Cursor                     string
	Limit                      int
}

// Page is a page of a list.
type Page struct {
	Items      []Summary `json:"items"`
	NextCursor string    `json:"next_cursor"`
}

// DefaultLimit is a page's size when the request names none.
const DefaultLimit = 50

// List returns a page of one of the caller's lists.
func (s *Service) List(ctx context.Context, q Query) (Page, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Page{}, err
	}
	if q.Box == "" {
		q.Box = BoxTodo
	}
	if !slices.Contains([]string{BoxTodo, BoxMine, BoxCC, BoxDone}, q.Box) {
		return Page{}, apperr.Invalid("invalid_box", "box is todo, mine, cc or done").With("param", "box")
	}
	if q.Status != "" && !slices.Contains([]string{StatusPending, StatusApproved, StatusRejected, StatusWithdrawn, StatusReturned}, q.Status) {
		return Page{}, apperr.Invalid("invalid_status", "status is pending, approved, rejected, withdrawn or returned").With("param", "status")
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	at, id, err := httpx.ParseIntCursor(q.Cursor)
	if err != nil {
		return Page{}, err
	}
	var names []string
	if q.Q != "" {
		if names, err = s.namesMatching(ctx, a.OrgID, q.Q); err != nil {
			return Page{}, err
		}
	}
	rows, err := listBox(ctx, s.DB, listArgs{orgID: a.OrgID, accountID: a.AccountID, box: q.Box, status: q.Status, templateID: q.TemplateID,
		text: q.Q, applicants: names, beforeAt: at, beforeID: id, limit: q.Limit + 1})
	if err != nil {
		return Page{}, err
	}
	out := Page{Items: []Summary{}}
	n := &namer{s: s, orgID: a.OrgID, names: map[string]string{}}
	for i, x := range rows {
		if i == q.Limit {
			out.NextCursor = httpx.IntCursor(rows[i-1].SortAt, rows[i-1].ID).String()
			break
		}
		sm := s.summary(n, x.reqRow, nil)
		if x.StepID != "" {
			sm.CurrentStep = &StepRef{ID: x.StepID, Name: x.StepName}
		}
		out.Items = append(out.Items, sm)
	}
	return out, nil
}

// namesMatching returns the accounts of the organization's members whose
// name contains text. Names are sealed, so they are matched here, among
// the applicants of the organization's requests.
func (s *Service) namesMatching(ctx context.Context, orgID, text string) ([]string, error) {
	accs, err := applicantsOf(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, acc := range accs {
		if containsFold(s.Directory.Name(ctx, orgID, acc), text) {
			out = append(out, acc)
		}
	}
	return out, nil
}

func containsFold(s, sub string) bool {
	return sub != "" && strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
