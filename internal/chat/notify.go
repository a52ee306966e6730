package chat

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
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

// notificationCursor is a position in the list of notifications, which is
// ordered by (created_at DESC, message_id DESC): a page continues strictly
// after it. Every message of one writer batch shares its created_at, so
// created_at alone cannot say where a page ended.
type notificationCursor struct {
	createdAt int64
	messageID string // "" continues below createdAt (a bare integer cursor)
}

// parseNotificationCursor reads a next_cursor (httpx.Cursor: created_at,
// message id), or one of the forms handed out before, which clients may
// still hold: "<created_at>.<message_id>", or a bare created_at ("" and
// "0" mean the first page). A bad cursor is 400 invalid_query, as the list
// has always answered.
func parseNotificationCursor(v string) (notificationCursor, error) {
	c, err := httpx.ParseCursor(v, legacyNotificationCursor)
	at, ok := c.Int()
	switch {
	case err != nil || (v != "" && (!ok || at < 0)):
		return notificationCursor{}, apperr.New(apperr.KindInvalid, "invalid_query", "cursor is not valid").With("param", "cursor")
	case at == 0 && c.ID == "":
		return notificationCursor{createdAt: math.MaxInt64}, nil
	}
	return notificationCursor{createdAt: at, messageID: c.ID}, nil
}

// legacyNotificationCursor reads "<created_at>.<message_id>" and a bare
// created_at (its Cursor has an empty ID: everything below created_at).
func legacyNotificationCursor(v string) (httpx.Cursor, bool) {
	at, id, compound := strings.Cut(v, ".")
	if at == "" || strings.Trim(at, "0123456789") != "" {
		return httpx.Cursor{}, false
	}
	if compound && (id == "" || len(id) > 100 || strings.IndexFunc(id, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) >= 0) {
		return httpx.Cursor{}, false
	}
	return httpx.Cursor{Key: at, ID: id}, true
}

// Notifications lists the caller's notifications (only unread ones when
// unreadOnly), in conversations they are still in, each with its message
// as GetMessage would return it (nil when the caller may not see it any
// more: hidden for them, cleared, or the conversation left). cursor is
// the next_cursor of the previous page ("" for the first).
func (s *Service) Notifications(ctx context.Context, unreadOnly bool, cursor string, limit int) (NotificationPage, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return NotificationPage{}, err
	}
	if limit <= 0 || limit > MaxPage {
		limit = DefaultPage
	}
	cur, err := parseNotificationCursor(cursor)
	if err != nil {
		return NotificationPage{}, err
	}
	items, err := listNotifications(ctx, s.DB, a.AccountID, unreadOnly, cur.createdAt, cur.messageID, limit+1)
	if err != nil {
		return NotificationPage{}, err
	}
	p := NotificationPage{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		last := p.Items[limit-1]
		p.NextCursor = httpx.IntCursor(last.CreatedAt, last.MessageID).String()
	}
	if err := s.attachMessages(ctx, p.Items); err != nil {
		return NotificationPage{}, err
	}
	p.UnreadCount, err = countUnreadNotifications(ctx, s.DB, a.AccountID)
	return p, err
}

// attachMessages sets the message of each notification, exactly as
// GetMessage returns it to the caller: one view per conversation on the
// page, then each visible message, presented per conversation.
func (s *Service) attachMessages(ctx context.Context, ns []Notification) error {
	type group struct {
		c   *Conversation
		me  string
		idx []int // of ns
		ms  []Message
	}
	groups := map[string]*group{}
	var order []*group
	for i := range ns {
		g, seen := groups[ns[i].ConversationID]
		if !seen {
			c, me, err := s.view(ctx, ns[i].ConversationID)
			if err != nil && !errors.Is(err, apperr.ErrNotFound) {
				return err
			}
			if err == nil {
				g = &group{c: c, me: me}
				order = append(order, g)
			}
			groups[ns[i].ConversationID] = g // nil: no longer visible
		}
		if g == nil {
			continue
		}
		m, err := getMessage(ctx, s.DB, g.c.ID, ns[i].MessageID, g.me, g.c.ClearedSeq)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		g.idx = append(g.idx, i)
		g.ms = append(g.ms, m)
	}
	for _, g := range order {
		if len(g.ms) == 0 {
			continue
		}
		s.presentAll(ctx, g.me, g.c, g.ms)
		for j, i := range g.idx {
			m := g.ms[j]
			ns[i].Message = &m
		}
	}
	return nil
}

// MarkNotificationsRead marks notifications read: those of the given
// messages, or all of them when all is true.
func (s *Service) MarkNotificationsRead(ctx context.Context, messageIDs []string, all bool) (int, error) {
	a, err := actor.Caller(ctx)
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
