package directory

import (
	"context"
	"log/slog"
	"sync"
)

// Sealed names. An organization's own names — its name and its
// departments' names — are stored sealed with AES-GCM (platform/keyring)
// under the organization's data key ("org_…"), bound to their row: the AAD
// is "orgs.name:" + the org id, "departments.name:" + the department id.
// Erasing a disbanded organization destroys that key, so every copy of the
// names (backups included) becomes unreadable. Sealed rows hold '' in the
// plaintext column; rows written before sealing (name_sealed NULL) keep
// their plaintext and are read as they are. A name whose key is gone reads
// as "".
//
// The organization's name is read on almost every request, so opened
// values are cached in memory, keyed by the sealed bytes themselves: a
// rename seals anew (a fresh nonce), so a cached value can never be stale.

func orgNameAAD(orgID string) string { return "orgs.name:" + orgID }
func deptNameAAD(id string) string   { return "departments.name:" + id }

// nameCacheSize bounds the opened names kept in memory.
const nameCacheSize = 8192

// sealedNames seals and opens the organization's names.
type sealedNames struct {
	keys Keyring
	log  *slog.Logger

	mu    sync.RWMutex
	cache map[string]string // aad + "\x00" + box → name
}

func newSealedNames(keys Keyring, log *slog.Logger) *sealedNames {
	return &sealedNames{keys: keys, log: log, cache: map[string]string{}}
}

// seal returns name sealed for orgID with aad, and the value the
// plaintext column keeps ("" once sealed). Without a keyring (tests of
// other packages) the name stays plaintext.
func (n *sealedNames) seal(ctx context.Context, orgID, aad, name string) (plain string, box []byte, err error) {
	if n == nil || n.keys == nil || name == "" {
		return name, nil, nil
	}
	box, err = n.keys.Seal(ctx, orgID, aad, []byte(name))
	if err != nil {
		return "", nil, err
	}
	return "", box, nil
}

// open returns the name a row holds: plain for a row written before
// sealing, else box opened with orgID's key ("" when the key is gone).
func (n *sealedNames) open(ctx context.Context, orgID, aad, plain string, box []byte) string {
	if len(box) == 0 || n == nil || n.keys == nil {
		return plain
	}
	k := aad + "\x00" + string(box)
	n.mu.RLock()
	v, ok := n.cache[k]
	n.mu.RUnlock()
	if ok {
		return v
	}
	b, err := n.keys.Open(ctx, orgID, aad, box)
	if err != nil {
		n.log.DebugContext(ctx, "directory: sealed name not readable", "aad", aad, "err", err)
		return ""
	}
	n.mu.Lock()
	if len(n.cache) >= nameCacheSize {
		clear(n.cache)
	}
	n.cache[k] = string(b)
	n.mu.Unlock()
	return string(b)
}

// SealPlaintextNames seals the names of organizations and departments
// written before sealing (name_sealed NULL), so that they leave the
// database's plaintext columns and, from then on, its backups. It is safe
// to run on several nodes at once and again: each row is sealed once. The
// server runs it at start-up; it returns how many names it sealed.
func (s *Service) SealPlaintextNames(ctx context.Context) (int, error) {
	if s.keys == nil {
		return 0, nil
	}
	rows, err := s.st.plaintextNames(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rows {
		aad := orgNameAAD(r.id)
		if r.table == "departments" {
			aad = deptNameAAD(r.id)
		}
		box, err := s.keys.Seal(ctx, r.orgID, aad, []byte(r.name))
		if err != nil {
			// The organization's key is gone: its erasure deletes the row.
			s.log.WarnContext(ctx, "directory: seal a plaintext name", "table", r.table, "id", r.id, "err", err)
			continue
		}
		ok, err := s.st.setSealedName(ctx, r.table, r.id, r.name, box)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}
