package chat

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// Saved messages are a person's own bookmarks across conversations. A
// saved message is listed only while its saver can still see it: a
// member of its conversation, not cleared or deleted for themselves; a
// message deleted for everyone shows as deleted.

// SavedMessage is one entry of the saved list.
type SavedMessage struct {
	SavedAt int64   `json:"saved_at"`
	Message Message `json:"message"`
}

// SavedPage is a page of saved messages, the most recently saved first.
type SavedPage struct {
	Items      []SavedMessage `json:"items"`
	NextCursor string         `json:"next_cursor"`
}

// Save saves a message for the caller (on) or removes it from their saved
// messages; both are idempotent.
func (s *Service) Save(ctx context.Context, convID, msgID string, on bool) error {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(ctx context.Context) error {
		m, err := getMessage(ctx, s.DB, c.ID, msgID, me, c.ClearedSeq)
		if err != nil {
			return apperr.MapNotFound(err)
		}
		typ := "message.saved"
		if !on {
			typ = "message.unsaved"
		}
		changed, err := setSaved(ctx, s.DB, me, c.ID, m.ID, on, s.now())
		if err != nil || !changed {
			return err
		}
		// The person's other devices update their saved list.
		_, err = events.Append(ctx, s.DB, c.OrgID, events.ScopeAccount, me, typ,
			map[string]any{"conversation_id": c.ID, "message_id": m.ID})
		return err
	})
}

// Saved lists the caller's saved messages that they can still see, the
// most recently saved first.
func (s *Service) Saved(ctx context.Context, cursor string, limit int) (SavedPage, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return SavedPage{}, err
	}
	at, after, err := httpx.ParseIntCursor(cursor)
	if err != nil {
		return SavedPage{}, err
	}
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	rows, err := savedRows(ctx, s.DB, a.AccountID, at, after, limit+1)
	if err != nil {
		return SavedPage{}, err
	}
	page := SavedPage{Items: []SavedMessage{}}
	if len(rows) > limit {
		last := rows[limit-1]
		page.NextCursor = httpx.IntCursor(last.savedAt, last.msgID).String()
		rows = rows[:limit]
	}
	views := map[string]*Conversation{}
	for _, r := range rows {
		c := views[r.convID]
		if c == nil {
			v, err := getView(ctx, s.DB, r.convID, a.AccountID)
			if err != nil {
				continue // left between the two reads
			}
			c = &v
			views[r.convID] = c
		}
		m, err := getMessage(ctx, s.DB, c.ID, r.msgID, a.AccountID, c.ClearedSeq)
		if err != nil {
			continue
		}
		page.Items = append(page.Items, SavedMessage{SavedAt: r.savedAt, Message: s.present(ctx, a.AccountID, c, m)})
	}
	return page, nil
}
