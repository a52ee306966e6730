// Package privacy is Atrium's privacy center: download my data (export),
// the inquiry of what is held and why, erasure (of a message, a chat, profile
// fields, a membership, an account, an organization), retention policies and
// legal holds, policy versions and consents, guardian consent for minors,
// data subject requests, the record of processing, and security notices.
//
// Privacy orchestrates — the erasure ledger, jobs, legal holds, requests,
// deadlines, the audit log — and never names another domain's tables: each
// domain implements the privacy contract (platform/datamap Contract) for
// its own tables and files, usually with the table-driven engine of
// platform/datamap/sqlmap, and internal/server registers it here. A domain
// added later is exported, erased, counted and swept without code changes
// here; the completeness test (internal/server) fails when a table it
// registers in the data map is not covered by its contract.
package privacy

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// Keyring is what privacy needs of platform/keyring.
type Keyring interface {
	Seal(ctx context.Context, owner, aad string, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, owner, aad string, sealed []byte) ([]byte, error)
	Destroy(ctx context.Context, owner string) error
	Hash(purpose, value string) string
}

// Membership is one organization an account belongs (or belonged) to.
type Membership = datamap.Membership

// Directory is what privacy needs of the directory's rules. internal/server
// adapts the directory service to it.
type Directory interface {
	// Authorize checks that the caller holds perm in its current org.
	Authorize(ctx context.Context, p perm.Permission, deptID string) error
	// QuitOrg makes the caller leave their current organization.
	QuitOrg(ctx context.Context) error
	// LookupPhone finds the account with that phone number as the caller
	// may see it (people who do not let others find them are not found).
	LookupPhone(ctx context.Context, phone string) (accountID, name string, err error)
}

// Accounts is what privacy needs of identity.
type Accounts interface {
	// BirthDate returns the account's birth date, ok=false when unknown.
	BirthDate(ctx context.Context, accountID string) (time.Time, bool, error)
	// VerifyPassword re-authenticates the person for dangerous actions.
	VerifyPassword(ctx context.Context, accountID, password string) error
	// CloseAccount shuts an account whose deletion was asked for: it is
	// signed out everywhere, its app passwords go, and it signs in no
	// more while its erasure runs.
	CloseAccount(ctx context.Context, accountID string) error
}

// Mode says what erasure does with rows whose table allows both.
type Mode = datamap.Mode

// Erasure modes.
const (
	ModeDelete    = datamap.ModeDelete
	ModeAnonymize = datamap.ModeAnonymize
	ModeScrub     = datamap.ModeScrub
)

// Row is one exported row: column → value.
type Row = datamap.Row

// Section is the rows of one table about the person (in data.json).
type Section = datamap.Section

// Clock is the time source; tests use a fake one.
type Clock func() time.Time

// Service is the privacy center. It orchestrates — the erasure ledger,
// jobs, legal holds, requests and their deadlines, the audit log — and
// leaves the data to the domains: each registers its side of the privacy
// contract (datamap.Contract), and privacy never names their tables.
type Service struct {
	DB       *db.DB
	Keys     Keyring
	Dir      Directory
	Accounts Accounts
	// Orgs says who belongs to which organization (nil: no organizations).
	Orgs datamap.Organizations
	// Blobs stores the finished exports.
	Blobs blob.Store
	Jobs  *jobs.Queue
	Log   *slog.Logger
	// Now is the clock (default time.Now).
	Now Clock
	// MinAge is the age below which guardian consent is required.
	MinAge int
	// ExportTTL is how long a finished export can be downloaded (default 7 days).
	ExportTTL time.Duration
	// Mail queues emails (guardian consent links, security notices, policy
	// updates); BaseURL starts links.
	Mail    Mailer
	BaseURL string
	// People names organizations and people, and says where to write to
	// an account (notices.go); nil names nothing and mails nobody.
	People People

	gate      gateCache
	mu        sync.RWMutex
	contracts []datamap.Contract
	own       datamap.Contract
	scanned   bool
}

// Register adds a domain's side of the privacy contract. A contract that
// also erases single items (datamap.ItemEraser) or owns legal-hold targets
// (datamap.HoldTargets) is used for those too.
//
// Every contract must be registered before the job queue starts: a
// retention run, an erasure or an export that a node picks up at start-up
// (resumed, or queued while it was down) reaches only the domains
// registered by then, and would finish as if the others held nothing.
func (s *Service) Register(c datamap.Contract) {
	if s.Jobs != nil && s.Jobs.Started() {
		panic("privacy: a contract was registered after the job queue started; start the queue once every domain is wired")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.contracts = append(s.contracts, c)
}

// Contracts returns every registered contract, the privacy center's own
// (for its own tables) first.
func (s *Service) Contracts() []datamap.Contract {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.own == nil {
		s.own = s.ownContract()
	}
	return append([]datamap.Contract{s.own}, s.contracts...)
}

// itemEraser returns the contract that erases items of kind, or nil.
func (s *Service) itemEraser(kind string) datamap.ItemEraser {
	for _, c := range s.Contracts() {
		if x, ok := c.(datamap.ItemEraser); ok && slices.Contains(x.ItemKinds(), kind) {
			return x
		}
	}
	return nil
}

// holdTarget checks, through the domain that owns targets of kind, that
// id is one in the organization, and returns the account it names.
func (s *Service) holdTarget(ctx context.Context, orgID, kind, id string) (string, bool, error) {
	for _, c := range s.Contracts() {
		if x, ok := c.(datamap.HoldTargets); ok && slices.Contains(x.HoldKinds(), kind) {
			acc, err := x.HoldTarget(ctx, orgID, kind, id)
			return acc, true, err
		}
	}
	return "", false, nil
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

// caller returns the signed-in person (actor.Caller), refusing apps.
func caller(ctx context.Context) (*actor.Actor, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if a.Via == actor.ViaApp || a.Via == actor.ViaAppPassword {
		// Privacy rights are exercised by the person, not by apps.
		return nil, apperr.Forbidden("people_only", "only the person can do this, not an app")
	}
	return a, nil
}

// admin returns the caller after checking perm in their current org.
func (s *Service) admin(ctx context.Context, p perm.Permission) (*actor.Actor, error) {
	a, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if a.OrgID == "" {
		return nil, actor.ErrNoOrganization
	}
	if s.Dir == nil {
		return nil, apperr.ErrForbidden
	}
	if err := s.Dir.Authorize(ctx, p, ""); err != nil {
		return nil, err
	}
	return a, nil
}

// adminOver is admin for a route that names one object of the org's
// privacy administration (an override, a run, a hold, a request). A caller
// without the permission cannot read such objects, so the refusal is 404
// not_found for every id, like a missing object (docs/security.md,
// "Refusals reveal nothing").
func (s *Service) adminOver(ctx context.Context, p perm.Permission) (*actor.Actor, error) {
	a, err := s.admin(ctx, p)
	if err != nil && apperr.CodeOf(err) == apperr.ErrForbidden.Code {
		return nil, apperr.ErrNotFound
	}
	return a, err
}

// Permissions privacy checks through Directory.Authorize.
const (
	PermManageRetention       = perm.ManageRetention
	PermManageLegalHolds      = perm.ManageLegalHolds
	PermManagePrivacyRequests = perm.ManagePrivacyRequests
	PermSendSecurityNotices   = perm.SendSecurityNotices
)

// memberships returns the person's memberships (none without a directory).
func (s *Service) memberships(ctx context.Context, accountID string) ([]Membership, error) {
	if s.Orgs == nil {
		return nil, nil
	}
	return s.Orgs.Memberships(ctx, accountID)
}

// memberAccounts lists the active members' accounts of an org.
func (s *Service) memberAccounts(ctx context.Context, orgID string) ([]string, error) {
	if s.Orgs == nil {
		return nil, nil
	}
	return s.Orgs.ActiveMembers(ctx, orgID)
}

// person builds the subject for accountID across every organization.
func (s *Service) person(ctx context.Context, accountID string) (datamap.Subject, []Membership, error) {
	ms, err := s.memberships(ctx, accountID)
	if err != nil {
		return datamap.Subject{}, nil, err
	}
	p := datamap.Subject{AccountID: accountID, Members: map[string]string{}}
	for _, m := range ms {
		p.Members[m.OrgID] = m.MemberID
	}
	return p, ms, nil
}
