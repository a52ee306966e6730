package identity

// The signed-in person's own account: reading it, and changing their name,
// locale, phone or birth date (GET and PATCH /api/v1/me).

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
)

// Me returns the caller's account.
func (s *Service) Me(ctx context.Context) (Account, error) {
	a, err := self(ctx)
	if err != nil {
		return Account{}, err
	}
	return s.GetAccount(ctx, a.AccountID)
}

// MePatch is the body of PATCH /api/v1/me: absent fields stay as they are;
// an empty phone or birth date removes it.
type MePatch struct {
	Name   *string `json:"name,omitempty"`
	Locale *string `json:"locale,omitempty"`
	Phone  *string `json:"phone,omitempty"`
	// BirthDate is YYYY-MM-DD; it decides whether a guardian must consent.
	BirthDate *string `json:"birth_date,omitempty"`
}

// UpdateMe changes the caller's name, locale, phone or birth date.
func (s *Service) UpdateMe(ctx context.Context, p MePatch) (Account, error) {
	a, err := self(ctx)
	if err != nil {
		return Account{}, err
	}
	var name, phone string
	if p.Name != nil {
		if name, err = checkName(*p.Name); err != nil {
			return Account{}, err
		}
	}
	if p.Locale != nil {
		if err := checkLocale(*p.Locale); err != nil {
			return Account{}, err
		}
	}
	if p.Phone != nil && strings.TrimSpace(*p.Phone) != "" {
		if phone, err = NormalizePhone(*p.Phone); err != nil {
			return Account{}, err
		}
	}
	if p.BirthDate != nil {
		*p.BirthDate = strings.TrimSpace(*p.BirthDate)
		if err := checkBirthDate(*p.BirthDate); err != nil {
			return Account{}, err
		}
	}
	var out accountRow
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		r, err := s.st.accountByID(ctx, a.AccountID)
		if err != nil {
			return apperr.MapNotFound(err)
		}
		changed := []string{}
		cur, err := s.nameOf(ctx, r)
		if err != nil {
			return err
		}
		if p.Name != nil && name != cur {
			cur = name
			changed = append(changed, "name")
		}
		// Every write seals the name (a row from before sealing included).
		if err := s.sealName(ctx, &r, cur); err != nil {
			return err
		}
		if p.Locale != nil && *p.Locale != r.Locale {
			r.Locale = *p.Locale
			changed = append(changed, "locale")
		}
		if p.Phone != nil {
			r.PhoneHash.Valid, r.PhoneHash.String, r.PhoneSealed = false, "", nil
			if phone != "" {
				ph := s.phoneHash(phone)
				if other, err := s.st.accountByPhoneHash(ctx, ph); err == nil && other.ID != r.ID {
					return apperr.Conflict("phone_taken", "another account already uses this phone number")
				} else if err != nil && !errors.Is(err, db.ErrNotFound) {
					return err
				}
				r.PhoneHash.Valid, r.PhoneHash.String = true, ph
				if r.PhoneSealed, err = s.seal(ctx, r.ID, "phone", phone); err != nil {
					return err
				}
			}
			changed = append(changed, "phone")
		}
		if p.BirthDate != nil {
			old, err := s.open(ctx, r.ID, "birth_date", r.BirthSealed)
			if err != nil {
				return err
			}
			if old != *p.BirthDate {
				if s.AgeGate != nil {
					if err := s.AgeGate.CheckBirthDateChange(ctx, r.ID); err != nil {
						return err
					}
				}
				if r.BirthSealed, err = s.seal(ctx, r.ID, "birth_date", *p.BirthDate); err != nil {
					return err
				}
				changed = append(changed, "birth_date")
			}
		}
		out = r
		if len(changed) == 0 {
			return nil
		}
		r.UpdatedAt = time.Now().UnixMilli()
		if err := s.st.updateProfile(ctx, r); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return apperr.Conflict("phone_taken", "another account already uses this phone number")
			}
			return err
		}
		if slices.Contains(changed, "birth_date") && s.AgeGate != nil {
			if err := s.AgeGate.BirthDateChanged(ctx, r.ID); err != nil {
				return err
			}
		}
		_, err = events.Append(ctx, s.DB, "", events.ScopeAccount, r.ID, "account.updated", map[string]any{"fields": changed})
		return err
	})
	if err != nil {
		return Account{}, err
	}
	return s.account(ctx, out)
}
