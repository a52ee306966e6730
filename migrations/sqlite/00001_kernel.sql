-- +goose Up
-- The event log (platform/events): one row per state change, appended in the
-- change's own transaction. pos is the global stream position.
CREATE TABLE event_log (
    pos        INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     TEXT NOT NULL DEFAULT '',
    scope_kind TEXT NOT NULL,
    scope_id   TEXT NOT NULL,
    type       TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX event_log_scope ON event_log (scope_kind, scope_id, pos);

-- The audit log (internal/audit): append-only and hash-chained. seq is
-- assigned under the lock on audit_head, so the chain has no gaps; hash is
-- SHA-256 over every other column and prev_hash.
CREATE TABLE audit_log (
    seq              BIGINT PRIMARY KEY,
    created_at       BIGINT NOT NULL,
    org_id           TEXT NOT NULL DEFAULT '',
    actor_account_id TEXT NOT NULL DEFAULT '',
    actor_member_id  TEXT NOT NULL DEFAULT '',
    via              TEXT NOT NULL DEFAULT '',
    ip               TEXT NOT NULL DEFAULT '',
    action           TEXT NOT NULL,
    target_kind      TEXT NOT NULL DEFAULT '',
    target_id        TEXT NOT NULL DEFAULT '',
    outcome          TEXT NOT NULL,
    request_id       TEXT NOT NULL DEFAULT '',
    details          TEXT NOT NULL DEFAULT '{}',
    prev_hash        TEXT NOT NULL,
    hash             TEXT NOT NULL
);
CREATE INDEX audit_log_org ON audit_log (org_id, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_account_id, seq);
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id, seq);

-- The head of the audit chain: the last seq and hash, updated in the same
-- transaction as every append. Locking this one row serializes appends, and
-- comparing it with the last row detects a truncated tail.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

-- The keyring (platform/keyring): per-owner data keys wrapped by the master
-- key, and tombstones of destroyed keys.
CREATE TABLE data_keys (
    owner_id   TEXT PRIMARY KEY,
    wrapped    BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE data_key_tombstones (
    owner_id     TEXT PRIMARY KEY,
    destroyed_at BIGINT NOT NULL
);
