-- +goose Up
-- Organizations and their directory (internal/directory): members,
-- departments, roles, custom profile fields, invitations and join requests;
-- personal contacts with their privacy settings; the first-run setup token.

CREATE TABLE orgs (
    id                     TEXT PRIMARY KEY,
    name                   TEXT NOT NULL,
    region                 TEXT NOT NULL DEFAULT '',
    industry               TEXT NOT NULL DEFAULT '',
    size                   TEXT NOT NULL DEFAULT '',
    owner_account_id       TEXT NOT NULL,
    status                 TEXT NOT NULL DEFAULT 'active',
    join_requires_approval BOOLEAN NOT NULL DEFAULT FALSE,
    locked_profile_fields  TEXT NOT NULL DEFAULT '[]',
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    disbanded_at           BIGINT
);

CREATE TABLE members (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    account_id      TEXT NOT NULL,
    role            TEXT NOT NULL DEFAULT 'member',
    status          TEXT NOT NULL DEFAULT 'active',
    display_name    TEXT NOT NULL,
    name_pinyin     TEXT NOT NULL DEFAULT '',
    name_initials   TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL DEFAULT '',
    title_level     INTEGER NOT NULL DEFAULT 0,
    employee_no     TEXT NOT NULL DEFAULT '',
    work_phone      BYTEA,
    work_phone_hash TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    office          TEXT NOT NULL DEFAULT '',
    join_date       TEXT NOT NULL DEFAULT '',
    supervisor_id   TEXT REFERENCES members (id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    left_at         BIGINT
);
CREATE UNIQUE INDEX members_org_account ON members (org_id, account_id);
CREATE UNIQUE INDEX members_org_employee_no ON members (org_id, employee_no) WHERE employee_no <> '';
CREATE INDEX members_account ON members (account_id);
CREATE INDEX members_org_sort ON members (org_id, name_pinyin, id);
CREATE INDEX members_org_phone ON members (org_id, work_phone_hash);
CREATE INDEX members_supervisor ON members (supervisor_id);

CREATE TABLE departments (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    parent_id  TEXT REFERENCES departments (id),
    name       TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX departments_org_parent ON departments (org_id, parent_id);
CREATE INDEX departments_parent ON departments (parent_id);

CREATE TABLE department_members (
    department_id TEXT NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    member_id     TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    org_id        TEXT NOT NULL,
    is_leader     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (department_id, member_id)
);
CREATE INDEX department_members_member ON department_members (member_id);

CREATE TABLE roles (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    permissions   TEXT NOT NULL DEFAULT '[]',
    department_id TEXT REFERENCES departments (id),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX roles_org_name ON roles (org_id, name);

CREATE TABLE member_roles (
    member_id  TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    role_id    TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, role_id)
);
CREATE INDEX member_roles_role ON member_roles (role_id);

CREATE TABLE profile_fields (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    options    TEXT NOT NULL DEFAULT '[]',
    required   BOOLEAN NOT NULL DEFAULT FALSE,
    visibility TEXT NOT NULL DEFAULT 'everyone',
    locked     BOOLEAN NOT NULL DEFAULT FALSE,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX profile_fields_org_name ON profile_fields (org_id, name);

CREATE TABLE member_field_values (
    member_id  TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    field_id   TEXT NOT NULL REFERENCES profile_fields (id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, field_id)
);
CREATE INDEX member_field_values_field ON member_field_values (field_id);

CREATE TABLE invitations (
    id                 TEXT PRIMARY KEY,
    org_id             TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    kind               TEXT NOT NULL,
    token_hash         TEXT NOT NULL,
    code_hash          TEXT,
    email              TEXT NOT NULL DEFAULT '',
    secret             BYTEA NOT NULL,
    prefill            BYTEA,
    department_id      TEXT REFERENCES departments (id) ON DELETE SET NULL,
    created_by         TEXT NOT NULL,
    expires_at         BIGINT NOT NULL,
    max_uses           INTEGER NOT NULL DEFAULT 0,
    uses               INTEGER NOT NULL DEFAULT 0,
    revoked_at         BIGINT,
    created_at         BIGINT NOT NULL
);
CREATE UNIQUE INDEX invitations_token ON invitations (token_hash);
CREATE UNIQUE INDEX invitations_code ON invitations (code_hash);
CREATE INDEX invitations_org ON invitations (org_id, created_at);

CREATE TABLE join_requests (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    account_id    TEXT NOT NULL,
    invitation_id TEXT REFERENCES invitations (id) ON DELETE SET NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    message       TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'pending',
    decided_by    TEXT NOT NULL DEFAULT '',
    decided_at    BIGINT,
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX join_requests_pending ON join_requests (org_id, account_id) WHERE status = 'pending';
CREATE INDEX join_requests_account ON join_requests (account_id);

CREATE TABLE contacts (
    account_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, contact_id)
);
CREATE INDEX contacts_contact ON contacts (contact_id);

CREATE TABLE contact_requests (
    id           TEXT PRIMARY KEY,
    from_account TEXT NOT NULL,
    to_account   TEXT NOT NULL,
    via          TEXT NOT NULL,
    message      TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'pending',
    created_at   BIGINT NOT NULL,
    decided_at   BIGINT
);
CREATE UNIQUE INDEX contact_requests_pending ON contact_requests (from_account, to_account) WHERE status = 'pending';
CREATE INDEX contact_requests_to ON contact_requests (to_account, status);

CREATE TABLE contact_privacy (
    account_id           TEXT PRIMARY KEY,
    require_verification BOOLEAN NOT NULL DEFAULT TRUE,
    discoverable         BOOLEAN NOT NULL DEFAULT TRUE,
    external_fields      TEXT NOT NULL DEFAULT '[]',
    allow_via_group      BOOLEAN NOT NULL DEFAULT TRUE,
    allow_via_card       BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at           BIGINT NOT NULL
);

-- The one-time first-run setup token (stored hashed), present only while
-- no organization exists.
CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);
