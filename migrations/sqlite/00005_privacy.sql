-- +goose Up
-- The privacy center (internal/privacy) and background jobs (platform/jobs).
-- Job payloads, the erasure ledger and request rows hold ids only; the
-- personal data they act on stays in the tables of its own domain.

-- Background jobs with leases: a node claims a due job by setting
-- lease_owner/lease_until; a job whose lease expired (its node crashed) is
-- claimed again. checkpoint is the job's own resumable state.
CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    dedupe_key   TEXT,
    payload      TEXT NOT NULL DEFAULT '{}',
    state        TEXT NOT NULL,
    run_at       BIGINT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 10,
    lease_owner  TEXT NOT NULL DEFAULT '',
    lease_until  BIGINT NOT NULL DEFAULT 0,
    progress     INTEGER NOT NULL DEFAULT 0,
    checkpoint   TEXT NOT NULL DEFAULT '',
    result       TEXT NOT NULL DEFAULT '',
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    finished_at  BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX jobs_dedupe ON jobs (kind, dedupe_key);
CREATE INDEX jobs_due ON jobs (state, run_at);

-- Data exports ("download my data"): the ZIP lives in the file store,
-- sealed with the person's key, until expires_at.
CREATE TABLE privacy_exports (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    job_id      TEXT NOT NULL,
    status      TEXT NOT NULL,
    progress    INTEGER NOT NULL DEFAULT 0,
    blob_key    TEXT NOT NULL DEFAULT '',
    size_bytes  BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    ready_at    BIGINT NOT NULL DEFAULT 0,
    expires_at  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX privacy_exports_account ON privacy_exports (account_id, created_at);
CREATE INDEX privacy_exports_expires ON privacy_exports (expires_at);

-- Per-organization privacy settings (defaults apply when there is no row).
CREATE TABLE privacy_org_settings (
    org_id                 TEXT PRIMARY KEY,
    leave_action           TEXT NOT NULL DEFAULT 'anonymize',
    leave_period_days      INTEGER NOT NULL DEFAULT 30,
    export_others_messages BOOLEAN NOT NULL DEFAULT FALSE,
    tell_about_holds       BOOLEAN NOT NULL DEFAULT FALSE,
    disband_grace_days     INTEGER NOT NULL DEFAULT 30,
    updated_at             BIGINT NOT NULL
);

-- Retention: days to keep per organization and data class, and overrides
-- per conversation. No row means "keep".
CREATE TABLE retention_policies (
    org_id     TEXT NOT NULL,
    class      TEXT NOT NULL,
    days       INTEGER NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, class)
);
CREATE TABLE retention_overrides (
    org_id          TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    days            INTEGER NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (org_id, conversation_id)
);

-- Legal holds on a member or a conversation: held data is neither deleted
-- by retention or erasure, nor are keys destroyed, until released.
CREATE TABLE legal_holds (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    account_id  TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    released_at BIGINT NOT NULL DEFAULT 0,
    released_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX legal_holds_org ON legal_holds (org_id, released_at);
CREATE INDEX legal_holds_target ON legal_holds (target_kind, target_id);
CREATE INDEX legal_holds_account ON legal_holds (account_id, released_at);

-- Retention runs: one row per run of the retention job, with what it
-- planned and what it deleted (the summary also goes to the audit log).
CREATE TABLE retention_runs (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    job_id      TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT NOT NULL DEFAULT 0,
    planned     TEXT NOT NULL DEFAULT '{}',
    deleted     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX retention_runs_org ON retention_runs (org_id, started_at);

-- The erasure ledger: one row per erasure (ids only, never personal data),
-- so that a restore from backup can apply every erasure again.
CREATE TABLE erasure_ledger (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    account_id   TEXT NOT NULL DEFAULT '',
    org_id       TEXT NOT NULL DEFAULT '',
    target_id    TEXT NOT NULL DEFAULT '',
    mode         TEXT NOT NULL DEFAULT '',
    tombstone_id TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    request_id   TEXT NOT NULL DEFAULT '',
    job_id       TEXT NOT NULL DEFAULT '',
    requested_at BIGINT NOT NULL,
    due_at       BIGINT NOT NULL,
    completed_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX erasure_ledger_account ON erasure_ledger (account_id, requested_at);
CREATE INDEX erasure_ledger_org ON erasure_ledger (org_id, requested_at);
CREATE INDEX erasure_ledger_status ON erasure_ledger (status, due_at);

-- Data subject requests with their due date and history.
CREATE TABLE privacy_requests (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL,
    org_id       TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    result_ref   TEXT NOT NULL DEFAULT '',
    due_at       BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    completed_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX privacy_requests_account ON privacy_requests (account_id, created_at);
CREATE INDEX privacy_requests_org ON privacy_requests (org_id, status, due_at);
CREATE TABLE privacy_request_events (
    id         TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES privacy_requests (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    status     TEXT NOT NULL,
    actor_id   TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX privacy_request_events_request ON privacy_request_events (request_id, created_at);

-- Versioned privacy policy and terms (org_id '') and organizations' own
-- notices. seq orders versions of one kind; required_seq is the seq of the
-- latest significant version (a person must have accepted at least it).
CREATE TABLE policy_documents (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    version      TEXT NOT NULL,
    significant  BOOLEAN NOT NULL DEFAULT FALSE,
    required_seq INTEGER NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL,
    published_by TEXT NOT NULL DEFAULT '',
    published_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX policy_documents_seq ON policy_documents (org_id, kind, seq);
CREATE UNIQUE INDEX policy_documents_version ON policy_documents (org_id, kind, version);

CREATE TABLE policy_acceptances (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    document_id TEXT NOT NULL,
    org_id      TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    version     TEXT NOT NULL,
    accepted_at BIGINT NOT NULL
);
CREATE INDEX policy_acceptances_account ON policy_acceptances (account_id, kind, seq);

-- Consents: the current state per person and purpose, and every change.
CREATE TABLE consents (
    account_id TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    granted    BOOLEAN NOT NULL,
    version    TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, purpose)
);
CREATE TABLE consent_events (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    granted    BOOLEAN NOT NULL,
    version    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX consent_events_account ON consent_events (account_id, created_at);

-- Age gate: when a person stops being a minor (from the birth date on the
-- account), and the guardian consent recorded for them.
CREATE TABLE age_gates (
    account_id  TEXT PRIMARY KEY,
    minor_until BIGINT NOT NULL DEFAULT 0,
    checked_at  BIGINT NOT NULL
);
CREATE TABLE guardian_consents (
    account_id    TEXT PRIMARY KEY,
    guardian_name TEXT NOT NULL,
    guardian_contact TEXT NOT NULL DEFAULT '',
    relationship  TEXT NOT NULL DEFAULT '',
    method        TEXT NOT NULL,
    recorded_by   TEXT NOT NULL DEFAULT '',
    recorded_at   BIGINT NOT NULL
);

-- Security notices sent by an organization (or by the operator to every
-- organization), and who they were sent to.
CREATE TABLE security_notices (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL,
    what_happened TEXT NOT NULL,
    impact        TEXT NOT NULL,
    remedies      TEXT NOT NULL,
    sent_by       TEXT NOT NULL DEFAULT '',
    recipients    INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);
CREATE INDEX security_notices_org ON security_notices (org_id, created_at);
CREATE TABLE security_notice_recipients (
    notice_id  TEXT NOT NULL REFERENCES security_notices (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    org_id     TEXT NOT NULL DEFAULT '',
    read_at    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (notice_id, account_id)
);
CREATE INDEX security_notice_recipients_account ON security_notice_recipients (account_id);
