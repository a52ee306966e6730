-- +goose Up
-- Approvals (internal/approval): templates the organization designs, kept
-- as numbered versions (a request keeps the version it was filed with),
-- the requests filed on them with their steps, tasks and history, and
-- whom each request was copied to.

-- A template: its current version, who may file it (available_to, an
-- audience as JSON) and, for the built-in ones, their key (builtin).
CREATE TABLE approval_templates (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL,
    builtin      TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL,
    available_to TEXT NOT NULL DEFAULT '{"all":true}',
    archived     BOOLEAN NOT NULL DEFAULT FALSE,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX approval_templates_org ON approval_templates (org_id, archived);
-- Each organization's built-ins are seeded once.
CREATE UNIQUE INDEX approval_templates_builtin ON approval_templates (org_id, builtin) WHERE builtin <> '';

-- One version of a template: its name, description, group, form fields
-- and flow (JSON), never changed once written.
CREATE TABLE approval_template_versions (
    template_id TEXT NOT NULL REFERENCES approval_templates (id) ON DELETE CASCADE,
    org_id      TEXT NOT NULL,
    version     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    group_name  TEXT NOT NULL DEFAULT '',
    fields      TEXT NOT NULL DEFAULT '[]',
    flow        TEXT NOT NULL DEFAULT '{}',
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (template_id, version)
);

-- A request: filed by applicant_id (account) as member_id on a template
-- version. Its form values are sealed (a JSON object) under form_key —
-- the organization's key, associated data "approval_requests.form:" + id.
-- chosen holds the approvers the applicant picked per step (JSON).
-- round counts how often it went back (return); lock_seq is bumped by
-- every change, which serializes concurrent decisions on one request.
CREATE TABLE approval_requests (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    template_id   TEXT NOT NULL REFERENCES approval_templates (id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    applicant_id  TEXT NOT NULL,
    member_id     TEXT NOT NULL,
    department_id TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL,
    status        TEXT NOT NULL,
    form          BYTEA,
    form_key      TEXT NOT NULL DEFAULT '',
    chosen        TEXT NOT NULL DEFAULT '{}',
    current_step  TEXT NOT NULL DEFAULT '',
    round         INTEGER NOT NULL DEFAULT 0,
    lock_seq      INTEGER NOT NULL DEFAULT 0,
    client_id     TEXT NOT NULL DEFAULT '',
    urged_at      BIGINT NOT NULL DEFAULT 0,
    submitted_at  BIGINT NOT NULL,
    finished_at   BIGINT NOT NULL DEFAULT 0,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX approval_requests_applicant ON approval_requests (org_id, applicant_id, submitted_at, id);
CREATE INDEX approval_requests_template ON approval_requests (template_id, status, submitted_at);
CREATE UNIQUE INDEX approval_requests_client ON approval_requests (applicant_id, client_id) WHERE client_id <> '';

-- The steps of a request's flow, resolved when it was filed (idx is the
-- order): status waiting, active, approved, rejected, skipped or
-- returned; reason says why one was skipped.
CREATE TABLE approval_steps (
    request_id    TEXT NOT NULL REFERENCES approval_requests (id) ON DELETE CASCADE,
    org_id        TEXT NOT NULL,
    idx           INTEGER NOT NULL,
    step_id       TEXT NOT NULL,
    name          TEXT NOT NULL,
    mode          TEXT NOT NULL,
    status        TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    activated_at  BIGINT NOT NULL DEFAULT 0,
    decided_at    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (request_id, idx)
);

-- One approver's task on a step in a round: planned (the step was not
-- reached yet), waiting (for waits_for, the task before it), pending,
-- approved, rejected, transferred or skipped.
-- on_behalf_of is the approver a delegate acts for; comment is sealed
-- under comment_key (associated data "approval_tasks.comment:" + id).
CREATE TABLE approval_tasks (
    id           TEXT PRIMARY KEY,
    request_id   TEXT NOT NULL REFERENCES approval_requests (id) ON DELETE CASCADE,
    org_id       TEXT NOT NULL,
    step_idx     INTEGER NOT NULL,
    round        INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    approver_id  TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    on_behalf_of TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    waits_for    TEXT NOT NULL DEFAULT '',
    origin       TEXT NOT NULL DEFAULT '',
    comment      BYTEA,
    comment_key  TEXT NOT NULL DEFAULT '',
    activated_at BIGINT NOT NULL DEFAULT 0,
    decided_at   BIGINT NOT NULL DEFAULT 0,
    reminded_at  BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);
CREATE INDEX approval_tasks_request ON approval_tasks (request_id, round, step_idx, seq);
-- "To approve" pages by (activated_at, request_id); "Done" by decided_at.
CREATE INDEX approval_tasks_todo ON approval_tasks (approver_id, status, org_id, activated_at, request_id);
CREATE INDEX approval_tasks_done ON approval_tasks (approver_id, org_id, decided_at);

-- A request's history: who did what when (action), on which step, with a
-- sealed comment (associated data "approval_events.comment:" + id) and a
-- detail (JSON: whom a task went to, why a step was skipped).
CREATE TABLE approval_events (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES approval_requests (id) ON DELETE CASCADE,
    org_id      TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    at          BIGINT NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    step_id     TEXT NOT NULL DEFAULT '',
    comment     BYTEA,
    comment_key TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX approval_events_request ON approval_events (request_id, seq);
CREATE INDEX approval_events_actor ON approval_events (actor_id);

-- Whom a request was copied to (at submission or at its end).
CREATE TABLE approval_cc (
    request_id TEXT NOT NULL REFERENCES approval_requests (id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL,
    account_id TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (request_id, account_id)
);
CREATE INDEX approval_cc_account ON approval_cc (account_id, org_id, created_at, request_id);

-- Comments under a request, sealed with the organization's key (associated
-- data "approval_comments.content:" + id); mentions lists the member ids
-- the comment names, file_ids the files attached.
CREATE TABLE approval_comments (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES approval_requests (id) ON DELETE CASCADE,
    org_id      TEXT NOT NULL,
    author_id   TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    content     BYTEA,
    content_key TEXT NOT NULL DEFAULT '',
    mentions    TEXT NOT NULL DEFAULT '[]',
    file_ids    TEXT NOT NULL DEFAULT '[]',
    created_at  BIGINT NOT NULL
);
CREATE INDEX approval_comments_request ON approval_comments (request_id, created_at);
CREATE INDEX approval_comments_author ON approval_comments (author_id);

-- +goose Down
DROP TABLE approval_comments;
DROP TABLE approval_cc;
DROP TABLE approval_events;
DROP TABLE approval_tasks;
DROP TABLE approval_steps;
DROP TABLE approval_requests;
DROP TABLE approval_template_versions;
DROP TABLE approval_templates;
