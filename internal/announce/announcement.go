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
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/markdown"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

// Announcement is one announcement as the caller sees it.
type Announcement struct {
	ID       string `json:"id"`
	AuthorID string `json:"author_id"`
	Title    string `json:"title"`
	// Body is Markdown as written.
	Body string `json:"body"`
	// BodyHTML is Body rendered to safe HTML by the renderer of messages
	// (platform/markdown: the same subset and allowlist); only GET of one
	// announcement fills it in.
	BodyHTML string `json:"body_html,omitempty"`
	Category string `json:"category"`
	// Status is draft, scheduled, published or withdrawn.
	Status string `json:"status"`
	// Audience is shown to publishers only.
	Audience              *Audience `json:"audience,omitempty"`
	IncludeLater          bool      `json:"include_later"`
	Pinned                bool      `json:"pinned"`
	RequireConfirm        bool      `json:"require_confirm"`
	AllowComments         bool      `json:"allow_comments"`
	SignatureDepartmentID string    `json:"signature_department_id"`
	PublishAt             int64     `json:"publish_at"`
	PublishedAt           int64     `json:"published_at"`
	// EditedAt is when a published announcement was last edited (0: never).
	EditedAt       int64 `json:"edited_at"`
	WithdrawnAt    int64 `json:"withdrawn_at"`
	RemindedAt     int64 `json:"reminded_at"`
	RecipientCount int   `json:"recipient_count"`
	// ReadAt and ConfirmedAt are the caller's own (0: not yet).
	ReadAt      int64 `json:"read_at"`
	ConfirmedAt int64 `json:"confirmed_at"`
	CreatedAt   int64 `json:"created_at"`
	UpdatedAt   int64 `json:"updated_at"`
	// CoverFileID is the cover image ("" for none) and Attachments the
	// attached files in order; only GET of one announcement fills them in.
	CoverFileID string `json:"cover_file_id,omitempty"`
	Attachments []File `json:"attachments,omitempty"`
}

// CreateInput is the body of POST /api/v1/announcements. Without publish
// or publish_at the announcement is a draft.
type CreateInput struct {
	Title                 string   `json:"title"`
	Body                  string   `json:"body"`
	Category              string   `json:"category,omitempty"`
	Audience              Audience `json:"audience"`
	IncludeLater          bool     `json:"include_later,omitempty"`
	Pinned                bool     `json:"pinned,omitempty"`
	RequireConfirm        bool     `json:"require_confirm,omitempty"`
	AllowComments         bool     `json:"allow_comments,omitempty"`
	SignatureDepartmentID string   `json:"signature_department_id,omitempty"`
	// PublishAt schedules publishing (unix ms, in the future).
	PublishAt int64 `json:"publish_at,omitempty"`
	// Publish publishes at once.
	Publish bool `json:"publish,omitempty"`
	// FileIDs attaches uploaded files, in order; CoverFileID names an
	// uploaded image as the cover. Images the body shows as
	// ![alt](/api/v1/announcement-files/ID) are attached too.
	FileIDs     []string `json:"file_ids,omitempty"`
	CoverFileID string   `json:"cover_file_id,omitempty"`
}

// Patch is the body of PATCH /api/v1/announcements/{id}: the fields to
// change. Once published, only title, body, category, pinned,
// allow_comments, signature_department_id and the files change (409
// announcement_published for the others).
type Patch struct {
	Title                 *string   `json:"title,omitempty"`
	Body                  *string   `json:"body,omitempty"`
	Category              *string   `json:"category,omitempty"`
	Audience              *Audience `json:"audience,omitempty"`
	IncludeLater          *bool     `json:"include_later,omitempty"`
	Pinned                *bool     `json:"pinned,omitempty"`
	RequireConfirm        *bool     `json:"require_confirm,omitempty"`
	AllowComments         *bool     `json:"allow_comments,omitempty"`
	SignatureDepartmentID *string   `json:"signature_department_id,omitempty"`
	// PublishAt reschedules an unpublished announcement; 0 makes it a
	// draft again.
	PublishAt *int64 `json:"publish_at,omitempty"`
	// FileIDs replaces the attachments and CoverFileID the cover ("" for
	// none); files no longer named are deleted.
	FileIDs     *[]string `json:"file_ids,omitempty"`
	CoverFileID *string   `json:"cover_file_id,omitempty"`
}

// Limits of an announcement's text.
const (
	MaxTitle    = 200
	MaxBody     = 100_000
	MaxCategory = 50
)

// content is what is sealed: the title and the body.
type content struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

func contentAAD(id string) string { return "announcements.content:" + id }

// seal stores c in x, sealed with the organization's key.
func (s *Service) seal(ctx context.Context, x *row, c content) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if s.Sealer == nil {
		x.Content, x.ContentKey = b, ""
		return nil
	}
	box, err := s.Sealer.Seal(ctx, x.OrgID, contentAAD(x.ID), b)
	if err != nil {
		return fmt.Errorf("announce: seal: %w", err)
	}
	x.Content, x.ContentKey = box, x.OrgID
	return nil
}

// open returns x's title and body; empty when its key is gone.
func (s *Service) open(ctx context.Context, x row) content {
	var c content
	b := x.Content
	if x.ContentKey != "" {
		if s.Sealer == nil {
			return c
		}
		var err error
		if b, err = s.Sealer.Open(ctx, x.ContentKey, contentAAD(x.ID), x.Content); err != nil {
			s.Log.DebugContext(ctx, "announce: content not readable", "announcement", x.ID, "err", err)
			return c
		}
	}
	_ = json.Unmarshal(b, &c)
	return c
}

// view turns a stored row into what the caller sees.
func (s *Service) view(ctx context.Context, x row, manager bool) Announcement {
	c := s.open(ctx, x)
	a := Announcement{ID: x.ID, AuthorID: x.AuthorID, Title: c.Title, Body: c.Body, Category: x.Category, Status: x.Status,
		IncludeLater: x.IncludeLater, Pinned: x.Pinned, RequireConfirm: x.RequireConfirm, AllowComments: x.AllowComments,
		SignatureDepartmentID: x.SignatureDepartmentID, PublishAt: x.PublishAt, PublishedAt: x.PublishedAt, EditedAt: x.EditedAt,
		WithdrawnAt: x.WithdrawnAt, RemindedAt: x.RemindedAt, RecipientCount: x.RecipientCount, ReadAt: x.ReadAt,
		ConfirmedAt: x.ConfirmedAt, CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt}
	if manager {
		au := audienceOf(x)
		a.Audience = &au
	}
	return a
}

func audienceOf(x row) Audience {
	var au Audience
	_ = json.Unmarshal([]byte(x.Audience), &au)
	for _, l := range []*[]string{&au.DepartmentIDs, &au.RoleIDs, &au.MemberIDs} {
		if *l == nil {
			*l = []string{}
		}
	}
	return au
}

// check validates a row about to be stored, with its content.
func (s *Service) check(ctx context.Context, x *row, c *content, au Audience) error {
	var err error
	if c.Title, err = safetext.Field("title", c.Title, 1, MaxTitle, false); err != nil {
		return err
	}
	if c.Body, err = safetext.Field("body", c.Body, 0, MaxBody, true); err != nil {
		return err
	}
	if x.Category, err = safetext.Field("category", x.Category, 0, MaxCategory, false); err != nil {
		return err
	}
	if x.SignatureDepartmentID != "" && !s.Directory.HasDepartment(ctx, x.OrgID, x.SignatureDepartmentID) {
		return apperr.InvalidField("signature_department_id", "no such department")
	}
	if !au.All {
		// Offering to later joiners is for whole-organization announcements.
		x.IncludeLater = false
	}
	if x.Status == StatusScheduled && x.PublishAt <= s.now() {
		return apperr.InvalidField("publish_at", "publish_at must be in the future")
	}
	if au.All {
		au = Audience{All: true}
	}
	if !au.empty() && !au.All {
		// Unknown ids are refused now rather than when it is published.
		if _, err := s.Directory.Audience(ctx, x.OrgID, au); err != nil {
			return err
		}
	}
	b, _ := json.Marshal(au)
	x.Audience = string(b)
	return s.seal(ctx, x, *c)
}

// Create stores a draft, a scheduled announcement or a published one.
func (s *Service) Create(ctx context.Context, in CreateInput) (Announcement, error) {
	a, err := s.publisher(ctx)
	if err != nil {
		return Announcement{}, err
	}
	now := s.now()
	x := row{ID: ids.New("ann"), OrgID: a.OrgID, AuthorID: a.AccountID, Category: in.Category, Status: StatusDraft,
		IncludeLater: in.IncludeLater, Pinned: in.Pinned, RequireConfirm: in.RequireConfirm, AllowComments: in.AllowComments,
		SignatureDepartmentID: in.SignatureDepartmentID, CreatedAt: now, UpdatedAt: now}
	if in.PublishAt != 0 && !in.Publish {
		x.Status, x.PublishAt = StatusScheduled, in.PublishAt
	}
	c := content{Title: in.Title, Body: in.Body}
	if err := s.check(ctx, &x, &c, in.Audience); err != nil {
		return Announcement{}, err
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := insertAnnouncement(ctx, s.DB, x); err != nil {
			return err
		}
		if err := s.record(ctx, x.OrgID, "announcement.create", x.ID, map[string]any{"status": x.Status}); err != nil {
			return err
		}
		if _, err := s.syncFiles(ctx, x.OrgID, a.AccountID, x.ID, wantFiles{attachments: in.FileIDs, cover: in.CoverFileID,
			images: bodyImages(c.Body)}); err != nil {
			return err
		}
		if in.Publish {
			return s.publish(ctx, x.OrgID, x.ID)
		}
		return nil
	})
	if err != nil {
		return Announcement{}, err
	}
	return s.Get(ctx, x.ID)
}

// load returns an announcement of the caller's organization for a
// publisher; 404 for anything else.
func (s *Service) load(ctx context.Context, orgID, id, accountID string) (row, error) {
	x, err := getAnnouncement(ctx, s.DB, orgID, id, accountID)
	if errors.Is(err, db.ErrNotFound) {
		return row{}, apperr.ErrNotFound
	}
	return x, err
}

// Get returns an announcement the caller received, or any announcement
// of the organization to a publisher. Others get 404, exactly as for an
// id that does not exist.
func (s *Service) Get(ctx context.Context, id string) (Announcement, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Announcement{}, err
	}
	x, manager, err := s.readable(ctx, a, id)
	if err != nil {
		return Announcement{}, err
	}
	v := s.view(ctx, x, manager)
	if v.Body != "" {
		v.BodyHTML = markdown.RenderWithImages(v.Body, FilePath).HTML
	}
	if err := s.withFiles(ctx, a.OrgID, &v); err != nil {
		return Announcement{}, err
	}
	return v, nil
}

// receives reports whether the caller of a loaded row sees it as a reader.
func receives(x row) bool {
	return x.Status == StatusPublished && (x.Recipient || x.IncludeLater)
}

// Update edits an announcement. Editing a published one marks it edited
// and tells its recipients.
func (s *Service) Update(ctx context.Context, id string, p Patch) (Announcement, error) {
	a, err := s.publisher(ctx)
	if err != nil {
		return Announcement{}, err
	}
	var gone []string
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		x, err := s.load(ctx, a.OrgID, id, a.AccountID)
		if err != nil {
			return err
		}
		switch x.Status {
		case StatusWithdrawn:
			return apperr.Conflict("announcement_withdrawn", "a withdrawn announcement cannot be changed")
		case StatusPublished:
			if p.Audience != nil || p.IncludeLater != nil || p.RequireConfirm != nil || p.PublishAt != nil {
				return apperr.Conflict("announcement_published", "the audience, confirmation and schedule of a published announcement cannot change")
			}
		}
		c := s.open(ctx, x)
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		setB := func(dst *bool, v *bool) {
			if v != nil {
				*dst = *v
			}
		}
		set(&c.Title, p.Title)
		set(&c.Body, p.Body)
		set(&x.Category, p.Category)
		set(&x.SignatureDepartmentID, p.SignatureDepartmentID)
		setB(&x.IncludeLater, p.IncludeLater)
		setB(&x.Pinned, p.Pinned)
		setB(&x.RequireConfirm, p.RequireConfirm)
		setB(&x.AllowComments, p.AllowComments)
		au := audienceOf(x)
		if p.Audience != nil {
			au = *p.Audience
		}
		if p.PublishAt != nil {
			x.PublishAt = *p.PublishAt
			x.Status = StatusDraft
			if x.PublishAt != 0 {
				x.Status = StatusScheduled
			}
		}
		now := s.now()
		x.UpdatedAt = now
		if x.Status == StatusPublished {
			x.EditedAt = now
		}
		if err := s.check(ctx, &x, &c, au); err != nil {
			return err
		}
		if err := updateAnnouncement(ctx, s.DB, x); err != nil {
			return err
		}
		w, err := s.currentFiles(ctx, x.OrgID, x.ID)
		if err != nil {
			return err
		}
		if p.FileIDs != nil {
			w.attachments = *p.FileIDs
		}
		if p.CoverFileID != nil {
			w.cover = *p.CoverFileID
		}
		w.images = bodyImages(c.Body)
		if gone, err = s.syncFiles(ctx, x.OrgID, a.AccountID, x.ID, w); err != nil {
			return err
		}
		if err := s.record(ctx, x.OrgID, "announcement.update", x.ID, nil); err != nil {
			return err
		}
		if x.Status == StatusPublished {
			return s.tell(ctx, x.OrgID, x.ID, "announcement.updated")
		}
		return nil
	})
	if err != nil {
		return Announcement{}, err
	}
	s.dropBlobs(ctx, gone)
	return s.Get(ctx, id)
}

// Publish publishes a draft or scheduled announcement now.
func (s *Service) Publish(ctx context.Context, id string) (Announcement, error) {
	a, err := s.publisher(ctx)
	if err != nil {
		return Announcement{}, err
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		x, err := s.load(ctx, a.OrgID, id, a.AccountID)
		if err != nil {
			return err
		}
		if x.Status != StatusDraft && x.Status != StatusScheduled {
			return apperr.Conflict("announcement_published", "the announcement has already been published")
		}
		return s.publish(ctx, a.OrgID, id)
	})
	if err != nil {
		return Announcement{}, err
	}
	return s.Get(ctx, id)
}

// publish computes the audience now, records every recipient, marks the
// announcement published and tells each recipient, in ctx's transaction.
// It does nothing when the announcement is no longer waiting (another
// node published it first).
func (s *Service) publish(ctx context.Context, orgID, id string) error {
	x, err := getAnnouncement(ctx, s.DB, orgID, id, "")
	if err != nil {
		return err
	}
	if x.Status != StatusDraft && x.Status != StatusScheduled {
		return nil
	}
	au := audienceOf(x)
	if au.empty() {
		return apperr.InvalidField("audience", "choose the whole organization, or departments, roles or people")
	}
	rs, err := s.Directory.Audience(ctx, orgID, au)
	if err != nil {
		return err
	}
	now := s.now()
	ok, err := markPublished(ctx, s.DB, orgID, id, now, len(rs))
	if err != nil || !ok {
		return err
	}
	if err := insertRecipients(ctx, s.DB, id, orgID, rs, false, now); err != nil {
		return err
	}
	if err := s.record(ctx, orgID, "announcement.publish", id, map[string]any{"recipients": len(rs)}); err != nil {
		return err
	}
	accounts := make([]string, len(rs))
	for i, r := range rs {
		accounts[i] = r.AccountID
	}
	return s.notify(ctx, orgID, id, "announcement.published", accounts)
}

// notify appends one event per account: only ids, the client fetches
// what it may see.
func (s *Service) notify(ctx context.Context, orgID, id, typ string, accounts []string) error {
	data, _ := json.Marshal(map[string]string{"id": id, "org_id": orgID})
	evs := make([]events.Pending, len(accounts))
	for i, acc := range accounts {
		evs[i] = events.Pending{OrgID: orgID, ScopeKind: events.ScopeAccount, ScopeID: acc, Type: typ, Data: json.RawMessage(data)}
	}
	return events.AppendBatch(ctx, s.DB, evs)
}

// tell notifies every recipient of an announcement (edits, withdrawal).
func (s *Service) tell(ctx context.Context, orgID, id, typ string) error {
	rs, err := receiptsOf(ctx, s.DB, orgID, id)
	if err != nil {
		return err
	}
	accounts := make([]string, 0, len(rs))
	for _, r := range rs {
		if r.LeftAt == 0 {
			accounts = append(accounts, r.AccountID)
		}
	}
	return s.notify(ctx, orgID, id, typ, accounts)
}

// Withdraw takes a published announcement back: its readers no longer
// see it; publishers still do, marked withdrawn.
func (s *Service) Withdraw(ctx context.Context, id string) (Announcement, error) {
	a, err := s.publisher(ctx)
	if err != nil {
		return Announcement{}, err
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if _, err := s.load(ctx, a.OrgID, id, a.AccountID); err != nil {
			return err
		}
		ok, err := markWithdrawn(ctx, s.DB, a.OrgID, id, s.now())
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Conflict("announcement_not_published", "only a published announcement can be withdrawn")
		}
		if err := s.record(ctx, a.OrgID, "announcement.withdraw", id, nil); err != nil {
			return err
		}
		return s.tell(ctx, a.OrgID, id, "announcement.withdrawn")
	})
	if err != nil {
		return Announcement{}, err
	}
	return s.Get(ctx, id)
}

// Delete deletes a draft or a scheduled announcement; published ones are
// withdrawn instead.
func (s *Service) Delete(ctx context.Context, id string) error {
	a, err := s.publisher(ctx)
	if err != nil {
		return err
	}
	var gone []string
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if _, err := s.load(ctx, a.OrgID, id, a.AccountID); err != nil {
			return err
		}
		ok, err := deleteUnpublished(ctx, s.DB, a.OrgID, id)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Conflict("announcement_published", "a published announcement is withdrawn, not deleted")
		}
		// Its files go with it.
		if gone, err = s.syncFiles(ctx, a.OrgID, a.AccountID, id, wantFiles{}); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "announcement.delete", id, nil)
	})
	if err != nil {
		return err
	}
	s.dropBlobs(ctx, gone)
	return nil
}

// PublishDue publishes the scheduled announcements whose time has come,
// each in its own transaction, and returns how many it published. The
// background job calls it; with several nodes each announcement is
// published once (markPublished decides).
func (s *Service) PublishDue(ctx context.Context) (int, error) {
	n := 0
	for {
		due, err := dueAnnouncements(ctx, s.DB, s.now(), 50)
		if err != nil || len(due) == 0 {
			return n, err
		}
		for _, d := range due {
			err := s.DB.Tx(ctx, func(ctx context.Context) error { return s.publish(ctx, d[0], d[1]) })
			if err != nil {
				s.Log.WarnContext(ctx, "announce: publish a scheduled announcement", "announcement", d[1], "err", err)
				// A failure of the server or the database (or this node
				// stopping) is retried: the job fails and runs again, and
				// the announcement stays scheduled.
				if k := apperr.KindOf(err); k == apperr.KindInternal || k == apperr.KindUnavailable || ctx.Err() != nil {
					return n, err
				}
				// The announcement's own problem (an audience that reaches
				// nothing any more): it goes back to the drafts, where a
				// publisher sees it and fixes it.
				if err := s.DB.Tx(ctx, func(ctx context.Context) error { return unschedule(ctx, s.DB, d[0], d[1]) }); err != nil {
					return n, err
				}
				continue
			}
			n++
		}
	}
}
