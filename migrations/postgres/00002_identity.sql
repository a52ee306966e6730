-- +goose Up
-- Identity (internal/identity): accounts, sessions, codes, 2FA recovery
-- codes, login history, known clients, notices and rate limits; and the
-- email outbox (platform/outbox), which identity is the first to use.
--
-- Sensitive fields are sealed with the person's data key (platform/keyring)
-- bound to their row ("accounts.phone:acc_…"); lookups use keyed hashes.

CREATE TABLE accounts (
    id                 TEXT PRIMARY KEY,
    email_hash         TEXT NOT NULL UNIQUE,
    email_sealed       BYTEA NOT NULL,
    phone_hash         TEXT UNIQUE,
    phone_sealed       BYTEA,
    name               TEXT NOT NULL,
    birth_date_sealed  BYTEA,
    password_hash      TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL,
    locale             TEXT NOT NULL DEFAULT '',
    totp_secret_sealed BYTEA,
    totp_enabled       BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step     BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

-- Sessions: the token is never stored, only its SHA-256.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    org_id       TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    device_id    TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id, created_at);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- One-time codes sent by email (registration, password reset): one live
-- code per account and purpose, stored as a keyed hash.
CREATE TABLE verification_codes (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, purpose)
);

-- 2FA recovery codes, keyed hashes, single use.
CREATE TABLE recovery_codes (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

-- Login history: every sign-in attempt on a known account.
CREATE TABLE login_history (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    ip         TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    device_id  TEXT NOT NULL DEFAULT '',
    method     TEXT NOT NULL,
    outcome    TEXT NOT NULL
);
CREATE INDEX login_history_account ON login_history (account_id, id);

-- Devices and networks an account has signed in from, as keyed hashes, so
-- that a sign-in from a new one can be told to the person.
CREATE TABLE known_clients (
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    value_hash    TEXT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, kind, value_hash)
);

-- Security notices shown to the person (new device or network, …).
CREATE TABLE account_notices (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL
);
CREATE INDEX account_notices_account ON account_notices (account_id, id);

-- Rate limits: a counter per key in a window that starts at its first hit.
-- Keys hold keyed hashes, never raw addresses.
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count        INTEGER NOT NULL
);

-- The email outbox (platform/outbox): rows are deleted once delivered.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (next_attempt_at);
