package directory

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

// Sealed profiles. A member's display name, title, employee number, work
// email and office, and their custom field values, are stored sealed with
// AES-GCM (platform/keyring) under the data key of the person the member is
// (the account id), bound to their row: the AAD is "members.<field>:" + the
// member id, "member_field_values.value:" + the value's id. Erasing the
// account destroys the key and with it every copy, backups included; an
// organization whose leaver policy anonymizes clears the fields anyway. The
// work phone is sealed with the organization's key (member.go).
//
// Search and sorting need plaintext: the member_search table holds it, as
// derived data (left out of backups, rebuilt by RebuildSearch, kept in step
// by every write, cleared by erasure). Employee numbers stay unique per
// organization through a keyed hash.
//
// Rows written before sealing keep their plaintext columns and are read as
// they are until ResealLegacy (run at start-up) or their next write seals
// them and clears the plaintext.

func memberAAD(field, memberID string) string { return "members." + field + ":" + memberID }
func fieldValueAAD(id string) string          { return "member_field_values.value:" + id }

// employeeNoHash is the keyed hash that keeps employee numbers unique.
func (s *Service) employeeNoHash(no string) string {
	if no == "" {
		return ""
	}
	return s.keys.Hash("employee_no", no)
}

// sealMember seals r's profile fields into r.box under the person's key,
// and computes the search keys of the name.
func (s *Service) sealMember(ctx context.Context, r *memberRow) error {
	r.NamePinyin, r.NameInitials = pinyinOf(r.DisplayName)
	r.EmployeeNoHash = s.employeeNoHash(r.EmployeeNo)
	owner := r.AccountID
	for _, f := range []struct {
		name string
		v    string
		dst  *[]byte
	}{
		{"display_name", r.DisplayName, &r.box.DisplayName},
		{"title", r.Title, &r.box.Title},
		{"employee_no", r.EmployeeNo, &r.box.EmployeeNo},
		{"email", r.Email, &r.box.Email},
		{"office", r.Office, &r.box.Office},
	} {
		*f.dst = nil
		if f.v == "" {
			continue
		}
		b, err := s.keys.Seal(ctx, owner, memberAAD(f.name, r.ID), []byte(f.v))
		if err != nil {
			return err
		}
		*f.dst = b
	}
	return nil
}

// openMembers opens the sealed profile fields of rows in place. A field
// that does not open — the person's key was destroyed — reads as empty.
// The keys of all the rows' people are loaded in one query first.
func (s *Service) openMembers(ctx context.Context, rows []memberRow) {
	if len(rows) == 0 {
		return
	}
	if p, ok := s.keys.(keyPreloader); ok && len(rows) > 1 {
		owners := make([]string, 0, len(rows))
		for _, r := range rows {
			if r.box.DisplayName != nil || r.box.Title != nil || r.box.EmployeeNo != nil || r.box.Email != nil || r.box.Office != nil {
				owners = append(owners, r.AccountID)
			}
		}
		if err := p.Preload(ctx, owners); err != nil {
			s.log.WarnContext(ctx, "directory: preload keys", "err", err)
		}
	}
	for i := range rows {
		r := &rows[i]
		for _, f := range []struct {
			name string
			box  []byte
			dst  *string
		}{
			{"display_name", r.box.DisplayName, &r.DisplayName},
			{"title", r.box.Title, &r.Title},
			{"employee_no", r.box.EmployeeNo, &r.EmployeeNo},
			{"email", r.box.Email, &r.Email},
			{"office", r.box.Office, &r.Office},
		} {
			if len(f.box) == 0 {
				continue
			}
			pt, err := s.keys.Open(ctx, r.AccountID, memberAAD(f.name, r.ID), f.box)
			if err != nil {
				s.log.DebugContext(ctx, "directory: member field not readable", "member_id", r.ID, "field", f.name, "err", err)
				*f.dst = ""
				continue
			}
			*f.dst = string(pt)
		}
		r.NamePinyin, r.NameInitials = pinyinOf(r.DisplayName)
	}
}

// keyPreloader loads many owners' data keys at once (platform/keyring).
type keyPreloader interface {
	Preload(ctx context.Context, owners []string) error
}

// ---- reads that open --------------------------------------------------------

func (s *Service) getMember(ctx context.Context, orgID, id string) (memberRow, error) {
	r, err := s.st.getMember(ctx, orgID, id)
	if err == nil {
		rs := []memberRow{r}
		s.openMembers(ctx, rs)
		r = rs[0]
	}
	return r, err
}

func (s *Service) getMemberByAccount(ctx context.Context, orgID, accountID string) (memberRow, error) {
	r, err := s.st.getMemberByAccount(ctx, orgID, accountID)
	if err == nil {
		rs := []memberRow{r}
		s.openMembers(ctx, rs)
		r = rs[0]
	}
	return r, err
}

// ---- writes that seal -------------------------------------------------------

func (s *Service) insertMember(ctx context.Context, r memberRow) error {
	if err := s.sealMember(ctx, &r); err != nil {
		return err
	}
	return s.st.insertMember(ctx, r)
}

func (s *Service) updateMember(ctx context.Context, r memberRow, phone bool) error {
	if err := s.sealMember(ctx, &r); err != nil {
		return err
	}
	return s.st.updateMember(ctx, r, phone)
}

// ---- custom field values ----------------------------------------------------

// fieldValues returns member id → field id → JSON value of rows' members,
// opened with each member's person's key.
func (s *Service) fieldValues(ctx context.Context, rows []memberRow) (map[string]map[string]string, error) {
	idl := make([]string, len(rows))
	owner := make(map[string]string, len(rows))
	for i, r := range rows {
		idl[i] = r.ID
		owner[r.ID] = r.AccountID
	}
	vals, err := s.st.fieldValuesOf(ctx, idl)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]string, len(vals))
	for m, fs := range vals {
		out[m] = make(map[string]string, len(fs))
		for f, v := range fs {
			if len(v.sealed) == 0 {
				out[m][f] = v.value
				continue
			}
			pt, err := s.keys.Open(ctx, owner[m], fieldValueAAD(v.id), v.sealed)
			if err != nil || !json.Valid(pt) {
				continue // the person's key was destroyed: no value
			}
			out[m][f] = string(pt)
		}
	}
	return out, nil
}

// setFieldValue seals and stores one custom field value of r.
func (s *Service) setFieldValue(ctx context.Context, r *memberRow, fieldID string, value []byte, now int64) error {
	id := ids.New("mfv")
	box, err := s.keys.Seal(ctx, r.AccountID, fieldValueAAD(id), value)
	if err != nil {
		return err
	}
	return s.st.setFieldValue(ctx, r.OrgID, r.ID, fieldID, id, box, now)
}

// ---- the derived search index -----------------------------------------------

// IndexNameWords fills the any-word name keys of search entries written
// before they existed (at start; a later start finds none). The keys
// derive from the indexed name alone, so no sealed field is opened. It
// returns how many entries it filled.
func (s *Service) IndexNameWords(ctx context.Context) (int, error) {
	n := 0
	for {
		rows, err := s.st.searchWithoutKeys(ctx, 1000)
		if err != nil || len(rows) == 0 {
			return n, err
		}
		filled := 0
		err = s.db.Tx(ctx, func(ctx context.Context) error {
			for _, r := range rows {
				if err := s.st.setSearchKeys(ctx, r[0], nameKeys(r[1])); err != nil {
					return err
				}
				filled++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += filled
	}
}

// RebuildSearch rebuilds the member search index from the members' sealed
// fields: after a restore (backups leave the index out) or by `atrium
// search reindex`. Members whose person's key was destroyed get an empty
// entry. It returns how many members it indexed.
func (s *Service) RebuildSearch(ctx context.Context) (int, error) {
	if err := s.db.Tx(ctx, func(ctx context.Context) error { return s.st.clearSearch(ctx) }); err != nil {
		return 0, err
	}
	n, after := 0, ""
	for {
		rows, err := s.st.membersAfter(ctx, after, 1000)
		if err != nil || len(rows) == 0 {
			return n, err
		}
		s.openMembers(ctx, rows)
		err = s.db.Tx(ctx, func(ctx context.Context) error {
			for _, r := range rows {
				if err := s.st.putSearch(ctx, r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(rows)
		after = rows[len(rows)-1].ID
	}
}

// ReindexMembers rebuilds the member search index of the database d, whose
// sealed fields keys opens (`atrium search reindex`, restores).
func ReindexMembers(ctx context.Context, d *db.DB, keys Keyring) (int, error) {
	return New(Config{DB: d, Keyring: keys}).RebuildSearch(ctx)
}

// errKeyGone marks a member whose person has no key to seal with any more.
var errKeyGone = errors.New("directory: the person was anonymized or erased")

// ResealLegacy seals the profile fields and custom field values of rows
// written before they were sealed, clearing their plaintext, in batches.
// The server runs it at start-up; a second run finds nothing. A person
// whose key was already destroyed (an erased account) has the plaintext
// cleared instead. It returns how many rows it sealed or cleared.
func (s *Service) ResealLegacy(ctx context.Context) (int, error) {
	n := 0
	for {
		rows, err := s.st.legacyMembers(ctx, 200)
		if err != nil || len(rows) == 0 {
			if err != nil {
				return n, err
			}
			break
		}
		err = s.db.Tx(ctx, func(ctx context.Context) error {
			for _, r := range rows {
				err := errKeyGone
				if !r.anonymized() {
					err = s.sealMember(ctx, &r)
				}
				gone := errors.Is(err, keyring.ErrKeyDestroyed) || errors.Is(err, errKeyGone)
				if gone {
					r.box, r.EmployeeNoHash = memberBox{}, ""
				} else if err != nil {
					return err
				}
				if err := s.st.resealMember(ctx, r); err != nil {
					return err
				}
				if gone {
					if err := s.st.blankSearch(ctx, r.ID); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(rows)
	}
	for {
		vals, err := s.st.legacyFieldValues(ctx, 200)
		if err != nil || len(vals) == 0 {
			return n, err
		}
		err = s.db.Tx(ctx, func(ctx context.Context) error {
			for _, v := range vals {
				id := ids.New("mfv")
				var box []byte
				var err error
				if !ids.HasPrefix(v.owner, "tmb") {
					box, err = s.keys.Seal(ctx, v.owner, fieldValueAAD(id), []byte(v.value))
				}
				if errors.Is(err, keyring.ErrKeyDestroyed) {
					box, err = nil, nil
				}
				if err != nil {
					return err
				}
				if err := s.st.resealFieldValue(ctx, v.memberID, v.fieldID, id, box); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(vals)
	}
}
