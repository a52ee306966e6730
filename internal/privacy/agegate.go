package privacy

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// CheckBirthDateChange refuses a person's change of their own birth date
// while they are a minor waiting for a guardian's consent: otherwise the
// gate would hold back only those who tell the truth. The operator can
// still correct it (atrium user), and a guardian's consent lifts the lock.
func (s *Service) CheckBirthDateChange(ctx context.Context, accountID string) error {
	minor, err := s.isUnconsentedMinor(ctx, accountID)
	if err != nil {
		return err
	}
	if minor {
		return apperr.Forbidden("birth_date_locked", "your birth date cannot be changed while a parent or guardian's consent is awaited")
	}
	return nil
}

// BirthDateChanged forgets the computed age gate of the account, in ctx's
// transaction, so that the next request reads the new birth date. Other
// nodes remember a passing result for at most ageRecheck.
func (s *Service) BirthDateChanged(ctx context.Context, accountID string) error {
	if err := deleteAgeGate(ctx, s.DB, accountID); err != nil {
		return err
	}
	s.forgetAge(accountID)
	return nil
}
