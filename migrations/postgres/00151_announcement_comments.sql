-- +goose Up
-- Comments on announcements that allow them (internal/announce). A
-- comment's text is sealed under its author's key (content_key), with the
-- associated data "announcement_comments.content:" + id, so erasing the
-- author shreds it; content_key is '' only for rows written without a
-- keyring (tests). Comments go with their announcement.
CREATE TABLE announcement_comments (
    id              TEXT PRIMARY KEY,
    announcement_id TEXT NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    org_id          TEXT NOT NULL,
    author_id       TEXT NOT NULL,
    content         BYTEA,
    content_key     TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL
);
CREATE INDEX announcement_comments_list ON announcement_comments (announcement_id, created_at, id);
CREATE INDEX announcement_comments_author ON announcement_comments (author_id);

-- +goose Down
DROP TABLE announcement_comments;
