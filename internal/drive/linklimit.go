package drive

import (
	"context"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Wrong passwords of a link are limited: after LinkPasswordTries wrong
// ones within LinkPasswordWindow, every try of the link with a password
// is refused with 429 too_many_attempts and Retry-After (the seconds until
// the oldest wrong try leaves the window), whoever makes it and whether
// the password is right. The count is the link's access log (outcome
// wrong_password), so that every node of a cluster sees the same.
var (
	LinkPasswordTries  = 10
	LinkPasswordWindow = 15 * time.Minute
)

// Outcomes of a link's use recorded in its access log besides ok.
const (
	OutcomeWrongPassword = "wrong_password"
	OutcomeThrottled     = "throttled"
)

// passwordThrottle refuses a try when the link had too many wrong
// passwords lately.
func (s *Service) passwordThrottle(ctx context.Context, linkID string) error {
	now := s.now()
	since := now - LinkPasswordWindow.Milliseconds()
	ats, err := wrongPasswordsSince(ctx, s.DB, linkID, since, LinkPasswordTries)
	if err != nil || len(ats) < LinkPasswordTries {
		return err
	}
	// ats is newest first: the LinkPasswordTries-th newest leaves the
	// window first for the count to drop below the limit.
	wait := ats[LinkPasswordTries-1] + LinkPasswordWindow.Milliseconds() - now
	secs := int((wait + 999) / 1000)
	if secs < 1 {
		secs = 1
	}
	return apperr.New(apperr.KindRateLimited, "too_many_attempts", "too many wrong passwords for this link; try again later").
		With("retry_after_seconds", secs)
}

// TrimLinkAccess caps every link's access log at its LinkAccessKeep newest
// entries, deleting the older ones, and returns how many it deleted; the
// drive's hourly job calls it. The retention class drive.link_access
// deletes entries by age on top.
func (s *Service) TrimLinkAccess(ctx context.Context) (int64, error) {
	keep := s.LinkAccessKeep
	if keep <= 0 {
		return 0, nil
	}
	return trimLinkAccess(ctx, s.DB, keep)
}
