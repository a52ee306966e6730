// Package audit is the append-only, hash-chained audit log. Admin actions,
// identity and privacy actions, admin reads of content and data exports are
// recorded with Record in the same transaction as the action itself.
//
// Each entry's hash is SHA-256 over a canonical encoding of all its fields
// and the previous entry's hash, so editing, deleting, inserting or
// reordering any entry breaks the chain from there on. The head of the chain
// (last seq and hash) is kept in its own row, updated in the same
// transaction, so that a truncated tail is detected too. Verify walks the
// chain and names the first bad entry; `atrium audit verify` runs it.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
	"github.com/atrium-hq/atrium/internal/platform/perm"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
)

// Outcomes of an audited action.
const (
	Success = "success"
	Failure = "failure"
	Denied  = "denied"
)

// Entry is what a caller records. Who did it, from where and in which
// request come from the context.
type Entry struct {
	OrgID      string // "" for account-level actions
	Action     string // "identity.login", "member.deactivate", "privacy.export", …
	TargetKind string // "account", "member", "message", …
	TargetID   string
	Outcome    string         // "success" | "failure" | "denied"; "" means success
	Details    map[string]any // no secrets, no content
	// Unsealed keeps the details of an organization's entry readable after
	// the organization's key is destroyed: only for details that name
	// nothing of the organization (ids and counts), such as the record of
	// the organization's erasure itself. See sealed.go.
	Unsealed bool
}

// Item is one stored entry of the audit log.
type Item struct {
	Seq            int64           `json:"seq"`
	CreatedAt      int64           `json:"created_at"` // unix milliseconds
	OrgID          string          `json:"org_id,omitempty"`
	ActorAccountID string          `json:"actor_account_id,omitempty"`
	ActorMemberID  string          `json:"actor_member_id,omitempty"`
	Via            string          `json:"via,omitempty"`
	IP             string          `json:"ip,omitempty"`
	Action         string          `json:"action"`
	TargetKind     string          `json:"target_kind,omitempty"`
	TargetID       string          `json:"target_id,omitempty"`
	Outcome        string          `json:"outcome"`
	RequestID      string          `json:"request_id,omitempty"`
	Details        json.RawMessage `json:"details"`
	// DetailsSealed says the details are stored sealed with the
	// organization's key (sealed.go); Details shows them opened, or
	// "[erased]" once the key was destroyed.
	DetailsSealed bool   `json:"details_sealed,omitempty"`
	PrevHash      string `json:"prev_hash"`
	Hash          string `json:"hash"`

	// The names below are not part of the entry (nor of its hash): List
	// fills them in for the organization's auditors from the current
	// directory (names.go).

	// ActorName is the actor's name in the organization, or their
	// account's name.
	ActorName string `json:"actor_name,omitempty"`
	// ActorFormer says the actor can no longer be named: a former member.
	ActorFormer bool `json:"actor_former,omitempty"`
	// TargetName is the target's name (a person, department, field, role,
	// conversation, the organization …).
	TargetName string `json:"target_name,omitempty"`
	// TargetFormer says the target person can no longer be named.
	TargetFormer bool `json:"target_former,omitempty"`
	// Names names the ids in the details (and actor and target) that
	// could still be named.
	Names map[string]string `json:"names,omitempty"`

	// sealed holds the sealed details as stored (Details is then "{}"
	// in the row); the hash covers it.
	sealed []byte
}

type accountKey struct{}

// WithAccount returns ctx naming accountID as the account of entries
// recorded without an authenticated actor (e.g. the account a failed
// sign-in claimed). Where the request came from is platform/reqctx's.
func WithAccount(ctx context.Context, accountID string) context.Context {
	return context.WithValue(ctx, accountKey{}, accountID)
}

// Record appends e to the hash-chained audit log in ctx's transaction (or in
// its own when ctx carries none); actor, IP and request id come from ctx
// (actor.From, reqctx.From).
func Record(ctx context.Context, d *db.DB, e Entry) error {
	if e.Action == "" {
		return fmt.Errorf("audit: entry without action")
	}
	switch e.Outcome {
	case "":
		e.Outcome = Success
	case Success, Failure, Denied:
	default:
		return fmt.Errorf("audit: unknown outcome %q", e.Outcome)
	}
	details := []byte("{}")
	if len(e.Details) > 0 {
		var err error
		// encoding/json sorts map keys, so equal maps encode equally.
		if details, err = json.Marshal(e.Details); err != nil {
			return fmt.Errorf("audit: details of %s: %w", e.Action, err)
		}
	}
	req := reqctx.From(ctx)
	r := Item{
		OrgID:      e.OrgID,
		Action:     e.Action,
		TargetKind: e.TargetKind,
		TargetID:   e.TargetID,
		Outcome:    e.Outcome,
		RequestID:  req.ID,
		IP:         req.ClientIP,
		Via:        req.Via,
		Details:    details,
	}
	if a := actor.From(ctx); a != nil {
		r.ActorAccountID, r.ActorMemberID, r.Via = a.AccountID, a.MemberID, string(a.Via)
	} else if id, ok := ctx.Value(accountKey{}).(string); ok {
		r.ActorAccountID = id
	}
	return d.Tx(ctx, func(ctx context.Context) error {
		// Appends are serialized: on PostgreSQL by a transaction-scoped
		// lock, on SQLite by its single writer.
		if err := lockChain(ctx, d); err != nil {
			return fmt.Errorf("audit: lock chain: %w", err)
		}
		seq, prev, err := advanceHead(ctx, d)
		if err != nil {
			return fmt.Errorf("audit: lock head: %w", err)
		}
		r.Seq = seq
		r.CreatedAt = time.Now().UnixMilli()
		if !e.Unsealed {
			if err := sealDetails(ctx, d, &r); err != nil {
				return fmt.Errorf("audit: seal details of %s: %w", e.Action, err)
			}
		}
		r.PrevHash = prev
		r.Hash = r.computeHash()
		if err := insertRecord(ctx, d, r); err != nil {
			return fmt.Errorf("audit: append %s: %w", e.Action, err)
		}
		return setHeadHash(ctx, d, r.Hash)
	})
}

// computeHash returns the hex SHA-256 of the canonical encoding of r: every
// field except Hash, each written as its length, a colon and its bytes, in
// a fixed order, so that no two different records encode alike. An entry
// with sealed details is encoded as version 2, which adds the sealed bytes
// after the details: the chain covers what is stored, and verifies without
// any key.
func (r Item) computeHash() string {
	h := sha256.New()
	put := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	if len(r.sealed) > 0 {
		put("atrium.audit.v2")
	} else {
		put("atrium.audit.v1")
	}
	put(strconv.FormatInt(r.Seq, 10))
	put(strconv.FormatInt(r.CreatedAt, 10))
	put(r.OrgID)
	put(r.ActorAccountID)
	put(r.ActorMemberID)
	put(r.Via)
	put(r.IP)
	put(r.Action)
	put(r.TargetKind)
	put(r.TargetID)
	put(r.Outcome)
	put(r.RequestID)
	put(string(r.Details))
	if len(r.sealed) > 0 {
		put(string(r.sealed))
	}
	put(r.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// Report is the result of Verify.
type Report struct {
	OK bool `json:"ok"`
	// Entries is how many entries were checked.
	Entries int64 `json:"entries"`
	// HeadSeq is the last seq the head row names.
	HeadSeq int64 `json:"head_seq"`
	// BadSeq is the seq of the first bad entry (for a truncated tail: the
	// first missing seq); 0 when OK.
	BadSeq int64 `json:"bad_seq,omitempty"`
	// Problem says what is wrong with it.
	Problem string `json:"problem,omitempty"`
	// Checkpoints is how many signed checkpoints the chain was checked
	// against (VerifyWithCheckpoints).
	Checkpoints int `json:"checkpoints,omitempty"`
}

func (r Report) String() string {
	if r.OK && r.Checkpoints > 0 {
		return fmt.Sprintf("audit log intact: %d entries, head at seq %d, consistent with %d signed checkpoints", r.Entries, r.HeadSeq, r.Checkpoints)
	}
	if r.OK {
		return fmt.Sprintf("audit log intact: %d entries, head at seq %d", r.Entries, r.HeadSeq)
	}
	return fmt.Sprintf("audit log BROKEN at entry seq %d: %s", r.BadSeq, r.Problem)
}

// Verify walks the whole chain and reports the first bad entry: one whose
// hash does not match its content (edited, or moved to another seq), whose
// previous hash does not match the entry before it (deleted, inserted or
// reordered entries), or a head that does not match the last entry (a
// truncated tail). A broken chain is a Report with OK false, not an error;
// errors mean the database could not be read.
func Verify(ctx context.Context, d *db.DB) (Report, error) {
	// Read the head first: entries appended after this point are beyond it
	// and do not affect what is checked.
	headSeq, headHash, err := readHead(ctx, d)
	if err != nil {
		return Report{}, fmt.Errorf("audit: read head: %w", err)
	}
	rep := Report{HeadSeq: headSeq}
	fail := func(seq int64, format string, args ...any) (Report, error) {
		rep.BadSeq, rep.Problem = seq, fmt.Sprintf(format, args...)
		return rep, nil
	}
	var (
		expectSeq int64 = 1
		prevHash        = ""
		after     int64 = 0
	)
	const batch = 1000
	for {
		recs, err := scanChain(ctx, d, after, headSeq, batch)
		if err != nil {
			return Report{}, fmt.Errorf("audit: read entries: %w", err)
		}
		for _, r := range recs {
			if r.Seq != expectSeq {
				return fail(expectSeq, "entry %d is missing (next entry found is %d): deleted or renumbered", expectSeq, r.Seq)
			}
			if r.Hash != r.computeHash() {
				return fail(r.Seq, "content does not match its hash: edited or moved")
			}
			if r.PrevHash != prevHash {
				return fail(r.Seq, "previous hash does not match entry %d: an entry before it was deleted, inserted or reordered", r.Seq-1)
			}
			rep.Entries++
			prevHash = r.Hash
			expectSeq++
			after = r.Seq
		}
		if len(recs) < batch {
			break
		}
	}
	// Rows past the head that no append accounts for were inserted by hand.
	// Read the highest seq before the head again: an append commits its row
	// and the head together, so a legitimate row is never past that head.
	maxSeq, err := maxSeq(ctx, d)
	if err != nil {
		return Report{}, fmt.Errorf("audit: read entries: %w", err)
	}
	if head2, _, err := readHead(ctx, d); err != nil {
		return Report{}, fmt.Errorf("audit: read head: %w", err)
	} else if maxSeq > head2 {
		return fail(head2+1, "entry %d lies beyond the head (%d): inserted outside the audit log", head2+1, head2)
	}
	if expectSeq-1 != headSeq {
		return fail(expectSeq, "the log ends at entry %d but the head says %d: entries at the end were deleted", expectSeq-1, headSeq)
	}
	if prevHash != headHash {
		return fail(headSeq, "the last entry's hash does not match the head: the last entry was replaced")
	}
	rep.OK = true
	return rep, nil
}

// Filter selects entries for List. OrgID is set by the service from the
// caller, never from the request.
type Filter struct {
	OrgID          string
	Action         string // exact action, or a prefix ending in "." ("identity.")
	ActorAccountID string
	// Person is a member id: entries the member did or that were done
	// to them.
	Person       string
	TargetKind   string
	TargetID     string
	Outcome      string
	Since, Until int64 // unix ms, inclusive / exclusive; 0 = open
	// Before is the cursor: only entries with seq < Before (0 = newest).
	Before int64
	Limit  int
}

// ParseCursor reads the next_cursor of a Page into Filter.Before: the
// cursor every list hands out (httpx.Cursor), or the bare sequence number
// this list handed out before, which clients may still hold.
func ParseCursor(s string) (int64, error) {
	c, err := httpx.ParseCursor(s, func(v string) (httpx.Cursor, bool) { return httpx.Cursor{ID: v}, true })
	if err != nil || c.ID == "" {
		return 0, err
	}
	seq, err := strconv.ParseInt(c.ID, 10, 64)
	if err != nil || seq <= 0 || c.ID[0] == '+' {
		return 0, httpx.ErrInvalidCursor
	}
	return seq, nil
}

// Page is one page of entries, newest first.
type Page struct {
	Items      []Item `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// Authorizer decides whether the caller (actor.From(ctx)) holds a
// permission in its current organization. The directory implements it.
type Authorizer interface {
	Authorize(ctx context.Context, p perm.Permission, deptID string) error
}

// AuthorizerFunc adapts a function to Authorizer.
type AuthorizerFunc func(ctx context.Context, p perm.Permission, deptID string) error

// Authorize calls f.
func (f AuthorizerFunc) Authorize(ctx context.Context, p perm.Permission, deptID string) error {
	return f(ctx, p, deptID)
}

// PermRead is the permission to read an organization's audit log.
const PermRead = perm.ViewAuditLog

// Service serves the audit log to organization admins.
type Service struct {
	DB *db.DB
	// Auth checks PermRead; nil denies every caller.
	Auth Authorizer
	// Keys opens sealed details for exports (nil: they stay marked sealed).
	Keys sqlmap.Keyring
	// Names names the people and objects entries refer to (nil: ids only).
	Names Namer
	// Now is the clock (tests set it); nil means time.Now.
	Now func() time.Time

	verifyMu   sync.Mutex
	lastVerify ChainStatus
}

// reader returns the caller if they may read their current organization's
// audit log (PermRead there).
func (s *Service) reader(ctx context.Context) (*actor.Actor, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if a.OrgID == "" || s.Auth == nil {
		return nil, apperr.ErrForbidden
	}
	if err := s.Auth.Authorize(ctx, PermRead, ""); err != nil {
		return nil, err
	}
	return a, nil
}

// ChainStatus is what an organization's auditors learn of the whole chain
// (it links every organization's entries): whether it is intact and when
// that was checked. Where it breaks, and how many entries it holds, stay
// with the operator (`atrium audit verify`).
type ChainStatus struct {
	OK         bool  `json:"ok"`
	VerifiedAt int64 `json:"verified_at"`
}

// verifyEvery bounds how often the chain is walked for auditors' requests:
// a walk reads every entry of every organization.
const verifyEvery = time.Minute

// VerifyChain reports whether the audit chain is intact, for a caller with
// PermRead in their current organization. A walk is reused for a minute.
func (s *Service) VerifyChain(ctx context.Context) (ChainStatus, error) {
	if _, err := s.reader(ctx); err != nil {
		return ChainStatus{}, err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	s.verifyMu.Lock()
	defer s.verifyMu.Unlock()
	if t := s.lastVerify.VerifiedAt; t != 0 && now().Sub(time.UnixMilli(t)) < verifyEvery {
		return s.lastVerify, nil
	}
	rep, err := Verify(ctx, s.DB)
	if err != nil {
		return ChainStatus{}, err
	}
	s.lastVerify = ChainStatus{OK: rep.OK, VerifiedAt: now().UnixMilli()}
	return s.lastVerify, nil
}

// List returns entries of the caller's current organization, newest first.
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	a, err := s.reader(ctx)
	if err != nil {
		return Page{}, err
	}
	f.OrgID = a.OrgID
	p, err := list(ctx, s.DB, f)
	if err != nil {
		return Page{}, err
	}
	nameItems(ctx, s.Names, a.OrgID, p.Items)
	return p, nil
}

func list(ctx context.Context, d *db.DB, f Filter) (Page, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	recs, err := queryRecords(ctx, d, f)
	if err != nil {
		return Page{}, err
	}
	openDetails(ctx, d, recs)
	p := Page{Items: recs}
	if p.Items == nil {
		p.Items = []Item{}
	}
	if len(recs) > f.Limit {
		p.Items = recs[:f.Limit]
		p.NextCursor = httpx.Cursor{ID: strconv.FormatInt(p.Items[f.Limit-1].Seq, 10)}.String()
	}
	return p, nil
}

// ListAll returns entries of every organization (account-level ones
// included) for operator tools; it checks no permission.
func ListAll(ctx context.Context, d *db.DB, f Filter) (Page, error) { return list(ctx, d, f) }
