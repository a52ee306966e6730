package chat

import (
	"context"
	"math"
	"strconv"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/events"
)

// Notification entries are created by the writer in the send's own
// transaction: a direct message notifies the other person unless they
// muted the conversation; a personal @mention notifies the mentioned member
// even when muted; @all notifies every member who has not muted the group.
// Reading a conversation up to a message marks its notifications read.

// NotificationPage is a page of notifications, newest first.
type NotificationPage struct {
	Items       []Notification `json:"items"`
	UnreadCount int            `json:"unread_count"`
	NextCursor  string         `json:"next_cursor"`
}

// Notifications lists the caller's notifications (only unread ones when
// unreadOnly), in conversations they are still in. before is the
// created_at cursor of the previous page (0 for the first).
func (s *Service) Notifications(ctx context.Context, unreadOnly bool, before int64, limit int) (NotificationPage, error) {
	a, err := who(ctx)
	if err != nil {
		return NotificationPage{}, err
	}
	if limit <= 0 || limit > MaxPage {
		limit = DefaultPage
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	items, err := listNotifications(ctx, s.DB, a.AccountID, unreadOnly, before, limit+1)
	if err != nil {
		return NotificationPage{}, err
	}
	p := NotificationPage{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		p.NextCursor = itoa64(p.Items[limit-1].CreatedAt)
	}
	p.UnreadCount, err = countUnreadNotifications(ctx, s.DB, a.AccountID)
	return p, err
}

// MarkNotificationsRead marks notifications read: those of the given
// messages, or all of them when all is true.
func (s *Service) MarkNotificationsRead(ctx context.Context, messageIDs []string, all bool) (int, error) {
	a, err := who(ctx)
	if err != nil {
		return 0, err
	}
	if !all && len(messageIDs) == 0 {
		return 0, apperr.InvalidField("message_ids", "give message_ids or all: true")
	}
	if len(messageIDs) > MaxPage {
		return 0, apperr.InvalidField("message_ids", "at most 200 message_ids at a time")
	}
	if all {
		messageIDs = nil
	}
	var changed []string
	err = s.tx(ctx, func(ctx context.Context) error {
		var err error
		changed, err = markNotificationsRead(ctx, s.DB, a.AccountID, messageIDs, s.now())
		if err != nil || len(changed) == 0 {
			return err
		}
		_, err = events.Append(ctx, s.DB, "", events.ScopeAccount, a.AccountID, "notification.read",
			map[string]any{"message_ids": changed})
		return err
	})
	return len(changed), err
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
