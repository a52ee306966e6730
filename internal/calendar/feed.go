package calendar

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// ICS feeds: a read-only subscription URL per calendar and person, for
// calendar apps that cannot sign in. The URL carries a secret; only its
// SHA-256 is stored. The feed serves the calendar as its creator sees it
// now (busy time only for the events they may not see), and stops — 404 —
// when it is revoked or rotated, or when its creator loses the calendar or
// leaves the organization.

// FeedPath is the path of the public feed route before the secret.
const FeedPath = "/ics/"

// Feed is a newly created feed: its URL, shown once.
type Feed struct {
	URL string `json:"url"`
}

func feedHash(secret string) string {
	h := sha256.Sum256([]byte("atrium calendar feed\x00" + secret))
	return hex.EncodeToString(h[:])
}

// CreateFeed creates the caller's feed of a calendar they may view, or
// gives it a new secret (the old URL stops working).
func (s *Service) CreateFeed(ctx context.Context, calID string) (Feed, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Feed{}, err
	}
	c, _, err := s.calendar(ctx, a, calID)
	if err != nil {
		return Feed{}, err
	}
	secret := ids.Token(24)
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		x := feedRow{ID: ids.New("cfd"), OrgID: c.OrgID, CalendarID: c.ID, AccountID: a.AccountID, MemberID: a.MemberID, CreatedAt: s.now()}
		if err := putFeed(ctx, s.DB, x, feedHash(secret)); err != nil {
			return err
		}
		return s.record(ctx, c.OrgID, "calendar.feed_created", "calendar", c.ID, nil)
	})
	if err != nil {
		return Feed{}, err
	}
	return Feed{URL: strings.TrimSuffix(s.BaseURL, "/") + FeedPath + secret + ".ics"}, nil
}

// RevokeFeed deletes the caller's feed of a calendar.
func (s *Service) RevokeFeed(ctx context.Context, calID string) error {
	a, err := actor.Member(ctx)
	if err != nil {
		return err
	}
	c, _, err := s.calendar(ctx, a, calID)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		ok, err := deleteFeed(ctx, s.DB, c.ID, a.MemberID)
		if err != nil || !ok {
			return err
		}
		return s.record(ctx, c.OrgID, "calendar.feed_revoked", "calendar", c.ID, nil)
	})
}

// ServeFeed writes the calendar of the feed with secret, as its creator
// sees it (404 for an unknown or revoked secret).
func (s *Service) ServeFeed(ctx context.Context, secret string, w io.Writer) error {
	if len(secret) < 16 || len(secret) > 128 {
		return apperr.ErrNotFound
	}
	f, err := feedBySecret(ctx, s.DB, feedHash(secret))
	if errors.Is(err, db.ErrNotFound) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return err
	}
	if s.MemberOfAccount == nil || s.MemberOfAccount(ctx, f.OrgID, f.AccountID) != f.MemberID {
		return apperr.ErrNotFound // the person left the organization
	}
	a := &actor.Actor{AccountID: f.AccountID, OrgID: f.OrgID, MemberID: f.MemberID}
	ctx = actor.With(ctx, a)
	c, l, err := s.calendar(ctx, a, f.CalendarID)
	if err != nil {
		return err
	}
	cal, err := s.calendarICS(ctx, a, c, l)
	if err != nil {
		return err
	}
	return encodeICS(w, cal)
}
