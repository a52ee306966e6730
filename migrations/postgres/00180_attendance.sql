-- +goose Up
-- Attendance (internal/attendance): groups and their rules, shift
-- rosters, the organization's holidays and make-up workdays, check-ins,
-- the sealed raw location of each check-in, the day results, and the
-- leave, trips, overtime and corrections approvals brought in.

-- A group: whom it covers (members, JSON {member_ids, department_ids}) and
-- its rules (JSON: schedule kind, hours, shifts, workdays, places,
-- networks, grace minutes, out-of-area policy, correction limit, time
-- zone, legal basis, raw location retention).
CREATE TABLE attendance_groups (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    name       TEXT NOT NULL,
    members    TEXT NOT NULL DEFAULT '{}',
    rules      TEXT NOT NULL DEFAULT '{}',
    archived   BOOLEAN NOT NULL DEFAULT FALSE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX attendance_groups_org ON attendance_groups (org_id, archived);

-- The shift a member works on a day of a shift group ('' = rest).
CREATE TABLE attendance_roster (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    group_id   TEXT NOT NULL REFERENCES attendance_groups (id) ON DELETE CASCADE,
    member_id  TEXT NOT NULL,
    day        TEXT NOT NULL,
    shift_id   TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (group_id, member_id, day)
);

-- The organization's holidays (kind 'holiday') and make-up workdays
-- (kind 'workday').
CREATE TABLE attendance_holidays (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    day        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, day)
);

-- A check-in or check-out: when, for which work day, whether it was in the
-- area and how far from the nearest place (metres, -1 when unknown), what
-- it matched. No raw position here: see attendance_locations.
CREATE TABLE attendance_punches (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    group_id    TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    day         TEXT NOT NULL,
    at          BIGINT NOT NULL,
    method      TEXT NOT NULL,
    in_area     BOOLEAN NOT NULL,
    distance_m  INTEGER NOT NULL DEFAULT -1,
    matched     TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    UNIQUE (member_id, client_id)
);
CREATE INDEX attendance_punches_day ON attendance_punches (org_id, member_id, day);

-- The raw position, Wi-Fi BSSID, address and note of a check-in, sealed
-- together (JSON) with the person's key (sealed_key, the account id) and
-- the associated data "attendance_locations.raw:" + id. Rows are erased
-- at expires_at: the group's location retention (default 90 days) after
-- the check-in.
CREATE TABLE attendance_locations (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    raw         BYTEA,
    sealed_key  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX attendance_locations_expiry ON attendance_locations (expires_at);

-- A member's day: the plan (workday, shift, window), first in, last out,
-- lateness and early leave in minutes, leave or trip covering it, overtime
-- approved, and whether a correction filled it.
CREATE TABLE attendance_days (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL,
    group_id         TEXT NOT NULL,
    member_id        TEXT NOT NULL,
    account_id       TEXT NOT NULL,
    department_id    TEXT NOT NULL DEFAULT '',
    day              TEXT NOT NULL,
    workday          BOOLEAN NOT NULL,
    shift_id         TEXT NOT NULL DEFAULT '',
    start_at         BIGINT NOT NULL DEFAULT 0,
    end_at           BIGINT NOT NULL DEFAULT 0,
    first_in         BIGINT NOT NULL DEFAULT 0,
    last_out         BIGINT NOT NULL DEFAULT 0,
    late_minutes     INTEGER NOT NULL DEFAULT 0,
    early_minutes    INTEGER NOT NULL DEFAULT 0,
    out_of_area      BOOLEAN NOT NULL DEFAULT FALSE,
    leave_type       TEXT NOT NULL DEFAULT '',
    leave_part       TEXT NOT NULL DEFAULT '',
    overtime_minutes INTEGER NOT NULL DEFAULT 0,
    corrected        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (member_id, day)
);
CREATE INDEX attendance_days_org ON attendance_days (org_id, day);

-- An approved leave, trip, overtime or correction (one per approval
-- request), applied or refused (a correction over the monthly limit).
CREATE TABLE attendance_adjustments (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    request_id  TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    first_day   TEXT NOT NULL,
    last_day    TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}',
    status      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX attendance_adjustments_member ON attendance_adjustments (org_id, member_id, first_day);

-- Check-in and check-out reminders sent (one per member, day and kind).
CREATE TABLE attendance_reminders (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    day        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (member_id, day, kind)
);

-- The position in the event log up to which approval events were applied.
CREATE TABLE attendance_cursor (
    name     TEXT PRIMARY KEY,
    position BIGINT NOT NULL
);

-- A member's acknowledgement of the attendance privacy notice (what is
-- collected, who sees it, for how long), before any check-in.
CREATE TABLE attendance_notices (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL,
    member_id       TEXT NOT NULL,
    account_id      TEXT NOT NULL,
    version         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (member_id, version)
);

-- +goose Down
DROP TABLE attendance_notices;
DROP TABLE attendance_cursor;
DROP TABLE attendance_reminders;
DROP TABLE attendance_adjustments;
DROP TABLE attendance_days;
DROP TABLE attendance_locations;
DROP TABLE attendance_punches;
DROP TABLE attendance_holidays;
DROP TABLE attendance_roster;
DROP TABLE attendance_groups;
