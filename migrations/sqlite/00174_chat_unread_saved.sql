-- +goose Up
-- "Mark as unread": a person's flag on a conversation, shown as unread in
-- their list until they open it again. Read positions (and so the read
-- receipts others see) do not move back.
ALTER TABLE conversation_members ADD COLUMN marked_unread BOOLEAN NOT NULL DEFAULT FALSE;

-- Saved messages: a person's own bookmarks, across conversations. A saved
-- message stays listed only while the person can still see it.
CREATE TABLE saved_messages (
    account_id      TEXT NOT NULL,
    message_id      TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL,
    saved_at        BIGINT NOT NULL,
    PRIMARY KEY (account_id, message_id)
);
CREATE INDEX saved_messages_by_time ON saved_messages (account_id, saved_at, message_id);

-- +goose Down
DROP TABLE saved_messages;
ALTER TABLE conversation_members DROP COLUMN marked_unread;
