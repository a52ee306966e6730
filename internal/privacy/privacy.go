// Package privacy is Atrium's privacy center: download my data (export),
// the inquiry of what is held and why, erasure (of a message, a chat, profile
// fields, a membership, an account, an organization), retention policies and
// legal holds, policy versions and consents, guardian consent for minors,
// data subject requests, the record of processing, and security notices.
//
// Everything that walks personal data is computed from the data map
// (platform/datamap): a table registered there later is exported, erased,
// counted and listed without code changes here. Where a table needs more
// than the generic treatment — a message anonymized under a tombstone
// author, files in the blob store, a search index — its domain registers a
// hook (Eraser, Exporter, TableRule), wired in internal/server.
package privacy

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
)

// Keyring is what privacy needs of platform/keyring.
type Keyring interface {
	Seal(ctx context.Context, owner, aad string, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, owner, aad string, sealed []byte) ([]byte, error)
	Destroy(ctx context.Context, owner string) error
	Hash(purpose, value string) string
}

// Membership is one organization an account belongs (or belonged) to.
type Membership struct {
	OrgID    string
	MemberID string
	Status   string // "active", "deactivated", "left"
	Owner    bool
}

// Directory is what privacy needs of the directory's rules. internal/server
// adapts the directory service to it.
type Directory interface {
	// Authorize checks that the caller holds perm in its current org.
	Authorize(ctx context.Context, perm string, deptID string) error
	// QuitOrg makes the caller leave their current organization.
	QuitOrg(ctx context.Context) error
	// LookupPhone finds the account with that phone number as the caller
	// may see it (people who do not let others find them are not found).
	LookupPhone(ctx context.Context, phone string) (accountID, name string, err error)
}

// MemberTable describes, declaratively, where the directory keeps
// memberships and organizations, so that privacy can list a person's
// memberships and an org's members with generic SQL.
type MemberTable struct {
	Table         string // "members"
	IDColumn      string // "id"
	AccountColumn string // "account_id"
	OrgColumn     string // "org_id"
	StatusColumn  string // "status"; ActiveStatus marks active members
	ActiveStatus  string
	RoleColumn    string // "role"; OwnerRole marks owners
	OwnerRole     string
	// OrgTable lists organizations; OrgDisbandedColumn is a nullable
	// timestamp set when an org is disbanded.
	OrgTable           string
	OrgIDColumn        string
	OrgDisbandedColumn string
}

// Accounts is what privacy needs of identity.
type Accounts interface {
	// BirthDate returns the account's birth date, ok=false when unknown.
	BirthDate(ctx context.Context, accountID string) (time.Time, bool, error)
	// VerifyPassword re-authenticates the person for dangerous actions.
	VerifyPassword(ctx context.Context, accountID, password string) error
	// EndSessions signs the account out everywhere.
	EndSessions(ctx context.Context, accountID string) error
}

// Person names the subject of an export or erasure: the account and, within
// one organization, the member.
type Person struct {
	AccountID string
	// OrgID and MemberID are set when the operation concerns one
	// organization only (quitting it); empty for the whole account.
	OrgID    string
	MemberID string
	// Members are all the person's member ids, by org id.
	Members map[string]string
}

// Mode says what erasure does with rows whose table allows both.
type Mode string

// Erasure modes.
const (
	ModeDelete    Mode = "delete"
	ModeAnonymize Mode = "anonymize"
	// ModeScrub is the person's own erasure of shared rows: the person is
	// replaced by a tombstone and every personal column, content included,
	// is cleared (their messages in a direct chat become empty tombstones).
	ModeScrub Mode = "scrub"
)

// Eraser is a domain's own erasure step for a person, run before the generic
// pass over the data map. Tables lists the tables it handles completely; the
// generic pass skips them. Tombstone is the id that replaces the person as
// author where rows are anonymized.
type Eraser interface {
	Tables() []string
	ErasePerson(ctx context.Context, p Person, mode Mode, tombstone string) error
}

// OrgEraser deletes every company row of an organization that the generic
// pass cannot (e.g. a search index); run when a disbanded org is purged.
type OrgEraser interface {
	EraseOrg(ctx context.Context, orgID string) error
}

// Exporter adds what the generic export cannot compute: other people's
// messages in the person's conversations (when the org allows), files.
type Exporter interface {
	ExportPerson(ctx context.Context, p Person, o ExportOptions, w ExportWriter) error
}

// ExportOptions say what an organization lets the person take.
type ExportOptions struct {
	OrgID                string
	IncludeOthersMessage bool
}

// ExportWriter receives what exporters add.
type ExportWriter interface {
	AddSection(s Section)
	AddFile(ctx context.Context, f FileRef) error
}

// Clock is the time source; tests use a fake one.
type Clock func() time.Time

// Service is the privacy center.
type Service struct {
	DB       *db.DB
	Keys     Keyring
	Dir      Directory
	Accounts Accounts
	// Members says where memberships are kept (nil: no organizations).
	Members *MemberTable
	Blobs   blob.Store
	Jobs    *jobs.Queue
	Log     *slog.Logger
	// Now is the clock (default time.Now).
	Now Clock
	// MinAge is the age below which guardian consent is required.
	MinAge int
	// ExportTTL is how long a finished export can be downloaded (default 7 days).
	ExportTTL time.Duration
	// Messages does chat's erasure mechanics (delete one message, clear a
	// conversation); nil answers 503 for those actions.
	Messages MessageActions
	// Fields corrects or deletes profile fields (directory mechanics).
	Fields FieldActions
	// Mail queues emails (guardian consent links, security notices, policy
	// updates); BaseURL starts links.
	Mail    Mailer
	BaseURL string
	// People names organizations and people, and says where to write to
	// an account (notices.go); nil names nothing and mails nobody.
	People People

	gate      gateCache
	mu        sync.RWMutex
	erasList  []Eraser
	orgErase  []OrgEraser
	exporters []Exporter
	rules     map[string]TableRule
	cols      map[string][]string
	colInfo   map[string][]colInfo
	fks       map[string][]string
}

// MessageActions is chat's side of single-message and chat-history erasure.
type MessageActions interface {
	// DeleteMessage deletes a message for everyone (the sender within the
	// org's window, or a group admin), or for the caller only.
	DeleteMessage(ctx context.Context, conversationID, messageID string, forEveryone bool) (orgID string, err error)
	// ClearConversation clears the caller's history of a conversation (for
	// everyone where the caller may).
	ClearConversation(ctx context.Context, conversationID string, forEveryone bool) (orgID string, err error)
	// ReplayClear and ReplayHide apply a clear of one's history (up to the
	// messages sent by at, Unix ms) and a delete-for-me again after a
	// restore, without an actor.
	ReplayClear(ctx context.Context, conversationID, accountID string, at int64) error
	ReplayHide(ctx context.Context, messageID, accountID string) error
}

// FieldActions is the directory's side of correcting profile fields: it
// enforces the org's locks (a locked field answers 403 field_locked).
type FieldActions interface {
	// UpdateMyProfile sets (value) or clears (nil) the caller's own fields
	// in their current org.
	UpdateMyProfile(ctx context.Context, fields map[string]*string) error
	// ReplayDeleteFields deletes the person's named fields in an org again
	// after a restore, without an actor and whatever the locks.
	ReplayDeleteFields(ctx context.Context, orgID, accountID string, names []string) error
}

// TableRule tells privacy what it cannot read from the data map about one
// table.
type TableRule struct {
	Table string
	// BlobColumn holds a blob-store key: export adds the file, erasure and
	// retention delete the body with the row. NameColumn and TypeColumn
	// describe the file.
	BlobColumn string
	NameColumn string
	TypeColumn string
	// TimeColumn is what retention compares (default "created_at").
	TimeColumn string
	// ConversationColumn links rows to a conversation for per-conversation
	// retention overrides and holds (default "conversation_id" when present).
	ConversationColumn string
	// ClassBy computes the retention class of each row from a joined table
	// (e.g. messages: "messages." + conversations.kind).
	ClassBy *ClassJoin
	// ExtraBlobColumns are further blob-key columns (thumbnails).
	ExtraBlobColumns []string
	// Index names a derived full-text index keyed by one of the table's
	// columns: its entries are purged with the rows.
	Index *IndexRef
	// OrgColumn names the column holding the organization (default
	// "org_id"; "id" for the organizations table itself).
	OrgColumn string
	// OrgExpr is an SQL expression giving a row's organization for tables
	// without an org_id column, e.g. messages:
	// "(SELECT org_id FROM conversations c WHERE c.id = messages.conversation_id)".
	OrgExpr string
	// Shared marks container rows other people's rows hang off (a
	// conversation): erasure replaces the person in them and never deletes
	// the row.
	Shared bool
	// Holds names what one row of the table is, for re-applying single-item
	// erasures after a restore ("message"): the row's content is cleared
	// and DeletedAtColumn, when set, marks it deleted.
	Holds           string
	DeletedAtColumn string
	// Skip leaves the table to its own mechanism (data keys: only
	// keyring.Destroy, which honours legal holds, removes them).
	Skip bool
	// SealedAAD gives, per sealed column, the associated-data prefix its
	// domain seals with (the row id follows), when it is not the keyring's
	// "table.column:" convention (e.g. messages.location: "chat.location:").
	SealedAAD map[string]string
	// Open decrypts the sealed columns of an exported row in place.
	Open func(ctx context.Context, row Row) error
}

// IndexRef names a derived index table whose rowid is RowIDColumn of the
// indexed table.
type IndexRef struct {
	Table       string
	RowIDColumn string
}

// ClassJoin computes a row's retention class as Prefix + Table.KindColumn
// of the row joined on Column = Table.Key. OrgColumn, when set, scopes the
// joined table to the organization (for tables without their own org_id).
type ClassJoin struct {
	Column     string
	Table      string
	Key        string
	KindColumn string
	Prefix     string
	OrgColumn  string
}

// Row is one exported row: column → value.
type Row map[string]any

// Register adds a domain's erasure step.
func (s *Service) Register(e Eraser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.erasList = append(s.erasList, e)
}

// RegisterOrgEraser adds a domain's step for purging a disbanded org.
func (s *Service) RegisterOrgEraser(e OrgEraser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgErase = append(s.orgErase, e)
}

// RegisterExporter adds a domain's export step.
func (s *Service) RegisterExporter(e Exporter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exporters = append(s.exporters, e)
}

// AddRule sets the rule of a table.
func (s *Service) AddRule(r TableRule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rules == nil {
		s.rules = map[string]TableRule{}
	}
	s.rules[r.Table] = r
}

func (s *Service) rule(table string) TableRule {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.rules[table]
	if !ok {
		r = TableRule{Table: table}
	}
	return r
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) nowMS() int64 { return s.now().UnixMilli() }

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// caller returns the signed-in person.
func caller(ctx context.Context) (*actor.Actor, error) {
	a := actor.From(ctx)
	if a == nil || a.AccountID == "" {
		return nil, apperr.ErrUnauthenticated
	}
	if a.Via == actor.ViaApp {
		// Privacy rights are exercised by the person, not by apps.
		return nil, apperr.Forbidden("people_only", "only the person can do this, not an app")
	}
	return a, nil
}

// admin returns the caller after checking perm in their current org.
func (s *Service) admin(ctx context.Context, perm string) (*actor.Actor, error) {
	a, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if a.OrgID == "" {
		return nil, apperr.New(apperr.KindForbidden, "no_organization", "join or switch to an organization first")
	}
	if s.Dir == nil {
		return nil, apperr.ErrForbidden
	}
	if err := s.Dir.Authorize(ctx, perm, ""); err != nil {
		return nil, err
	}
	return a, nil
}

// Permissions privacy checks through Directory.Authorize.
const (
	PermManageRetention       = "manage_retention"
	PermManageLegalHolds      = "manage_legal_holds"
	PermManagePrivacyRequests = "manage_privacy_requests"
	PermSendSecurityNotices   = "send_security_notices"
)

// memberships returns the person's memberships (none without a directory).
func (s *Service) memberships(ctx context.Context, accountID string) ([]Membership, error) {
	if s.Members == nil {
		return nil, nil
	}
	return memberships(ctx, s.DB, s.Members, accountID)
}

// memberAccounts lists the active members' accounts of an org.
func (s *Service) memberAccounts(ctx context.Context, orgID string) ([]string, error) {
	if s.Members == nil {
		return nil, nil
	}
	return memberAccounts(ctx, s.DB, s.Members, orgID)
}

// person builds the Person for accountID across every organization.
func (s *Service) person(ctx context.Context, accountID string) (Person, []Membership, error) {
	ms, err := s.memberships(ctx, accountID)
	if err != nil {
		return Person{}, nil, err
	}
	p := Person{AccountID: accountID, Members: map[string]string{}}
	for _, m := range ms {
		p.Members[m.OrgID] = m.MemberID
	}
	return p, ms, nil
}
