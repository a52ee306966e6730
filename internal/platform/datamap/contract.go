package datamap

import (
	"context"
	"errors"
	"io"
	"sort"
)

// The privacy contract: what every domain implements, for its own tables
// and files, so that the privacy center can export, erase, sweep and count a
// person's data without knowing where any of it lives. The privacy center
// orchestrates (the erasure ledger, jobs, legal holds, requests, deadlines,
// the audit log); a Contract does the work on the domain's own storage.
//
// A domain whose tables are described completely by its data-map entries
// builds its Contract from the table-driven engine in datamap/sqlmap and
// adds only what the map cannot say (files, derived indexes, how rows find
// their organization). docs/privacy.md shows a new domain's contract.

// Subject is the person an operation concerns.
type Subject struct {
	AccountID string
	// Members are the person's member ids, by organization id (every
	// organization they belong or belonged to).
	Members map[string]string
}

// IDs returns every id naming the person: the account, then each member id
// in organization order.
func (s Subject) IDs() []string {
	out := []string{s.AccountID}
	orgs := make([]string, 0, len(s.Members))
	for o := range s.Members {
		orgs = append(orgs, o)
	}
	sort.Strings(orgs)
	for _, o := range orgs {
		if m := s.Members[o]; m != "" {
			out = append(out, m)
		}
	}
	return out
}

// Scope says which of the person's data an erasure reaches.
type Scope string

// Erasure scopes.
const (
	// ScopeAccount is the whole account: every personal row, and company
	// rows that belong to no organization (direct chats, personal files).
	ScopeAccount Scope = "account"
	// ScopeMembership is the person's company data in one organization
	// (EraseRequest.OrgID and MemberID), after they left it.
	ScopeMembership Scope = "membership"
	// ScopeOrganization is everything of a disbanded organization.
	ScopeOrganization Scope = "organization"
)

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

// EraseRequest is one erasure, run in the caller's transaction.
type EraseRequest struct {
	Scope   Scope
	Subject Subject
	// OrgID is the organization of a membership or organization erasure.
	OrgID string
	// MemberID is the person's member id in OrgID (membership scope).
	MemberID string
	// Mode is what the organization's policy says (membership scope); an
	// account erasure scrubs, an organization erasure deletes.
	Mode Mode
	// Tombstone replaces the person as author where rows stay.
	Tombstone string
	// HeldOrgs (account scope) are the organizations where a legal hold
	// is on the person: rows of those organizations stay, personal ones
	// included (a personal space, a personal calendar, raw locations),
	// until the hold is released and the erasure runs again.
	HeldOrgs []string
	// OnlyIfGone makes a membership erasure after a departure refuse, with
	// ErrMemberActive and nothing changed, when the person is an active
	// member of OrgID again (reactivated or re-joined since it was
	// scheduled). The domain that owns memberships checks it under a lock
	// in the erasure's transaction, so that a reactivation racing the
	// erasure is never anonymized. Replays after a restore leave it false.
	OnlyIfGone bool
}

// ErrMemberActive is what an erasure with OnlyIfGone answers when the
// person is an active member again: the erasure is no longer due.
var ErrMemberActive = errors.New("datamap: the person is an active member again")

// Erased is what an erasure did.
type Erased struct {
	Deleted    map[string]int64
	Anonymized map[string]int64
	// After runs once the transaction has committed: file bodies are
	// deleted only when the rows naming them are gone for good.
	After []func(ctx context.Context) error
}

// Merge adds o to e.
func (e *Erased) Merge(o Erased) {
	if e.Deleted == nil {
		e.Deleted = map[string]int64{}
	}
	if e.Anonymized == nil {
		e.Anonymized = map[string]int64{}
	}
	for k, v := range o.Deleted {
		e.Deleted[k] += v
	}
	for k, v := range o.Anonymized {
		e.Anonymized[k] += v
	}
	e.After = append(e.After, o.After...)
}

// OrgExport says what one organization lets the person take.
type OrgExport struct {
	OrgID    string
	MemberID string
	// OthersMessages includes other people's content the person could
	// already see in the organization's shared spaces.
	OthersMessages bool
}

// ExportRequest asks a domain for everything it holds about a person.
type ExportRequest struct {
	Subject Subject
	Orgs    []OrgExport
}

// Row is one exported row: column → value (sealed values opened).
type Row map[string]any

// Section is the rows of one table about the person, in one organization.
type Section struct {
	Table      string   `json:"table"`
	Controller string   `json:"controller"`
	OrgID      string   `json:"org_id,omitempty"`
	Purpose    string   `json:"purpose"`
	Categories []string `json:"categories"`
	Retention  string   `json:"retention,omitempty"`
	Note       string   `json:"note,omitempty"`
	Rows       []Row    `json:"rows"`
}

// File is a stored file to put in the export. Open reads its bytes from
// the domain's own file store.
type File struct {
	Table       string
	RowID       string
	OrgID       string
	Name        string
	ContentType string
	Open        func(ctx context.Context) (io.ReadCloser, error)
}

// ExportWriter receives a domain's sections and files.
type ExportWriter interface {
	AddSection(s Section)
	AddFile(f File)
}

// Held is how many rows of one table, in one organization ("" for none),
// are about the person.
type Held struct {
	Table string
	OrgID string
	Count int64
}

// Target is a table that holds rows of retention classes.
type Target struct {
	Table   string
	Classes []string
	// PerConversation: the rows belong to conversations, so that
	// per-conversation overrides and holds apply.
	PerConversation bool
}

// SweepRequest deletes (or, DryRun, counts) the rows of one table of one
// retention class older than Cutoff, honouring legal holds.
type SweepRequest struct {
	Table string
	Class string
	// OrgID is the organization whose policy applies ("" for data that
	// belongs to no organization).
	OrgID  string
	Cutoff int64 // unix ms
	// Only restricts to one conversation (an override); Except leaves out
	// conversations with their own period or under a hold.
	Only   string
	Except []string
	// Held are subject ids under a legal hold: their rows stay.
	Held []string
	// Limit deletes at most that many rows (a batch); 0 means no limit.
	Limit  int
	DryRun bool
}

// Contract is what a domain implements for its own tables and files.
type Contract interface {
	// Tables names the data-map tables the domain owns.
	Tables() []string
	// Coverage says, per owned table, which personal columns and file
	// kinds the contract exports and erases (CheckCoverage holds it to
	// the data map).
	Coverage() []Coverage
	// Export adds every row and file about the person.
	Export(ctx context.Context, r ExportRequest, w ExportWriter) error
	// Erase erases the person's rows in the request's scope.
	Erase(ctx context.Context, r EraseRequest) (Erased, error)
	// Count counts what is held about the person, per table and org.
	Count(ctx context.Context, s Subject) ([]Held, error)
	// Targets lists the tables retention sweeps, with their classes.
	Targets(ctx context.Context) ([]Target, error)
	// Sweep applies retention to one table and class.
	Sweep(ctx context.Context, r SweepRequest) (int64, error)
}

// Item is one single-item erasure: a message, a conversation's history,
// profile fields.
type Item struct {
	Kind string // "message", "conversation", "profile"
	// Container holds ID (the conversation of a message); "" when none.
	Container string
	ID        string
	// ForEveryone: delete for everyone where the domain allows it, not
	// only for the caller.
	ForEveryone bool
	// Fields corrects (a value) or deletes (nil) profile fields.
	Fields map[string]*string
}

// HoldChecker answers whether a target is under a legal hold.
type HoldChecker func(ctx context.Context, kind, id string) (bool, error)

// ItemResult is what an item erasure did.
type ItemResult struct {
	OrgID string
	// Mode as recorded in the ledger ("for_me", "for_everyone", "delete",
	// "correct").
	Mode string
	// TargetID is what the ledger records ("" for nothing to replay).
	TargetID string
}

// ItemEraser is implemented by domains whose single items a person may
// erase. EraseItem acts as the caller in ctx, in ctx's transaction: it
// checks that the caller may see the item first, then asks held before
// erasing content for everyone. ReplayItem applies a recorded erasure
// again after a restore, without an actor.
type ItemEraser interface {
	ItemKinds() []string
	EraseItem(ctx context.Context, it Item, held HoldChecker) (ItemResult, error)
	ReplayItem(ctx context.Context, kind, mode, accountID, orgID, targetID string, at int64) error
}

// Resealer is implemented by domains that seal an organization's records
// with the writer's own key (chat: messages and files in work groups).
// Before a person's key is destroyed, privacy asks it to re-seal under the
// organization's key what an organization whose leaver policy anonymizes
// keeps, so that shredding the person's key does not shred the company's
// records. It returns how many values it re-sealed; run again, none.
type Resealer interface {
	Reseal(ctx context.Context, orgID, accountID string) (int, error)
}

// HoldTargets is implemented by domains that own what a legal hold can be
// placed on (a member, a conversation): HoldTarget checks that id is a
// target of that kind in the organization and returns the account it
// names ("" for none). Not found, or in another organization, answers an
// error wrapping a not-found error.
type HoldTargets interface {
	HoldKinds() []string
	HoldTarget(ctx context.Context, orgID, kind, id string) (accountID string, err error)
}

// HoldNamer is implemented by HoldTargets whose targets have names people
// know them by (a group's name), so that administrators find a target and
// read the list of holds by name, never by raw id. FindHoldTargets lists
// at most limit targets of kind in the organization whose name contains q
// (any case; every one when q is empty); HoldTargetName names one ("" when
// it has no name or is not the organization's).
type HoldNamer interface {
	FindHoldTargets(ctx context.Context, orgID, kind, q string, limit int) ([]NamedTarget, error)
	HoldTargetName(ctx context.Context, orgID, kind, id string) string
}

// NamedTarget is a legal-hold target with its name and a short detail (a
// group's kind, say).
type NamedTarget struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Detail string `json:"detail,omitempty"`
}

// Membership is one organization a person belongs or belonged to.
type Membership struct {
	OrgID    string
	MemberID string
	Status   string // "active", "deactivated", "left"
	Owner    bool
	// LeftAt is when the person left or was deactivated (unix ms; 0 while active).
	LeftAt int64
}

// Departure is a person who left an organization (quit, removed or
// deactivated).
type Departure struct {
	OrgID     string
	AccountID string
	MemberID  string
	LeftAt    int64
}

// Disbanded is an organization disbanded at At (unix ms).
type Disbanded struct {
	OrgID string
	At    int64
}

// Organizations is the directory's side of the contract: who belongs where,
// for the privacy center's orchestration (erasing a leaver's data under the
// organization's policy, purging a disbanded organization, notices).
type Organizations interface {
	// Memberships lists an account's memberships, any status.
	Memberships(ctx context.Context, accountID string) ([]Membership, error)
	// ActiveMembers lists the accounts of an organization's active members.
	ActiveMembers(ctx context.Context, orgID string) ([]string, error)
	// LiveOrgs lists the organizations not disbanded.
	LiveOrgs(ctx context.Context) ([]string, error)
	// DisbandedOrgs lists the disbanded organizations.
	DisbandedOrgs(ctx context.Context) ([]Disbanded, error)
	// Departures lists the members who left at or after since (unix ms)
	// and are not back.
	Departures(ctx context.Context, since int64) ([]Departure, error)
}
