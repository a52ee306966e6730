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
