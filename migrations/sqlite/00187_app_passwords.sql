-- +goose Up
-- App passwords (internal/identity): secrets a person creates for the apps
-- that sync calendars and files over standard protocols (CalDAV, WebDAV),
-- which send them with HTTP Basic authentication on every request. Only
-- the SHA-256 of the secret is stored (secret_hash); the secret is shown
-- once, at creation. last_used_at and last_used_ip are written at most once
-- a minute.
CREATE TABLE app_passwords (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL DEFAULT 0,
    last_used_ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX app_passwords_account ON app_passwords (account_id, created_at);

-- +goose Down
DROP TABLE app_passwords;
