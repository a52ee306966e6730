-- +goose Up
-- Web Push (internal/push). A person's devices: the push service's endpoint
-- and the device's keys are sealed together in secret (associated data
-- "push_subscriptions.secret:" + id) under the person's key; endpoint_hash
-- (a keyed hash of the endpoint) makes re-subscribing the same endpoint
-- update the row; endpoint_host is shown in the list of devices.
CREATE TABLE push_subscriptions (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL,
    endpoint_hash TEXT NOT NULL,
    endpoint_host TEXT NOT NULL,
    device_name   TEXT NOT NULL DEFAULT '',
    secret        BLOB NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    UNIQUE (account_id, endpoint_hash)
);

-- The deployment's VAPID key pair (RFC 8292), made at first start: the
-- private key sealed under the key of the owner "sys_push" (associated data
-- "push_vapid.private_key:" + id).
CREATE TABLE push_vapid (
    id          TEXT PRIMARY KEY,
    public_key  TEXT NOT NULL,
    private_key BLOB NOT NULL,
    created_at  BIGINT NOT NULL
);

-- How far the sender has read the event log.
CREATE TABLE push_cursor (
    name     TEXT PRIMARY KEY,
    position BIGINT NOT NULL
);

-- +goose Down
DROP TABLE push_cursor;
DROP TABLE push_vapid;
DROP TABLE push_subscriptions;
