-- +goose Up
-- Work reports (internal/report): templates designed by the organization,
-- the reports people write on them, who received each report and when
-- they read it, and the comments under it.

-- A template: its fields (JSON), who writes on it (submitters, an
-- audience as JSON), whom each report goes to (recipients, JSON), and its
-- schedule — period daily, weekly, monthly or custom, due at due_time in
-- the IANA time zone tz on due_weekday (weekly, 1 = Monday) or due_day
-- (monthly, 0 = the last day) and, for daily ones, on the workdays listed.
-- reminded_period is the last period whose reminders went out.
CREATE TABLE report_templates (
    id                    TEXT PRIMARY KEY,
    org_id                TEXT NOT NULL,
    name                  TEXT NOT NULL,
    period                TEXT NOT NULL,
    fields                TEXT NOT NULL DEFAULT '[]',
    plans                 BOOLEAN NOT NULL DEFAULT FALSE,
    submitters            TEXT NOT NULL DEFAULT '{}',
    recipients            TEXT NOT NULL DEFAULT '{}',
    tz                    TEXT NOT NULL DEFAULT 'UTC',
    due_time              TEXT NOT NULL DEFAULT '18:00',
    due_weekday           INTEGER NOT NULL DEFAULT 5,
    due_day               INTEGER NOT NULL DEFAULT 0,
    workdays              TEXT NOT NULL DEFAULT '[1,2,3,4,5]',
    edit_window_minutes   INTEGER NOT NULL DEFAULT 0,
    remind_before_minutes INTEGER NOT NULL DEFAULT 0,
    reminded_period       TEXT NOT NULL DEFAULT '',
    archived              BOOLEAN NOT NULL DEFAULT FALSE,
    created_by            TEXT NOT NULL,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);
CREATE INDEX report_templates_org ON report_templates (org_id, archived);

-- One report: one per template, member and period (the period's key, e.g.
-- 2026-12-04, 2026-W49 or 2026-12; the report's own id for custom
-- templates). Its field values and plans are sealed together (a JSON
-- object) under content_key — the organization's key, with the associated
-- data "reports.content:" + id. late is set when it was submitted after
-- due_at.
CREATE TABLE reports (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    template_id   TEXT NOT NULL REFERENCES report_templates (id) ON DELETE CASCADE,
    author_id     TEXT NOT NULL,
    member_id     TEXT NOT NULL,
    department_id TEXT NOT NULL DEFAULT '',
    period        TEXT NOT NULL,
    due_at        BIGINT NOT NULL DEFAULT 0,
    status        TEXT NOT NULL,
    content       BYTEA,
    content_key   TEXT NOT NULL DEFAULT '',
    submitted_at  BIGINT NOT NULL DEFAULT 0,
    late          BOOLEAN NOT NULL DEFAULT FALSE,
    edited_at     BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (template_id, member_id, period)
);
CREATE INDEX reports_author ON reports (org_id, author_id, created_at);
CREATE INDEX reports_template ON reports (template_id, period, status);

-- Who a submitted report went to, and when each of them read it.
CREATE TABLE report_recipients (
    report_id  TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL,
    account_id TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    read_at    BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (report_id, account_id)
);
-- The inbox pages by (created_at, report_id) and counts the unread.
CREATE INDEX report_recipients_account ON report_recipients (account_id, org_id, created_at, report_id);
CREATE INDEX report_recipients_unread ON report_recipients (account_id, org_id, read_at);

-- Comments under a report, sealed with the organization's key (associated
-- data "report_comments.content:" + id); mentions lists the account ids
-- the comment names.
CREATE TABLE report_comments (
    id          TEXT PRIMARY KEY,
    report_id   TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    org_id      TEXT NOT NULL,
    author_id   TEXT NOT NULL,
    content     BYTEA,
    content_key TEXT NOT NULL DEFAULT '',
    mentions    TEXT NOT NULL DEFAULT '[]',
    created_at  BIGINT NOT NULL
);
CREATE INDEX report_comments_report ON report_comments (report_id, created_at);

-- +goose Down
DROP TABLE report_comments;
DROP TABLE report_recipients;
DROP TABLE reports;
DROP TABLE report_templates;
