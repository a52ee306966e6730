package audit

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Sealed details. Entries copy names into their details (org.create
// {"name": …}, department.create {"name": …}); an organization that is
// disbanded and erased must not leave them readable in the log or in any
// backup of it. So the details of an entry that belongs to an organization
// are stored sealed with AES-GCM under that organization's data key
// (platform/keyring), bound to the entry ("audit_log.details:" + seq); the
// details column then holds "{}". The hash chain covers the sealed bytes
// (version 2 of the canonical encoding), so `atrium audit verify` and the
// signed checkpoints need no key, and still verify after the key is
// destroyed. The audit views open the details while the key exists and
// show "[erased]" after.
//
// Entries of no organization (account-level ones) and entries recorded
// with Unsealed (ids and counts only) keep their details in plaintext, as
// do entries recorded before sealing. When the organization's key has
// already been destroyed, the details are not recorded ("{}").

// Sealer seals and opens values with an owner's data key;
// *keyring.Keyring implements it.
type Sealer interface {
	Seal(ctx context.Context, owner, aad string, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, owner, aad string, sealed []byte) ([]byte, error)
}

var sealers sync.Map // *db.DB → sealerEntry

type sealerEntry struct {
	s         Sealer
	destroyed error
}

// SetSealer makes Record seal the details of d's organization entries with
// s, and the audit views open them. destroyed is the error s returns for an
// owner whose key was destroyed (keyring.ErrKeyDestroyed). The server sets
// the keyring at start-up; without one, details are stored as they are.
func SetSealer(d *db.DB, s Sealer, destroyed error) {
	if s == nil {
		sealers.Delete(d)
		return
	}
	sealers.Store(d, sealerEntry{s: s, destroyed: destroyed})
}

func sealerOf(d *db.DB) (sealerEntry, bool) {
	v, ok := sealers.Load(d)
	if !ok {
		return sealerEntry{}, false
	}
	return v.(sealerEntry), true
}

func detailsAAD(seq int64) string { return "audit_log.details:" + strconv.FormatInt(seq, 10) }

// erasedDetails is what the views show of details whose key is gone.
var erasedDetails = json.RawMessage(`"[erased]"`)

// sealDetails seals r's details (r.Seq set) when r belongs to an
// organization and d has a sealer.
func sealDetails(ctx context.Context, d *db.DB, r *Item) error {
	se, ok := sealerOf(d)
	if !ok || r.OrgID == "" || string(r.Details) == "{}" {
		return nil
	}
	box, err := se.s.Seal(ctx, r.OrgID, detailsAAD(r.Seq), r.Details)
	if se.destroyed != nil && errors.Is(err, se.destroyed) {
		r.Details = json.RawMessage("{}")
		return nil
	}
	if err != nil {
		return err
	}
	r.Details, r.sealed, r.DetailsSealed = json.RawMessage("{}"), box, true
	return nil
}

// openDetails replaces the details of sealed entries by their opened
// value, or "[erased]".
func openDetails(ctx context.Context, d *db.DB, recs []Item) {
	se, ok := sealerOf(d)
	for i := range recs {
		r := &recs[i]
		if len(r.sealed) == 0 {
			continue
		}
		r.Details = erasedDetails
		if !ok {
			continue
		}
		if b, err := se.s.Open(ctx, r.OrgID, detailsAAD(r.Seq), r.sealed); err == nil && json.Valid(b) {
			r.Details = b
		}
	}
}
