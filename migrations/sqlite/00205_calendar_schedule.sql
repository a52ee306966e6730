-- +goose Up
-- Implicit scheduling over CalDAV (RFC 6638, internal/calendar): an event
-- organized by someone else shows in each member attendee's personal
-- calendar. A row per attendee's personal calendar and event records that
-- calendar's change sequence at the event's last change (an update, an
-- answer, the attendee removed, the event deleted), so that a calendar app
-- syncing from an older sequence learns of it. Rows go with their calendar
-- (deleted with it by the service: this migration comes before the
-- calendars table's).
CREATE TABLE calendar_schedule_changes (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    calendar_id TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    uid         TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (calendar_id, event_id)
);
CREATE INDEX calendar_schedule_changes_cal ON calendar_schedule_changes (calendar_id, seq);

-- +goose Down
DROP TABLE calendar_schedule_changes;
