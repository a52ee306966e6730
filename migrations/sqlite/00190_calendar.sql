-- +goose Up
-- Calendar (internal/calendar): personal and organization calendars with
-- their sharing, events with recurrence and single-occurrence overrides,
-- attendees and their answers, meeting rooms and their bookings, the
-- reminders sent, and the tombstones of deleted events (for sync).

-- A calendar: a member's personal one (kind 'personal', owner set) or one
-- of the organization's (team, department, holidays). seq is the change
-- sequence: every change to the calendar or its events increments it.
CREATE TABLE calendars (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL,
    kind             TEXT NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    color            TEXT NOT NULL DEFAULT '',
    time_zone        TEXT NOT NULL DEFAULT 'UTC',
    owner_account_id TEXT NOT NULL DEFAULT '',
    owner_member_id  TEXT NOT NULL DEFAULT '',
    seq              BIGINT NOT NULL DEFAULT 0,
    created_by       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX calendars_org ON calendars (org_id, kind);
CREATE UNIQUE INDEX calendars_personal ON calendars (org_id, owner_member_id) WHERE kind = 'personal';

-- Who may view or edit an organization calendar: members, departments or
-- roles (subject_kind), at level 'view' or 'edit'.
CREATE TABLE calendar_access (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL,
    calendar_id  TEXT NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    level        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (calendar_id, subject_kind, subject_id)
);

-- An event (a series when rrule or rdates are set). start_local and
-- end_local are the wall-clock start and end in time_zone
-- (YYYY-MM-DDTHH:MM:SS, or YYYY-MM-DD for all-day events); start_at and
-- end_at the first occurrence in unix ms; last_end_at the end of the last
-- occurrence (0: unbounded). rdates and exdates are JSON lists of local
-- starts. uid is stable (iCalendar UID); revision increments on every
-- change (the ETag); seq is the calendar's sequence at the last change.
CREATE TABLE calendar_events (
    id                   TEXT PRIMARY KEY,
    org_id               TEXT NOT NULL,
    calendar_id          TEXT NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    uid                  TEXT NOT NULL,
    title                TEXT NOT NULL DEFAULT '',
    description          TEXT NOT NULL DEFAULT '',
    location             TEXT NOT NULL DEFAULT '',
    time_zone            TEXT NOT NULL,
    all_day              BOOLEAN NOT NULL DEFAULT FALSE,
    start_local          TEXT NOT NULL,
    end_local            TEXT NOT NULL,
    start_at             BIGINT NOT NULL,
    end_at               BIGINT NOT NULL,
    last_end_at          BIGINT NOT NULL DEFAULT 0,
    rrule                TEXT NOT NULL DEFAULT '',
    rdates               TEXT NOT NULL DEFAULT '[]',
    exdates              TEXT NOT NULL DEFAULT '[]',
    visibility           TEXT NOT NULL DEFAULT 'default',
    reminders            TEXT NOT NULL DEFAULT '[]',
    organizer_account_id TEXT NOT NULL,
    organizer_member_id  TEXT NOT NULL,
    conversation_id      TEXT NOT NULL DEFAULT '',
    revision             BIGINT NOT NULL DEFAULT 1,
    seq                  BIGINT NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    UNIQUE (calendar_id, uid)
);
CREATE INDEX calendar_events_range ON calendar_events (calendar_id, start_at);
CREATE INDEX calendar_events_org ON calendar_events (org_id, start_at);
CREATE INDEX calendar_events_organizer ON calendar_events (organizer_member_id);

-- One occurrence of a series changed or cancelled, keyed by its original
-- start (recurrence_at, unix ms).
CREATE TABLE calendar_overrides (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    event_id      TEXT NOT NULL REFERENCES calendar_events (id) ON DELETE CASCADE,
    recurrence_at BIGINT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    location      TEXT NOT NULL DEFAULT '',
    start_local   TEXT NOT NULL,
    end_local     TEXT NOT NULL,
    start_at      BIGINT NOT NULL,
    end_at        BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (event_id, recurrence_at)
);

-- An event's attendees: members (kind 'member', department_id set when
-- invited through a department), external people by email ('external')
-- and rooms ('room', room_id set). rsvp: needs_action, accepted, declined,
-- tentative.
CREATE TABLE calendar_attendees (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    event_id      TEXT NOT NULL REFERENCES calendar_events (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    member_id     TEXT NOT NULL DEFAULT '',
    account_id    TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    room_id       TEXT NOT NULL DEFAULT '',
    department_id TEXT NOT NULL DEFAULT '',
    rsvp          TEXT NOT NULL DEFAULT 'needs_action',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX calendar_attendees_event ON calendar_attendees (event_id);
CREATE INDEX calendar_attendees_member ON calendar_attendees (member_id);
CREATE INDEX calendar_attendees_room ON calendar_attendees (room_id);

-- Meeting rooms: resources booked by adding them to an event.
CREATE TABLE calendar_rooms (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    name       TEXT NOT NULL,
    capacity   INTEGER NOT NULL DEFAULT 0,
    location   TEXT NOT NULL DEFAULT '',
    equipment  TEXT NOT NULL DEFAULT '[]',
    archived   BOOLEAN NOT NULL DEFAULT FALSE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX calendar_rooms_org ON calendar_rooms (org_id, archived);

-- The reminders sent: one row per event, occurrence, lead time and
-- person, so that each fires once.
CREATE TABLE calendar_reminders (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    event_id      TEXT NOT NULL REFERENCES calendar_events (id) ON DELETE CASCADE,
    account_id    TEXT NOT NULL,
    occurrence_at BIGINT NOT NULL,
    minutes       INTEGER NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (event_id, occurrence_at, minutes, account_id)
);

-- Deleted events, by uid and the calendar sequence of the deletion, so
-- that a sync from an older sequence learns of them.
CREATE TABLE calendar_tombstones (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    calendar_id TEXT NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    uid         TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX calendar_tombstones_cal ON calendar_tombstones (calendar_id, seq);

-- +goose Down
DROP TABLE calendar_tombstones;
DROP TABLE calendar_reminders;
DROP TABLE calendar_rooms;
DROP TABLE calendar_attendees;
DROP TABLE calendar_overrides;
DROP TABLE calendar_events;
DROP TABLE calendar_access;
DROP TABLE calendars;
