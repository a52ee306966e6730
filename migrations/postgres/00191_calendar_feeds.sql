-- +goose Up
-- Read-only ICS feeds (internal/calendar): a secret URL per calendar and
-- person that serves the calendar as that person sees it, without a
-- session. Only the secret's SHA-256 is kept; rotating replaces it,
-- revoking deletes the row.
CREATE TABLE calendar_feeds (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    calendar_id TEXT NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    account_id  TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    UNIQUE (calendar_id, member_id)
);
CREATE INDEX calendar_feeds_account ON calendar_feeds (account_id);

-- +goose Down
DROP TABLE calendar_feeds;
