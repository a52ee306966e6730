package report

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// Lists: the reports a person wrote, and the inbox of those they received.

// Query pages a list: Limit (default 50, at most 200) and Cursor (from
// the previous page); TemplateID and Status filter the author's list,
// Unread the inbox.
type Query struct {
	Limit      int
	Cursor     string
	TemplateID string
	Status     string
	Unread     bool
}

// Page is a page of reports.
type Page struct {
	Items      []Report `json:"items"`
	NextCursor string   `json:"next_cursor"`
}

// Inbox is the body of GET /api/v1/reports/inbox: a page of the reports
// the caller received, newest first, and how many they have not read.
type Inbox struct {
	Items      []Report `json:"items"`
	Unread     int      `json:"unread"`
	NextCursor string   `json:"next_cursor"`
}

// parseCursor reads a next_cursor (httpx.IntCursor: a time, an id), or
// the "<time>:<id>" the lists handed out before; "" is the first page.
func parseCursor(v string) (int64, string, error) { return httpx.ParseIntCursor(v) }

func limitOf(q Query) int {
	if q.Limit <= 0 {
		return 50
	}
	return min(q.Limit, 200)
}

// Mine lists the reports the caller wrote in their current organization,
// newest first.
func (s *Service) Mine(ctx context.Context, q Query) (Page, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Page{}, err
	}
	switch q.Status {
	case "", StatusDraft, StatusSubmitted:
	default:
		return Page{}, apperr.InvalidField("status", "status is draft or submitted")
	}
	beforeAt, beforeID, err := parseCursor(q.Cursor)
	if err != nil {
		return Page{}, err
	}
	limit := limitOf(q)
	rows, err := listMine(ctx, s.DB, a.OrgID, a.AccountID, q.TemplateID, q.Status, beforeAt, beforeID, limit+1)
	if err != nil {
		return Page{}, err
	}
	out := Page{Items: []Report{}}
	if len(rows) > limit {
		rows = rows[:limit]
		out.NextCursor = httpx.IntCursor(rows[limit-1].CreatedAt, rows[limit-1].ID).String()
	}
	windows, err := s.editWindows(ctx, a.OrgID)
	if err != nil {
		return Page{}, err
	}
	for _, x := range rows {
		out.Items = append(out.Items, s.view(ctx, x, windows[x.TemplateID]))
	}
	return out, nil
}

// editWindows maps the organization's templates to their edit windows.
func (s *Service) editWindows(ctx context.Context, orgID string) (map[string]int, error) {
	ts, err := listTemplates(ctx, s.DB, orgID, true)
	if err != nil {
		return nil, err
	}
	m := make(map[string]int, len(ts))
	for _, t := range ts {
		m[t.ID] = t.EditWindow
	}
	return m, nil
}

// Inbox lists the submitted reports the caller received, newest first.
func (s *Service) Inbox(ctx context.Context, q Query) (Inbox, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Inbox{}, err
	}
	beforeAt, beforeID, err := parseCursor(q.Cursor)
	if err != nil {
		return Inbox{}, err
	}
	limit := limitOf(q)
	rows, err := listInbox(ctx, s.DB, a.OrgID, a.AccountID, q.TemplateID, q.Unread, beforeAt, beforeID, limit+1)
	if err != nil {
		return Inbox{}, err
	}
	out := Inbox{Items: []Report{}}
	if len(rows) > limit {
		rows = rows[:limit]
		out.NextCursor = httpx.IntCursor(rows[limit-1].ReceivedAt, rows[limit-1].ID).String()
	}
	windows, err := s.editWindows(ctx, a.OrgID)
	if err != nil {
		return Inbox{}, err
	}
	for _, x := range rows {
		out.Items = append(out.Items, s.view(ctx, x, windows[x.TemplateID]))
	}
	if out.Unread, err = unreadCount(ctx, s.DB, a.OrgID, a.AccountID); err != nil {
		return Inbox{}, err
	}
	return out, nil
}
