-- +goose Up
-- Guardian consent by email (internal/privacy): a minor names a parent or
-- guardian, who confirms through a one-time link. Only the link's hash is
-- stored.
CREATE TABLE guardian_requests (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL,
    token_hash     TEXT NOT NULL UNIQUE,
    guardian_name  TEXT NOT NULL,
    guardian_email TEXT NOT NULL,
    relationship   TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    confirmed_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX guardian_requests_account ON guardian_requests (account_id, created_at);
