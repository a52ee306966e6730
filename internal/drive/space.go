package drive

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Member gives members (kind member, a member id), a department with its
// sub-departments (kind department) or a role (kind role: owner, admin,
// member or a custom role id) a role in an organization space.
type Member struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Role string `json:"role"`
}

// Space is a space as the caller sees it.
type Space struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Name string `json:"name"`
	// OwnerAccountID is the person whose personal space it is.
	OwnerAccountID string `json:"owner_account_id,omitempty"`
	// RootID is the space's top folder.
	RootID  string   `json:"root_id"`
	Members []Member `json:"members"`
	// MyRole is the caller's role: viewer, editor or manager.
	MyRole string `json:"my_role"`
	// QuotaBytes is the space's limit (0: none); UsedBytes what it keeps,
	// older versions and the trash included.
	QuotaBytes int64 `json:"quota_bytes"`
	UsedBytes  int64 `json:"used_bytes"`
	CreatedAt  int64 `json:"created_at"`
	UpdatedAt  int64 `json:"updated_at"`
}

// SpaceList is the spaces the caller may open, their personal one first.
type SpaceList struct {
	Items []Space `json:"items"`
}

// SpaceInput creates an organization space.
type SpaceInput struct {
	Kind       string   `json:"kind"`
	Name       string   `json:"name"`
	Members    []Member `json:"members"`
	QuotaBytes int64    `json:"quota_bytes"`
}

// SpacePatch changes an organization space: its name, members or quota
// (the fields given).
type SpacePatch struct {
	Name       *string   `json:"name,omitempty"`
	Members    *[]Member `json:"members,omitempty"`
	QuotaBytes *int64    `json:"quota_bytes,omitempty"`
}

// caller is the member calling, with what decides their rights, computed
// once per operation.
type caller struct {
	*actor.Actor
	facts   *Facts
	manager *bool
}

func (s *Service) caller(ctx context.Context) (*caller, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return nil, err
	}
	return &caller{Actor: a}, nil
}

// isManager reports whether the caller holds manage_drive (asked once).
func (c *caller) isManager(ctx context.Context, s *Service) (bool, error) {
	if c.manager == nil {
		m, err := s.isManager(ctx)
		if err != nil {
			return false, err
		}
		c.manager = &m
	}
	return *c.manager, nil
}

// groups returns the caller's departments (with those above) and roles.
func (c *caller) groups(ctx context.Context, s *Service) (*Facts, error) {
	if c.facts == nil {
		f, err := s.Directory.Facts(ctx, c.OrgID, c.MemberID)
		if errors.Is(err, db.ErrNotFound) {
			f = Facts{MemberID: c.MemberID, AccountID: c.AccountID}
		} else if err != nil {
			return nil, err
		}
		c.facts = &f
	}
	return c.facts, nil
}

// holds reports whether a grant to (kind, id) reaches the caller.
func (c *caller) holds(ctx context.Context, s *Service, kind, id string) (bool, error) {
	switch kind {
	case SubjectMember:
		return id == c.MemberID, nil
	case SubjectDepartment, SubjectRole:
		f, err := c.groups(ctx, s)
		if err != nil {
			return false, err
		}
		if kind == SubjectDepartment {
			return slices.Contains(f.Departments, id), nil
		}
		return slices.Contains(f.Roles, id), nil
	}
	return false, nil
}

// rank orders roles; "" (none) is 0.
func rank(role string) int {
	switch role {
	case RoleViewer:
		return 1
	case RoleEditor:
		return 2
	case RoleManager:
		return 3
	}
	return 0
}

func higher(a, b string) string {
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// spaceRole returns the caller's role in a space from the space alone
// (not from shares): manager of their own personal space, their best
// membership in an organization space (manage_drive holders manage every
// organization space); "" for none.
func (s *Service) spaceRole(ctx context.Context, c *caller, sp spaceRow) (string, error) {
	if sp.Kind == KindPersonal {
		if sp.OwnerAccountID == c.AccountID {
			return RoleManager, nil
		}
		return "", nil
	}
	if m, err := c.isManager(ctx, s); err != nil || m {
		return RoleManager, err
	}
	ms, err := membersOf(ctx, s.DB, sp.ID)
	if err != nil {
		return "", err
	}
	best := ""
	for _, m := range ms {
		if rank(m.Role) <= rank(best) {
			continue
		}
		ok, err := c.holds(ctx, s, m.Kind, m.ID)
		if err != nil {
			return "", err
		}
		if ok {
			best = m.Role
		}
	}
	return best, nil
}

// space loads a space of the caller's organization the caller may open
// (its role at least min); 404 otherwise, whatever the reason.
func (s *Service) space(ctx context.Context, c *caller, id, min string) (spaceRow, string, error) {
	sp, err := getSpace(ctx, s.DB, c.OrgID, id)
	if errors.Is(err, db.ErrNotFound) {
		return spaceRow{}, "", errNotFound
	}
	if err != nil {
		return spaceRow{}, "", err
	}
	role, err := s.spaceRole(ctx, c, sp)
	if err != nil {
		return spaceRow{}, "", err
	}
	if role == "" {
		return spaceRow{}, "", errNotFound
	}
	if rank(role) < rank(min) {
		return spaceRow{}, "", apperr.Forbidden("forbidden", "your role in this space does not allow it").With("role", role)
	}
	return sp, role, nil
}

func (s *Service) spaceOf(ctx context.Context, sp spaceRow, role string) (Space, error) {
	out := Space{ID: sp.ID, Kind: sp.Kind, Name: sp.Name, OwnerAccountID: sp.OwnerAccountID, RootID: sp.RootID, MyRole: role,
		QuotaBytes: sp.QuotaBytes, UsedBytes: sp.UsedBytes, CreatedAt: sp.CreatedAt, UpdatedAt: sp.UpdatedAt, Members: []Member{}}
	if sp.Kind == KindPersonal {
		if out.QuotaBytes == 0 {
			st, err := settingsOf(ctx, s.DB, sp.OrgID)
			if err != nil {
				return Space{}, err
			}
			out.QuotaBytes = st.PersonalQuota
		}
		return out, nil
	}
	ms, err := membersOf(ctx, s.DB, sp.ID)
	if err != nil {
		return Space{}, err
	}
	out.Members = ms
	return out, nil
}

// MySpace returns the caller's personal space in their current
// organization, creating it the first time.
func (s *Service) MySpace(ctx context.Context) (Space, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Space{}, err
	}
	sp, err := s.personal(ctx, c.OrgID, c.AccountID)
	if err != nil {
		return Space{}, err
	}
	return s.spaceOf(ctx, sp, RoleManager)
}

// personal returns accountID's personal space in orgID, created if needed
// (two requests racing create one).
func (s *Service) personal(ctx context.Context, orgID, accountID string) (spaceRow, error) {
	sp, err := personalSpace(ctx, s.DB, orgID, accountID)
	if err == nil || !errors.Is(err, db.ErrNotFound) {
		return sp, err
	}
	now := s.now()
	sp = spaceRow{ID: ids.New("dsp"), OrgID: orgID, Kind: KindPersonal, OwnerAccountID: accountID, RootID: ids.New("dit"),
		CreatedBy: accountID, CreatedAt: now, UpdatedAt: now}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		ok, err := insertSpace(ctx, s.DB, sp)
		if err != nil || !ok {
			return err
		}
		return insertItem(ctx, s.DB, itemRow{ID: sp.RootID, OrgID: orgID, SpaceID: sp.ID, Kind: ItemFolder, CreatedBy: accountID,
			UpdatedBy: accountID, CreatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		return spaceRow{}, err
	}
	return personalSpace(ctx, s.DB, orgID, accountID)
}

// ListSpaces lists the spaces the caller may open: their personal space
// first, then the organization's spaces they are a member of (every one
// for manage_drive holders), by name.
func (s *Service) ListSpaces(ctx context.Context) (SpaceList, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return SpaceList{}, err
	}
	mine, err := s.personal(ctx, c.OrgID, c.AccountID)
	if err != nil {
		return SpaceList{}, err
	}
	v, err := s.spaceOf(ctx, mine, RoleManager)
	if err != nil {
		return SpaceList{}, err
	}
	out := SpaceList{Items: []Space{v}}
	all, err := orgSpaces(ctx, s.DB, c.OrgID)
	if err != nil {
		return SpaceList{}, err
	}
	for _, sp := range all {
		role, err := s.spaceRole(ctx, c, sp)
		if err != nil {
			return SpaceList{}, err
		}
		if role == "" {
			continue
		}
		v, err := s.spaceOf(ctx, sp, role)
		if err != nil {
			return SpaceList{}, err
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}

// GetSpace returns a space the caller may open (404 otherwise).
func (s *Service) GetSpace(ctx context.Context, id string) (Space, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Space{}, err
	}
	sp, role, err := s.space(ctx, c, id, RoleViewer)
	if err != nil {
		return Space{}, err
	}
	return s.spaceOf(ctx, sp, role)
}

// checkMembers validates an organization space's members.
func (s *Service) checkMembers(ctx context.Context, orgID string, ms []Member) ([]Member, error) {
	if len(ms) > 200 {
		return nil, apperr.InvalidField("members", "at most 200 members")
	}
	byKind := map[string][]string{}
	seen := map[[2]string]bool{}
	out := make([]Member, 0, len(ms))
	for _, m := range ms {
		switch m.Kind {
		case SubjectMember, SubjectDepartment, SubjectRole:
		default:
			return nil, apperr.InvalidField("members", "kind must be member, department or role")
		}
		if rank(m.Role) == 0 {
			return nil, apperr.InvalidField("members", "role must be viewer, editor or manager")
		}
		k := [2]string{m.Kind, m.ID}
		if seen[k] {
			continue
		}
		seen[k] = true
		byKind[m.Kind] = append(byKind[m.Kind], m.ID)
		out = append(out, m)
	}
	for kind, ids := range byKind {
		if err := s.Directory.Check(ctx, orgID, kind, ids); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func checkSpaceName(n string) (string, error) {
	n = strings.TrimSpace(n)
	if n == "" || len(n) > 200 {
		return "", apperr.InvalidField("name", "a name of 1 to 200 bytes")
	}
	if err := validName(n); err != nil {
		return "", apperr.InvalidField("name", "not a valid name")
	}
	return n, nil
}

// CreateSpace creates an organization space (manage_drive).
func (s *Service) CreateSpace(ctx context.Context, in SpaceInput) (Space, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Space{}, err
	}
	if err := s.Directory.Authorize(ctx, PermManage, ""); err != nil {
		return Space{}, err
	}
	switch in.Kind {
	case KindTeam, KindDepartment, KindProject:
	default:
		return Space{}, apperr.InvalidField("kind", "team, department or project")
	}
	name, err := checkSpaceName(in.Name)
	if err != nil {
		return Space{}, err
	}
	if in.QuotaBytes < 0 {
		return Space{}, apperr.InvalidField("quota_bytes", "0 (none) or more")
	}
	ms, err := s.checkMembers(ctx, c.OrgID, in.Members)
	if err != nil {
		return Space{}, err
	}
	now := s.now()
	sp := spaceRow{ID: ids.New("dsp"), OrgID: c.OrgID, Kind: in.Kind, Name: name, RootID: ids.New("dit"), QuotaBytes: in.QuotaBytes,
		CreatedBy: c.AccountID, CreatedAt: now, UpdatedAt: now}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if _, err := insertSpace(ctx, s.DB, sp); err != nil {
			return err
		}
		if err := insertItem(ctx, s.DB, itemRow{ID: sp.RootID, OrgID: c.OrgID, SpaceID: sp.ID, Kind: ItemFolder, CreatedBy: c.AccountID,
			UpdatedBy: c.AccountID, CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		if err := setMembers(ctx, s.DB, sp.ID, c.OrgID, ms, now); err != nil {
			return err
		}
		return s.record(ctx, c.OrgID, "drive.space.create", "drive_space", sp.ID, map[string]any{"kind": sp.Kind})
	})
	if err != nil {
		return Space{}, err
	}
	return s.spaceOf(ctx, sp, RoleManager)
}

// UpdateSpace renames an organization space, replaces its members or sets
// its quota (its managers).
func (s *Service) UpdateSpace(ctx context.Context, id string, p SpacePatch) (Space, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Space{}, err
	}
	sp, _, err := s.space(ctx, c, id, RoleManager)
	if err != nil {
		return Space{}, err
	}
	if sp.Kind == KindPersonal {
		return Space{}, apperr.Conflict("personal_space", "a personal space has no name, members or quota of its own")
	}
	if p.Name != nil {
		if sp.Name, err = checkSpaceName(*p.Name); err != nil {
			return Space{}, err
		}
	}
	if p.QuotaBytes != nil {
		if *p.QuotaBytes < 0 {
			return Space{}, apperr.InvalidField("quota_bytes", "0 (none) or more")
		}
		sp.QuotaBytes = *p.QuotaBytes
	}
	var ms []Member
	if p.Members != nil {
		if ms, err = s.checkMembers(ctx, c.OrgID, *p.Members); err != nil {
			return Space{}, err
		}
	}
	sp.UpdatedAt = s.now()
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := updateSpace(ctx, s.DB, sp); err != nil {
			return err
		}
		if p.Members != nil {
			if err := setMembers(ctx, s.DB, sp.ID, c.OrgID, ms, sp.UpdatedAt); err != nil {
				return err
			}
		}
		return s.record(ctx, c.OrgID, "drive.space.update", "drive_space", sp.ID, nil)
	})
	if err != nil {
		return Space{}, err
	}
	c.manager, c.facts = nil, nil
	role, err := s.spaceRole(ctx, c, sp)
	if err != nil {
		return Space{}, err
	}
	return s.spaceOf(ctx, sp, role)
}

// DeleteSpace deletes an organization space with everything in it
// (manage_drive), the bytes after commit.
func (s *Service) DeleteSpace(ctx context.Context, id string) error {
	c, err := s.caller(ctx)
	if err != nil {
		return err
	}
	sp, _, err := s.space(ctx, c, id, RoleViewer)
	if err != nil {
		return err
	}
	if sp.Kind == KindPersonal {
		return apperr.Conflict("personal_space", "a personal space goes with its person")
	}
	if err := s.Directory.Authorize(ctx, PermManage, ""); err != nil {
		return err
	}
	var drop []string
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		var err error
		if drop, err = s.deleteSpaceRows(ctx, sp); err != nil {
			return err
		}
		return s.record(ctx, c.OrgID, "drive.space.delete", "drive_space", sp.ID, nil)
	})
	if err != nil {
		return err
	}
	s.dropBlobs(ctx, drop)
	return nil
}

// deleteSpaceRows deletes a space and its rows in ctx's transaction and
// returns the blob keys no longer referred to, to delete after commit.
func (s *Service) deleteSpaceRows(ctx context.Context, sp spaceRow) ([]string, error) {
	keys, err := spaceBlobRefs(ctx, s.DB, sp.ID)
	if err != nil {
		return nil, err
	}
	parts, err := spaceUploadParts(ctx, s.DB, sp.ID)
	if err != nil {
		return nil, err
	}
	if err := deleteSpace(ctx, s.DB, sp.OrgID, sp.ID); err != nil {
		return nil, err
	}
	drop, err := s.unref(ctx, keys)
	return append(drop, parts...), err
}
