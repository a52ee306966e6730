package chat

import (
	"context"
	"net/http"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
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
		var res interface{ RowsAffected() (int64, error) }
		typ := "message.saved"
		if on {
			res, err = s.DB.W(ctx).ExecContext(ctx, `INSERT INTO saved_messages (account_id, message_id, conversation_id, saved_at)
				VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, message_id) DO NOTHING`, me, m.ID, c.ID, s.now())
		} else {
			typ = "message.unsaved"
			res, err = s.DB.W(ctx).ExecContext(ctx, `DELETE FROM saved_messages WHERE account_id = $1 AND message_id = $2`, me, m.ID)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
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
	type row struct {
		msgID, convID string
		savedAt       int64
	}
	cond, args := "", []any{a.AccountID, limit + 1}
	if after != "" {
		cond = ` AND (sv.saved_at < $3 OR (sv.saved_at = $3 AND sv.message_id < $4))`
		args = append(args, at, after)
	}
	rows, err := db.QueryAll(ctx, s.DB.R(ctx), func(sc db.Scanner) (row, error) {
		var r row
		err := sc.Scan(&r.msgID, &r.convID, &r.savedAt)
		return r, err
	}, `SELECT sv.message_id, sv.conversation_id, sv.saved_at
		FROM saved_messages sv
		JOIN conversation_members cm ON cm.conversation_id = sv.conversation_id AND cm.account_id = sv.account_id
		JOIN messages m ON m.id = sv.message_id AND m.seq > cm.cleared_seq
		WHERE sv.account_id = $1
		AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.account_id = sv.account_id AND h.message_id = sv.message_id)`+cond+`
		ORDER BY sv.saved_at DESC, sv.message_id DESC LIMIT $2`, args...)
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

// HandleSave answers PUT …/messages/{message_id}/saved.
func (s *Service) HandleSave(w http.ResponseWriter, r *http.Request) error {
	if err := s.Save(r.Context(), r.PathValue("id"), r.PathValue("message_id"), true); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleUnsave answers DELETE …/messages/{message_id}/saved.
func (s *Service) HandleUnsave(w http.ResponseWriter, r *http.Request) error {
	if err := s.Save(r.Context(), r.PathValue("id"), r.PathValue("message_id"), false); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleSaved answers GET /api/v1/me/saved-messages.
func (s *Service) HandleSaved(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	p, err := s.Saved(r.Context(), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		return err
	}
	return httpx.OK(w, p)
}
