-- +goose Up
-- Messaging (internal/chat): conversations, their members, messages and
-- everything hanging off a message. Sequence numbers are per conversation;
-- read, cleared and joined positions are sequence numbers, so unread counts
-- and receipts are computed from positions instead of one row per reader.

-- kind: direct | general | internal | external. org_id is the owning
-- organization of internal/external groups ('' for direct and general);
-- owner_id is the account that owns the group ('' for direct). pair_key is
-- "<acc>:<acc>" (sorted) for direct conversations, which makes "one per
-- pair" a unique constraint; NULL for groups.
CREATE TABLE conversations (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    org_id          TEXT NOT NULL DEFAULT '',
    owner_id        TEXT NOT NULL DEFAULT '',
    pair_key        TEXT UNIQUE,
    name            TEXT NOT NULL DEFAULT '',
    topic           TEXT NOT NULL DEFAULT '',
    announcement    TEXT NOT NULL DEFAULT '',
    last_seq        BIGINT NOT NULL DEFAULT 0,
    last_message_at BIGINT NOT NULL DEFAULT 0,
    dissolved_at    BIGINT NOT NULL DEFAULT 0,
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX conversations_org ON conversations (org_id, kind);

-- role: owner | admin | member. joined_seq is the conversation's last_seq
-- when the member joined (receipts count only members who were there);
-- read_seq and cleared_seq are the member's read position and "cleared up
-- to" position. muted and pinned_at are per-person settings.
CREATE TABLE conversation_members (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    account_id      TEXT NOT NULL,
    role            TEXT NOT NULL DEFAULT 'member',
    joined_seq      BIGINT NOT NULL DEFAULT 0,
    read_seq        BIGINT NOT NULL DEFAULT 0,
    cleared_seq     BIGINT NOT NULL DEFAULT 0,
    muted           BOOLEAN NOT NULL DEFAULT FALSE,
    pinned_at       BIGINT NOT NULL DEFAULT 0,
    joined_at       BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, account_id)
);
CREATE INDEX conversation_members_account ON conversation_members (account_id, conversation_id);

-- rid is a stable integer key for the search index; id is the public id.
-- (conversation_id, seq) serves every history page as an index range scan;
-- (sender_id, client_msg_id) makes retried sends idempotent forever and
-- also serves the sender filter of search.
CREATE TABLE messages (
    rid             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    sender_id       TEXT NOT NULL,
    client_msg_id   TEXT NOT NULL,
    kind            TEXT NOT NULL,
    body            TEXT NOT NULL DEFAULT '',
    html            TEXT NOT NULL DEFAULT '',
    attachment      TEXT NOT NULL DEFAULT '',
    location        BLOB,
    file_id         TEXT NOT NULL DEFAULT '',
    reply_to_id     TEXT NOT NULL DEFAULT '',
    thread_root_id  TEXT NOT NULL DEFAULT '',
    mentions        TEXT NOT NULL DEFAULT '',
    mention_all     BOOLEAN NOT NULL DEFAULT FALSE,
    edited_at       BIGINT NOT NULL DEFAULT 0,
    deleted_at      BIGINT NOT NULL DEFAULT 0,
    deleted_by      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    UNIQUE (conversation_id, seq),
    UNIQUE (sender_id, client_msg_id)
);
CREATE INDEX messages_thread ON messages (thread_root_id, seq) WHERE thread_root_id <> '';
CREATE INDEX messages_file ON messages (file_id) WHERE file_id <> '';

-- Earlier versions of an edited message, visible to the participants.
CREATE TABLE message_edits (
    id         TEXT PRIMARY KEY,
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    editor_id  TEXT NOT NULL,
    body       TEXT NOT NULL,
    html       TEXT NOT NULL,
    edited_at  BIGINT NOT NULL
);
CREATE INDEX message_edits_message ON message_edits (message_id, edited_at);

CREATE TABLE message_reactions (
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    emoji      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (message_id, account_id, emoji)
);
CREATE INDEX message_reactions_account ON message_reactions (account_id);

-- "Delete for me": the message stays for everyone else.
CREATE TABLE message_hidden (
    account_id      TEXT NOT NULL,
    message_id      TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL,
    hidden_at       BIGINT NOT NULL,
    PRIMARY KEY (account_id, message_id)
);

CREATE TABLE message_pins (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    message_id      TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    pinned_by       TEXT NOT NULL,
    pinned_at       BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, message_id)
);

-- Uploaded files; the bytes live in platform/blob under blob_key (and the
-- thumbnail of an image under thumb_key).
CREATE TABLE chat_files (
    id           TEXT PRIMARY KEY,
    uploader_id  TEXT NOT NULL,
    org_id       TEXT NOT NULL DEFAULT '',
    blob_key     TEXT NOT NULL,
    thumb_key    TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);
CREATE INDEX chat_files_uploader ON chat_files (uploader_id, created_at);

-- Notification entries (mentions, direct messages): one per person and
-- message.
CREATE TABLE chat_notifications (
    account_id      TEXT NOT NULL,
    message_id      TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL,
    kind            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    read_at         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, message_id)
);
CREATE INDEX chat_notifications_list ON chat_notifications (account_id, created_at);

-- The search index (derived data, rebuilt by `atrium search reindex`):
-- contentless FTS5 with the trigram tokenizer, rowid = messages.rid.
CREATE VIRTUAL TABLE message_fts USING fts5(body, content = '', contentless_delete = 1, tokenize = 'trigram');

-- +goose Down
DROP TABLE message_fts;
DROP TABLE chat_notifications;
DROP TABLE chat_files;
DROP TABLE message_pins;
DROP TABLE message_hidden;
DROP TABLE message_reactions;
DROP TABLE message_edits;
DROP TABLE messages;
DROP TABLE conversation_members;
DROP TABLE conversations;
