-- +goose Up
-- Files attached to approval requests and their comments (internal/
-- approval): uploaded by a member, then attached to one request
-- (request_id). The bytes are in the file store (blob_key), encrypted
-- under the organization's key; the name is sealed in meta (associated
-- data "approval_files.meta:" + id) under meta_key.
CREATE TABLE approval_files (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL,
    uploader_id  TEXT NOT NULL,
    request_id   TEXT NOT NULL DEFAULT '',
    meta         BLOB,
    meta_key     TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    blob_key     TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX approval_files_uploader ON approval_files (uploader_id);
CREATE INDEX approval_files_request ON approval_files (request_id);

-- +goose Down
DROP TABLE approval_files;
