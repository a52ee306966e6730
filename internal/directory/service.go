// Package directory owns organizations and their directory: members,
// departments, roles and permissions, custom profile fields, invitations and
// join requests; a person's contacts and the privacy settings that decide
// who may find and add them and what external contacts see; and the
// first-run setup that creates the first organization.
//
// Authorize is the one permission check of every domain: other packages call
// it with a Permission and, where an action concerns a department, the
// department's id.
package directory

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/fresh"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// Built-in roles, stored on the member row.
const (
	RoleOwner  = "owner"
	RoleAdmin  = "admin"
	RoleMember = "member"
)

// Member statuses.
const (
	StatusActive      = "active"
	StatusDeactivated = "deactivated"
	StatusLeft        = "left"
)

// Account is what the directory needs to know of an account.
type Account struct {
	ID     string
	Name   string
	Email  string
	Phone  string
	Status string
}

// NewAccount is an account the directory asks identity to create (first-run
// setup creates the owner's account).
type NewAccount struct {
	Email    string
	Password string
	Name     string
}

// Accounts is the part of identity the directory uses. internal/server
// adapts the identity service to it.
type Accounts interface {
	// CreateAccount creates an active account (no email verification).
	CreateAccount(ctx context.Context, n NewAccount) (Account, error)
	AccountByEmail(ctx context.Context, email string) (Account, error)
	AccountByPhone(ctx context.Context, phone string) (Account, error)
	GetAccount(ctx context.Context, id string) (Account, error)
	// VerifyPassword checks the password again for dangerous operations.
	VerifyPassword(ctx context.Context, accountID, password string) error
	// SetSessionOrg changes the current organization of a session.
	SetSessionOrg(ctx context.Context, sessionID, orgID string) error
	// EndOrgSessions ends the account's sessions whose current
	// organization is orgID.
	EndOrgSessions(ctx context.Context, accountID, orgID string) error
}

// Keyring seals sensitive fields with the organization's key and makes
// keyed hashes for lookups (platform/keyring).
type Keyring interface {
	Seal(ctx context.Context, owner, aad string, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, owner, aad string, sealed []byte) ([]byte, error)
	Hash(purpose, value string) string
}

// Mailer queues an email in ctx's transaction (platform/outbox).
type Mailer func(ctx context.Context, to, subject, body string) error

// GroupChecker tells whether two accounts share a group conversation, so
// that a contact request "via a group chat" can be verified. The chat
// domain implements it; without one such requests are refused.
type GroupChecker interface {
	ShareGroup(ctx context.Context, conversationID, a, b string) bool
}

// Config holds the Service's dependencies.
type Config struct {
	DB       *db.DB
	Keyring  Keyring
	Accounts Accounts
	Mail     Mailer
	Log      *slog.Logger
	// BaseURL is the public URL that invitation links start with.
	BaseURL string
	// Blobs keeps the bytes of profile photos, encrypted under each
	// person's key (blob.Envelope); without it photos cannot be set.
	Blobs blob.Store
}

// Service is the directory. Its methods take the caller from
// actor.From(ctx) and check the caller's rights themselves.
type Service struct {
	db       *db.DB
	st       store
	keys     Keyring
	accounts Accounts
	mail     Mailer
	log      *slog.Logger
	baseURL  string
	blobs    blob.Store
	now      func() time.Time

	sessions SessionStarter

	// resolved remembers ResolveMember's answers on this node
	// (platform/fresh).
	resolved *fresh.Cache[memberKey, string]

	mu      sync.RWMutex
	left    []func(ctx context.Context, orgID, accountID string) error
	groups  GroupChecker
	company CompanyGroups
}

// New returns the directory service.
func New(c Config) *Service {
	if c.Log == nil {
		c.Log = slog.Default()
	}
	return &Service{
		db: c.DB, st: store{d: c.DB, names: newSealedNames(c.Keyring, c.Log)}, keys: c.Keyring, accounts: c.Accounts, mail: c.Mail,
		log: c.Log, baseURL: c.BaseURL, blobs: c.Blobs, now: time.Now,
		resolved: fresh.NewCache[memberKey, string](fresh.Members, 100000),
	}
}

// OnMemberLeft registers fn to run, in the same transaction, whenever a
// member leaves an organization: deactivated, removed or quit. An error from
// fn aborts the change.
func (s *Service) OnMemberLeft(fn func(ctx context.Context, orgID, accountID string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.left = append(s.left, fn)
}

// CompanyGroups adds people to an organization's company-wide group (chat
// implements it): JoinCompanyGroup adds accountID to groupID, or makes the
// group named name when there is none, in ctx's transaction, and returns
// its id.
type CompanyGroups interface {
	JoinCompanyGroup(ctx context.Context, orgID, groupID, name, accountID string) (string, error)
	FillCompanyGroup(ctx context.Context, orgID, groupID, name, ownerID string, accountIDs []string) (string, error)
}

// SetCompanyGroups sets what keeps the company-wide groups.
func (s *Service) SetCompanyGroups(g CompanyGroups) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.company = g
}

// joinCompanyGroup adds a member who just joined orgID to its company-wide
// group when the organization's setting is on.
func (s *Service) joinCompanyGroup(ctx context.Context, orgID, accountID string) error {
	s.mu.RLock()
	g := s.company
	s.mu.RUnlock()
	if g == nil {
		return nil
	}
	o, err := s.st.getOrg(ctx, orgID)
	if err != nil || !o.Settings.CompanyGroup {
		return err
	}
	id, err := g.JoinCompanyGroup(ctx, orgID, o.companyGroupID, o.Name, accountID)
	if err != nil || id == o.companyGroupID {
		return err
	}
	return s.st.setCompanyGroupID(ctx, orgID, id)
}

// fillCompanyGroup puts every active member of o in its company-wide group,
// making the group (owned by the organization's owner) when it has none:
// an organization made before the setting existed gets its group when an
// admin turns the setting on, and those who joined while it was off are
// added when it is turned on again. Turning the setting off leaves the
// group as it is (people can leave it, its owner can dissolve it).
func (s *Service) fillCompanyGroup(ctx context.Context, o *Org) error {
	s.mu.RLock()
	g := s.company
	s.mu.RUnlock()
	if g == nil {
		return nil
	}
	accs, err := s.st.activeAccountIDs(ctx, o.ID)
	if err != nil {
		return err
	}
	id, err := g.FillCompanyGroup(ctx, o.ID, o.companyGroupID, o.Name, o.OwnerAccountID, accs)
	if err != nil || id == o.companyGroupID {
		return err
	}
	o.companyGroupID = id
	return s.st.setCompanyGroupID(ctx, o.ID, id)
}

// SetGroupChecker sets what verifies contact requests made via a group chat.
func (s *Service) SetGroupChecker(g GroupChecker) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups = g
}

func (s *Service) memberLeft(ctx context.Context, orgID, accountID string) error {
	// The privacy center finds departures here (Privacy.Departures) and
	// erases the person's data in the org under its policy.
	if err := s.st.recordDeparture(ctx, ids.New("dep"), orgID, accountID, s.nowMS()); err != nil {
		return err
	}
	s.mu.RLock()
	hooks := slices.Clone(s.left)
	s.mu.RUnlock()
	for _, fn := range hooks {
		if err := fn(ctx, orgID, accountID); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) nowMS() int64 { return s.now().UnixMilli() }

// ---- the permission check ---------------------------------------------------

// grants says where the caller holds a permission: everywhere, or in the
// subtrees of some departments.
type grants struct {
	all    bool
	scopes []string
}

func (s *Service) grantsOf(ctx context.Context, a *actor.Actor, p perm.Permission) (grants, error) {
	role, err := s.st.activeRole(ctx, a.OrgID, a.MemberID)
	if err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return grants{}, nil
		}
		return grants{}, err
	}
	if role == RoleOwner || role == RoleAdmin {
		return grants{all: true}, nil
	}
	rs, err := s.st.memberRoleGrants(ctx, a.MemberID)
	if err != nil {
		return grants{}, err
	}
	var g grants
	for _, r := range rs {
		if !slices.Contains(r.Permissions, p) {
			continue
		}
		if r.DepartmentID == "" {
			return grants{all: true}, nil
		}
		g.scopes = append(g.scopes, r.DepartmentID)
	}
	return g, nil
}

// covers reports whether g covers department dept ("" = the whole org).
func (s *Service) covers(ctx context.Context, orgID string, g grants, dept string) (bool, error) {
	if g.all {
		return true, nil
	}
	if dept == "" {
		return false, nil
	}
	for _, scope := range g.scopes {
		ok, err := s.st.deptWithin(ctx, orgID, scope, dept)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// Authorize is the permission check of every domain: nil when the caller
// holds perm in its current organization — for the department subtree that
// contains deptID when deptID is given, or organization-wide when it is "".
// Otherwise apperr.ErrForbidden.
func (s *Service) Authorize(ctx context.Context, p perm.Permission, deptID string) error {
	a, err := actor.Member(ctx)
	if err != nil {
		return err
	}
	if !p.Valid() {
		return apperr.Internalf("directory: unknown permission %q", p)
	}
	g, err := s.grantsOf(ctx, a, p)
	if err != nil {
		return err
	}
	ok, err := s.covers(ctx, a.OrgID, g, deptID)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.ErrForbidden
	}
	return nil
}

// can is Authorize as a boolean, for deciding what to show.
func (s *Service) can(ctx context.Context, p perm.Permission, deptID string) (bool, error) {
	err := s.Authorize(ctx, p, deptID)
	if err == nil {
		return true, nil
	}
	if apperr.KindOf(err) == apperr.KindForbidden {
		return false, nil
	}
	return false, err
}

// ---- refusals that reveal nothing ---------------------------------------------
//
// The rule (docs/security.md, "Refusals reveal nothing"): the answer to a
// caller who may not act on an object is the same for a real id, another
// organization's id and a made-up one. Objects every member can read
// (members, departments, roles, fields) refuse with 403 forbidden — checked
// before the lookup when the caller holds the permission nowhere, so the 403
// says nothing about the id. Objects a caller without the permission cannot
// read (invitations, join requests) answer 404 not_found, exactly like a
// missing object. Only where the right depends on the object itself (a
// department-limited grant) is the object looked up first, and then 403 is
// given only for an object the caller can read.

// holdsAnywhere reports whether the caller holds perm organization-wide or
// for some department.
func (s *Service) holdsAnywhere(ctx context.Context, p perm.Permission) (bool, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return false, err
	}
	g, err := s.grantsOf(ctx, a, p)
	return g.all || len(g.scopes) > 0, err
}

// gate is the first check of a route that changes an object every member
// can read: a caller who holds perm nowhere gets 403 before any lookup.
func (s *Service) gate(ctx context.Context, p perm.Permission) error {
	ok, err := s.holdsAnywhere(ctx, p)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.ErrForbidden
	}
	return nil
}

// hidden turns a refusal into not found, for objects the caller could not
// read without the permission they lack.
func hidden(err error) error {
	if apperr.KindOf(err) == apperr.KindForbidden && apperr.CodeOf(err) == apperr.ErrForbidden.Code {
		return apperr.ErrNotFound
	}
	return err
}

func (s *Service) canMember(ctx context.Context, p perm.Permission, memberID string) (bool, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return false, err
	}
	g, err := s.grantsOf(ctx, a, p)
	if err != nil || g.all {
		return g.all, err
	}
	if len(g.scopes) == 0 {
		return false, nil
	}
	depts, err := s.st.memberDepartmentIDs(ctx, memberID)
	if err != nil {
		return false, err
	}
	for _, d := range depts {
		ok, err := s.covers(ctx, a.OrgID, g, d)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// MyPermissions returns the permissions the caller holds organization-wide
// and the department-limited ones.
func (s *Service) MyPermissions(ctx context.Context) (MyPermissions, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return MyPermissions{}, err
	}
	out := MyPermissions{Role: RoleMember, Permissions: []perm.Permission{}, Scoped: []ScopedPermission{}}
	role, err := s.st.activeRole(ctx, a.OrgID, a.MemberID)
	if err != nil {
		return out, err
	}
	out.Role = role
	for _, p := range perm.All {
		g, err := s.grantsOf(ctx, a, p)
		if err != nil {
			return out, err
		}
		if g.all {
			out.Permissions = append(out.Permissions, p)
			continue
		}
		for _, d := range g.scopes {
			out.Scoped = append(out.Scoped, ScopedPermission{Permission: p, DepartmentID: d})
		}
	}
	return out, nil
}

// MyPermissions is the caller's effective permissions.
type MyPermissions struct {
	Role        string             `json:"role"`
	Permissions []perm.Permission  `json:"permissions"`
	Scoped      []ScopedPermission `json:"scoped"`
}

// ScopedPermission is a permission held for one department subtree.
type ScopedPermission struct {
	Permission   perm.Permission `json:"permission"`
	DepartmentID string          `json:"department_id"`
}

// ---- exported for other domains -------------------------------------------

// ResolveMember returns the member id of an account that is an active member
// of an active organization, or an error (deactivated, removed, quit, or
// disbanded). It implements server.MemberResolver.
//
// Active memberships are remembered per node until any membership's
// status or role, or any organization's status, changes anywhere
// (platform/fresh); refusals are always read again.
func (s *Service) ResolveMember(ctx context.Context, accountID, orgID string) (string, error) {
	gens, cacheable := fresh.From(ctx, s.db)
	k := memberKey{accountID, orgID}
	if cacheable {
		if id, ok := s.resolved.Get(gens, k); ok {
			return id, nil
		}
	}
	id, err := s.st.activeMemberID(ctx, orgID, accountID)
	if errors.Is(err, db.ErrNotFound) {
		return "", apperr.ErrNotFound
	}
	if err == nil && cacheable {
		s.resolved.Put(gens, k, id)
	}
	return id, err
}

type memberKey struct{ accountID, orgID string }

// IsActiveMember reports whether accountID is an active member of orgID.
func (s *Service) IsActiveMember(ctx context.Context, orgID, accountID string) bool {
	_, err := s.st.activeMemberID(ctx, orgID, accountID)
	return err == nil
}

// AreContacts reports whether a and b are contacts of each other.
func (s *Service) AreContacts(ctx context.Context, a, b string) bool {
	ok, err := s.st.areContacts(ctx, a, b)
	return err == nil && ok
}

// MemberDisplay returns the name accountID shows in orgID (their member
// display name), or an error when they are not a member there.
func (s *Service) MemberDisplay(ctx context.Context, orgID, accountID string) (string, error) {
	r, err := s.getMemberByAccount(ctx, orgID, accountID)
	if errors.Is(err, db.ErrNotFound) {
		return "", apperr.ErrNotFound
	}
	return r.DisplayName, err
}

// OrgName returns the name of a live organization ("" for none).
func (s *Service) OrgName(ctx context.Context, orgID string) string {
	o, err := s.st.getOrg(ctx, orgID)
	if err != nil {
		return ""
	}
	return o.Name
}

// ---- events and audit -------------------------------------------------------

// orgEvent appends an event for every member of the organization.
func (s *Service) orgEvent(ctx context.Context, orgID, typ string, data any) error {
	_, err := events.Append(ctx, s.db, orgID, events.ScopeOrg, orgID, typ, data)
	return err
}

// accountEvent appends an event for every session of one account.
func (s *Service) accountEvent(ctx context.Context, accountID, typ string, data any) error {
	_, err := events.Append(ctx, s.db, "", events.ScopeAccount, accountID, typ, data)
	return err
}

// audit records an action in the audit log in ctx's transaction.
func (s *Service) audit(ctx context.Context, orgID, action, kind, id string, details map[string]any) error {
	return audit.Record(ctx, s.db, audit.Entry{OrgID: orgID, Action: action, TargetKind: kind, TargetID: id, Details: details})
}

// auditDenied records a refused action. Call it outside the transaction of
// the refused change (see tx), so that the record survives the rollback.
func (s *Service) auditDenied(ctx context.Context, orgID, action, kind, id, reason string) {
	ctx = context.WithoutCancel(ctx)
	if err := audit.Record(ctx, s.db, audit.Entry{OrgID: orgID, Action: action, TargetKind: kind, TargetID: id, Outcome: audit.Denied, Details: map[string]any{"reason": reason}}); err != nil {
		s.log.ErrorContext(ctx, "audit a denied action", "action", action, "err", err)
	}
}

// denial is a refusal found inside a transaction that must be audited once
// the transaction has rolled back.
type denial struct {
	orgID, action, kind, id, reason string
	err                             error
}

func (d *denial) Error() string { return d.err.Error() }
func (d *denial) Unwrap() error { return d.err }

func deny(orgID, action, kind, id, reason string, err error) error {
	return &denial{orgID: orgID, action: action, kind: kind, id: id, reason: reason, err: err}
}

// tx runs fn in a transaction; a denial it returns is recorded in the audit
// log after the rollback and answered with its inner error.
func (s *Service) tx(ctx context.Context, fn func(ctx context.Context) error) error {
	err := s.db.Tx(ctx, fn)
	var d *denial
	if errors.As(err, &d) {
		s.auditDenied(ctx, d.orgID, d.action, d.kind, d.id, d.reason)
		return d.err
	}
	return err
}

// MemberEmail returns the email address a member of orgID shows there
// ("" for none), for calendar invitations in iCalendar form.
func (s *Service) MemberEmail(ctx context.Context, orgID, accountID string) string {
	r, err := s.getMemberByAccount(ctx, orgID, accountID)
	if err != nil {
		return ""
	}
	return r.Email
}

// ActiveMemberByEmail returns the id of the active member of orgID whose
// account has email, or else whose work email there it is ("" when there
// is none): an imported or scheduled invitation's attendee found among the
// organization's members.
func (s *Service) ActiveMemberByEmail(ctx context.Context, orgID, email string) string {
	email = strings.ToLower(strings.TrimSpace(email))
	id, err := s.activeMemberID(ctx, orgID, email)
	if err != nil || id != "" {
		return id
	}
	id, err = s.st.activeMemberByWorkEmail(ctx, orgID, email)
	if err != nil {
		return ""
	}
	return id
}
