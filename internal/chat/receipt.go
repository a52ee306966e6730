package chat

import (
	"context"
	"errors"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
)

// Read positions. Each member has a read position (a seq): every message
// at or below it counts as read by them. Receipts and unread counts are
// computed from positions, so marking a conversation read is one update
// however many messages it covers.

// ReadState is the caller's read position after MarkRead.
type ReadState struct {
	ConversationID string `json:"conversation_id"`
	ReadSeq        int64  `json:"read_seq"`
	UnreadCount    int    `json:"unread_count"`
}

// MarkRead moves the caller's read position up to a message (never back).
func (s *Service) MarkRead(ctx context.Context, convID, upToMessageID string) (ReadState, error) {
	if upToMessageID == "" {
		return ReadState{}, apperr.InvalidField("up_to_message_id", "up_to_message_id is required")
	}
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return ReadState{}, err
	}
	m, err := getMessage(ctx, s.DB, c.ID, upToMessageID, me, -1)
	if err != nil {
		// Hidden or cleared messages still mark read.
		if m, err = getMessageAny(ctx, s, c.ID, upToMessageID); err != nil {
			return ReadState{}, apperr.MapNotFound(err)
		}
	}
	var st ReadState
	err = s.tx(ctx, func(ctx context.Context) error {
		before := c.ReadSeq
		pos, err := advanceRead(ctx, s.DB, c.ID, me, m.Seq)
		if err != nil {
			return err
		}
		st = ReadState{ConversationID: c.ID, ReadSeq: pos}
		if c.MarkedUnread {
			// Reading takes the "unread" mark away, on every device.
			if err := setMarkedUnread(ctx, s.DB, c.ID, me, false); err != nil {
				return err
			}
			if _, err := events.Append(ctx, s.DB, c.OrgID, events.ScopeAccount, me, "conversation.settings",
				map[string]any{"conversation_id": c.ID, "muted": c.Muted, "pinned": c.Pinned, "marked_unread": false}); err != nil {
				return err
			}
		}
		if pos == before {
			return nil
		}
		if err := markConversationNotificationsRead(ctx, s.DB, c.ID, me, pos, s.now()); err != nil {
			return err
		}
		_, err = events.Append(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, "receipt.updated",
			map[string]any{"conversation_id": c.ID, "account_id": me, "read_seq": pos})
		return err
	})
	if err != nil {
		return ReadState{}, err
	}
	c.ReadSeq = st.ReadSeq
	st.UnreadCount, err = unreadCount(ctx, s.DB, c, me)
	return st, err
}

// getMessageAny loads a message of the conversation whatever the caller
// cleared or hid.
func getMessageAny(ctx context.Context, s *Service, convID, msgID string) (Message, error) {
	return getMessage(ctx, s.DB, convID, msgID, "", -1)
}

// Receipts says who has read a message: counts for everyone, and in groups
// the lists of who has and has not read it. Members who joined after the
// message, and its sender, are not counted.
func (s *Service) Receipts(ctx context.Context, convID, msgID string) (Receipts, error) {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return Receipts{}, err
	}
	m, err := getMessage(ctx, s.DB, c.ID, msgID, me, c.ClearedSeq)
	if err != nil {
		return Receipts{}, apperr.MapNotFound(err)
	}
	read, unread, err := receiptMembers(ctx, s.DB, c.ID, m.Seq, m.SenderID)
	if err != nil {
		return Receipts{}, err
	}
	r := Receipts{MessageID: m.ID, ReadCount: len(read), UnreadCount: len(unread)}
	if c.isGroup() {
		r.Read, r.Unread = read, unread
	}
	return r, nil
}

// ReplayClear applies again, after a restore from a backup, a clear of
// accountID's history of convID made at (Unix ms): everything sent up to
// then is cleared for them again (never less than what the restored
// database already has). A conversation or membership that is gone is no
// error: there is nothing left to show. It runs without an actor.
func (s *Service) ReplayClear(ctx context.Context, convID, accountID string, at int64) error {
	return s.tx(ctx, func(ctx context.Context) error {
		seq, err := lastSeqAt(ctx, s.DB, convID, at)
		if err != nil || seq == 0 {
			return err
		}
		if err := clearUpTo(ctx, s.DB, convID, accountID, seq); err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		return nil
	})
}

// ReplayHide applies again, after a restore, accountID's "delete for me"
// of a message. It runs without an actor.
func (s *Service) ReplayHide(ctx context.Context, msgID, accountID string) error {
	return hideMessageByID(ctx, s.DB, accountID, msgID, s.now())
}

// Clear clears the conversation's history for the caller: everything up to
// now disappears from their listings, search and every device, and counts
// as read. Others keep it.
func (s *Service) Clear(ctx context.Context, convID string) (ReadState, error) {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return ReadState{}, err
	}
	var upTo int64
	err = s.tx(ctx, func(ctx context.Context) error {
		cur, err := getConversation(ctx, s.DB, c.ID)
		if err != nil {
			return err
		}
		upTo = cur.LastSeq
		if err := clearUpTo(ctx, s.DB, c.ID, me, upTo); err != nil {
			return err
		}
		if err := markConversationNotificationsRead(ctx, s.DB, c.ID, me, upTo, s.now()); err != nil {
			return err
		}
		_, err = events.Append(ctx, s.DB, c.OrgID, events.ScopeAccount, me, "conversation.cleared",
			map[string]any{"conversation_id": c.ID, "cleared_seq": upTo})
		return err
	})
	if err != nil {
		return ReadState{}, err
	}
	return ReadState{ConversationID: c.ID, ReadSeq: upTo}, nil
}
