-- +goose Up
-- Shared file bodies (internal/platform/blob, Counted): how many referrers
-- a body in the file store has when it has more than its writer (a link
-- gives another owner its own sealed data key for the same chunks: a chat
-- attachment saved to a drive, a drive file moved between a personal space
-- and an organization's). A body without a row has one referrer; a row at
-- 0 is a body whose bytes are being deleted. The bytes go with the last
-- referrer, whichever domain it is in.
CREATE TABLE blob_refs (
    blob_key   TEXT PRIMARY KEY,
    refs       INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE blob_refs;
