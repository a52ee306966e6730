-- +goose Up
-- Files of announcements (internal/announce): attachments, a cover image
-- and images shown in the body. A publisher uploads a file, then an
-- announcement names it (announcement_id; '' until then) as an
-- attachment (role 'attachment', in the order of position), its cover
-- ('cover') or an image of its body ('image'). The bytes are in the file
-- store (blob_key), encrypted under the organization's key; the name is
-- sealed in meta (associated data "announcement_files.meta:" + id) under
-- meta_key.
CREATE TABLE announcement_files (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL,
    uploader_id     TEXT NOT NULL,
    announcement_id TEXT NOT NULL DEFAULT '',
    role            TEXT NOT NULL DEFAULT '',
    position        INTEGER NOT NULL DEFAULT 0,
    meta            BYTEA,
    meta_key        TEXT NOT NULL DEFAULT '',
    content_type    TEXT NOT NULL,
    size            BIGINT NOT NULL,
    sha256          TEXT NOT NULL,
    blob_key        TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX announcement_files_uploader ON announcement_files (uploader_id);
CREATE INDEX announcement_files_announcement ON announcement_files (announcement_id);

-- +goose Down
DROP TABLE announcement_files;
