-- +goose Up
-- Files of work reports (internal/report), attached to a template's
-- attachment fields. The writer uploads a file, then a report names it in
-- an attachment field's value (report_id and field_id; '' until then, in
-- the order of position). The bytes are in the file store (blob_key),
-- encrypted under the organization's key; the name is sealed in meta
-- (associated data "report_files.meta:" + id) under meta_key.
CREATE TABLE report_files (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL,
    uploader_id  TEXT NOT NULL,
    report_id    TEXT NOT NULL DEFAULT '',
    field_id     TEXT NOT NULL DEFAULT '',
    position     INTEGER NOT NULL DEFAULT 0,
    meta         BYTEA,
    meta_key     TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    blob_key     TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX report_files_uploader ON report_files (uploader_id);
CREATE INDEX report_files_report ON report_files (report_id);

-- +goose Down
DROP TABLE report_files;
