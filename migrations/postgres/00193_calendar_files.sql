-- +goose Up
-- Files attached to calendar events (internal/calendar). A member uploads
-- a file (only they may download it then), and an event names it
-- (event_id; '' until then): from then on whoever may see the event may
-- download it. The bytes are in the file store (blob_key), encrypted under
-- the organization's key; they are deleted with the row when an edit drops
-- the file, its event or calendar is deleted, or the personal calendar it
-- is in goes with its owner.
CREATE TABLE calendar_files (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL,
    uploader_id  TEXT NOT NULL,
    event_id     TEXT NOT NULL DEFAULT '',
    position     INTEGER NOT NULL DEFAULT 0,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    blob_key     TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX calendar_files_event ON calendar_files (event_id, position);
CREATE INDEX calendar_files_uploader ON calendar_files (uploader_id);

-- +goose Down
DROP TABLE calendar_files;
