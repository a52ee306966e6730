package announce

import (
	"context"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// Page is the body of GET /api/v1/announcements: the pinned announcements
// (on the first page), then a page of the others, newest first, and how
// many the caller has not read.
type Page struct {
	Pinned     []Announcement `json:"pinned"`
	Items      []Announcement `json:"items"`
	Unread     int            `json:"unread"`
	NextCursor string         `json:"next_cursor"`
}

// ManageList is the body of GET /api/v1/admin/announcements.
type ManageList struct {
	Items      []Announcement `json:"items"`
	NextCursor string         `json:"next_cursor"`
}

// Query pages a list: Limit (default 50, at most 200) and Cursor (from
// the previous page); Status filters the publishers' list.
type Query struct {
	Limit  int
	Cursor string
	Status string
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

// List returns the announcements the caller received in their current
// organization.
func (s *Service) List(ctx context.Context, q Query) (Page, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Page{}, err
	}
	beforeAt, beforeID, err := parseCursor(q.Cursor)
	if err != nil {
		return Page{}, err
	}
	out := Page{Pinned: []Announcement{}, Items: []Announcement{}}
	if q.Cursor == "" {
		pinned, err := listVisible(ctx, s.DB, a.OrgID, a.AccountID, true, 0, "", 0)
		if err != nil {
			return Page{}, err
		}
		for _, x := range pinned {
			out.Pinned = append(out.Pinned, s.view(ctx, x, false))
		}
	}
	limit := limitOf(q)
	rows, err := listVisible(ctx, s.DB, a.OrgID, a.AccountID, false, beforeAt, beforeID, limit+1)
	if err != nil {
		return Page{}, err
	}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		out.NextCursor = httpx.IntCursor(last.PublishedAt, last.ID).String()
	}
	for _, x := range rows {
		out.Items = append(out.Items, s.view(ctx, x, false))
	}
	if out.Unread, err = unreadCount(ctx, s.DB, a.OrgID, a.AccountID); err != nil {
		return Page{}, err
	}
	return out, nil
}

// ListAll returns every announcement of the organization, drafts and
// withdrawn ones included, to publishers.
func (s *Service) ListAll(ctx context.Context, q Query) (ManageList, error) {
	a, err := s.publisher(ctx)
	if err != nil {
		return ManageList{}, err
	}
	switch q.Status {
	case "", StatusDraft, StatusScheduled, StatusPublished, StatusWithdrawn:
	default:
		return ManageList{}, apperr.InvalidField("status", "status is draft, scheduled, published or withdrawn")
	}
	beforeAt, beforeID, err := parseCursor(q.Cursor)
	if err != nil {
		return ManageList{}, err
	}
	limit := limitOf(q)
	rows, err := listAll(ctx, s.DB, a.OrgID, a.AccountID, q.Status, beforeAt, beforeID, limit+1)
	if err != nil {
		return ManageList{}, err
	}
	out := ManageList{Items: []Announcement{}}
	if len(rows) > limit {
		rows = rows[:limit]
		out.NextCursor = httpx.IntCursor(rows[limit-1].CreatedAt, rows[limit-1].ID).String()
	}
	for _, x := range rows {
		out.Items = append(out.Items, s.view(ctx, x, true))
	}
	return out, nil
}

// MarkRead records that the caller read an announcement they received.
func (s *Service) MarkRead(ctx context.Context, id string) (Announcement, error) {
	return s.receipt(ctx, id, false)
}

// Confirm records that the caller read and confirms an announcement that
// asks for it (409 confirmation_not_required otherwise).
func (s *Service) Confirm(ctx context.Context, id string) (Announcement, error) {
	return s.receipt(ctx, id, true)
}

func (s *Service) receipt(ctx context.Context, id string, confirm bool) (Announcement, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Announcement{}, err
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		x, err := s.load(ctx, a.OrgID, id, a.AccountID)
		if err != nil {
			return err
		}
		if !receives(x) {
			return apperr.ErrNotFound
		}
		if confirm && !x.RequireConfirm {
			return apperr.Conflict("confirmation_not_required", "this announcement does not ask for confirmation")
		}
		if !x.Recipient {
			// Someone who joined after a whole-organization announcement
			// was published: recorded as a later reader.
			rs, err := s.Directory.Audience(ctx, a.OrgID, Audience{MemberIDs: []string{a.MemberID}})
			if err != nil {
				return err
			}
			if len(rs) == 0 {
				return apperr.ErrNotFound
			}
			if err := insertRecipients(ctx, s.DB, id, a.OrgID, rs, true, s.now()); err != nil {
				return err
			}
		}
		if err := markBack(ctx, s.DB, id, a.AccountID); err != nil {
			return err
		}
		return markRead(ctx, s.DB, id, a.AccountID, s.now(), confirm)
	})
	if err != nil {
		return Announcement{}, err
	}
	return s.Get(ctx, id)
}

// Receipt is one recipient's state in the read list.
type Receipt struct {
	MemberID    string `json:"member_id"`
	AccountID   string `json:"account_id"`
	ReadAt      int64  `json:"read_at"`
	ConfirmedAt int64  `json:"confirmed_at"`
	// LeftAt is when the person left the organization (0: still in it);
	// they are not reminded and not counted as pending.
	LeftAt int64 `json:"left_at"`
}

// DepartmentReceipts is the read list of one department ("" for the
// recipients in no department).
type DepartmentReceipts struct {
	DepartmentID string    `json:"department_id"`
	Total        int       `json:"total"`
	Read         int       `json:"read"`
	Confirmed    int       `json:"confirmed"`
	Pending      int       `json:"pending"`
	People       []Receipt `json:"people"`
}

// Receipts is the read list of an announcement: the people it was
// published to, by department, and the people who joined later and
// opened it (not counted in the totals).
type Receipts struct {
	RequireConfirm bool `json:"require_confirm"`
	// Total is how many people it was published to.
	Total     int `json:"total"`
	Read      int `json:"read"`
	Confirmed int `json:"confirmed"`
	// Pending is how many people still in the organization have not read
	// it (or, when confirmation is required, not confirmed it): those a
	// reminder reaches.
	Pending     int                  `json:"pending"`
	Left        int                  `json:"left"`
	Departments []DepartmentReceipts `json:"departments"`
	Later       []Receipt            `json:"later"`
	RemindedAt  int64                `json:"reminded_at"`
}

// Receipts returns an announcement's read list to publishers.
func (s *Service) Receipts(ctx context.Context, id string) (Receipts, error) {
	a, err := s.publisher(ctx)
	if err != nil {
		return Receipts{}, err
	}
	x, err := s.load(ctx, a.OrgID, id, a.AccountID)
	if err != nil {
		return Receipts{}, err
	}
	rows, err := receiptsOf(ctx, s.DB, a.OrgID, id)
	if err != nil {
		return Receipts{}, err
	}
	out := Receipts{RequireConfirm: x.RequireConfirm, Departments: []DepartmentReceipts{}, Later: []Receipt{}, RemindedAt: x.RemindedAt}
	var d *DepartmentReceipts
	for _, r := range rows {
		rc := Receipt{MemberID: r.MemberID, AccountID: r.AccountID, ReadAt: r.ReadAt, ConfirmedAt: r.ConfirmedAt, LeftAt: r.LeftAt}
		if r.Late {
			out.Later = append(out.Later, rc)
			continue
		}
		if d == nil || d.DepartmentID != r.DepartmentID {
			out.Departments = append(out.Departments, DepartmentReceipts{DepartmentID: r.DepartmentID, People: []Receipt{}})
			d = &out.Departments[len(out.Departments)-1]
		}
		d.People = append(d.People, rc)
		d.Total++
		if r.ReadAt != 0 {
			d.Read++
		}
		if r.ConfirmedAt != 0 {
			d.Confirmed++
		}
		if r.LeftAt != 0 {
			out.Left++
		} else if (x.RequireConfirm && r.ConfirmedAt == 0) || (!x.RequireConfirm && r.ReadAt == 0) {
			d.Pending++
		}
	}
	for _, d := range out.Departments {
		out.Total += d.Total
		out.Read += d.Read
		out.Confirmed += d.Confirmed
		out.Pending += d.Pending
	}
	return out, nil
}

// Reminded is the answer to a reminder: how many people it reached.
type Reminded struct {
	Count      int   `json:"count"`
	RemindedAt int64 `json:"reminded_at"`
}

// Remind reminds the people who have not read (or not confirmed) a
// published announcement: an event on their stream and an email through
// the outbox. At most once per RemindEvery (a day) per announcement: 409
// already_reminded, with next_at, before that.
func (s *Service) Remind(ctx context.Context, id string) (Reminded, error) {
	a, err := s.publisher(ctx)
	if err != nil {
		return Reminded{}, err
	}
	var out Reminded
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		x, err := s.load(ctx, a.OrgID, id, a.AccountID)
		if err != nil {
			return err
		}
		if x.Status != StatusPublished {
			return apperr.Conflict("announcement_not_published", "only a published announcement has readers to remind")
		}
		now := s.now()
		every := s.RemindEvery
		if every <= 0 {
			every = 24 * time.Hour
		}
		if x.RemindedAt != 0 && now < x.RemindedAt+every.Milliseconds() {
			return apperr.Conflict("already_reminded", "the readers of this announcement were reminded less than a day ago").
				With("next_at", x.RemindedAt+every.Milliseconds())
		}
		ok, err := setReminded(ctx, s.DB, a.OrgID, id, x.RemindedAt, now)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Conflict("already_reminded", "the readers of this announcement were just reminded")
		}
		pending, err := pendingAccounts(ctx, s.DB, a.OrgID, id, x.RequireConfirm)
		if err != nil {
			return err
		}
		if err := s.notify(ctx, a.OrgID, id, "announcement.reminder", pending); err != nil {
			return err
		}
		if s.Mail != nil {
			subject, body := reminderMail(x.RequireConfirm, s.BaseURL, id)
			for _, acc := range pending {
				if err := s.Mail(ctx, acc, subject, body); err != nil {
					return err
				}
			}
		}
		out = Reminded{Count: len(pending), RemindedAt: now}
		return s.record(ctx, a.OrgID, "announcement.remind", id, map[string]any{"count": len(pending)})
	})
	return out, err
}

// reminderMail is the email of a reminder. It carries no title or body
// (those are the organization's sealed content; the outbox is not), only
// the link.
func reminderMail(confirm bool, baseURL, id string) (subject, body string) {
	verb := "read"
	if confirm {
		verb = "read and confirm"
	}
	subject = "An announcement is waiting for you / 有一条公告等待你阅读"
	body = "An announcement of your organization asks you to " + verb + " it:\n" +
		strings.TrimRight(baseURL, "/") + "/announcements/" + id + "\n\n你所在组织的一条公告等待你阅读" +
		map[bool]string{true: "并确认", false: ""}[confirm] + "。\n"
	return subject, body
}

// MemberLeftOrg marks a leaver's receipts in the organization: the read
// list shows them as left, and reminders skip them. The directory calls
// it in the transaction of the departure.
func (s *Service) MemberLeftOrg(ctx context.Context, orgID, accountID string) error {
	return markLeft(ctx, s.DB, orgID, accountID, s.now())
}
