-- +goose Up
-- Drive (internal/drive): spaces of folders and files, their versions,
-- sharing with people and by link, and resumable uploads.

-- A space: one person's own (kind personal, owner_account_id set, one per
-- person and organization) or one of the organization's (team, department,
-- project). quota_bytes limits the space (0: the organization's default for
-- personal spaces, none for the others); used_bytes counts every byte the
-- space keeps (current files, older versions and the trash). root_id is
-- the folder item at the top of the space.
CREATE TABLE drive_spaces (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL,
    kind             TEXT NOT NULL,
    owner_account_id TEXT NOT NULL DEFAULT '',
    name             TEXT NOT NULL DEFAULT '',
    root_id          TEXT NOT NULL,
    quota_bytes      BIGINT NOT NULL DEFAULT 0,
    used_bytes       BIGINT NOT NULL DEFAULT 0,
    created_by       TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX drive_spaces_personal ON drive_spaces (org_id, owner_account_id) WHERE kind = 'personal';
CREATE INDEX drive_spaces_org ON drive_spaces (org_id, kind);

-- Who may use an organization space: members, departments (with their
-- sub-departments) or roles, as viewer, editor or manager.
CREATE TABLE drive_members (
    space_id     TEXT NOT NULL REFERENCES drive_spaces (id) ON DELETE CASCADE,
    org_id       TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    role         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (space_id, subject_kind, subject_id)
);
CREATE INDEX drive_members_subject ON drive_members (org_id, subject_kind, subject_id);

-- The bytes of files: one row per body in the file store, with how many
-- versions refer to it (a copy refers to the same body; bodies are found
-- again by their SHA-256 for the same key owner). owner is the key the
-- body is sealed under (the person's for a personal space, the
-- organization's otherwise). external marks a body another domain (chat)
-- also refers to: its bytes are not deleted when drive's last reference
-- goes.
CREATE TABLE drive_blobs (
    blob_key   TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    owner      TEXT NOT NULL,
    size       BIGINT NOT NULL,
    sha256     TEXT NOT NULL,
    refs       INTEGER NOT NULL DEFAULT 0,
    external   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
CREATE INDEX drive_blobs_sha ON drive_blobs (owner, sha256);

-- Folders and files. parent_id is '' only for a space's root folder. A
-- name is unique in its folder ignoring case (name_key is its lower-case
-- form) among the items not in the trash. Trashing a folder trashes its
-- contents with it: trash_root_id names the item that was trashed.
CREATE TABLE drive_items (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    space_id      TEXT NOT NULL REFERENCES drive_spaces (id) ON DELETE CASCADE,
    parent_id     TEXT NOT NULL DEFAULT '',
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,
    size          BIGINT NOT NULL DEFAULT 0,
    content_type  TEXT NOT NULL DEFAULT '',
    sha256        TEXT NOT NULL DEFAULT '',
    blob_key      TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL DEFAULT '',
    updated_by    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    trashed_at    BIGINT NOT NULL DEFAULT 0,
    trashed_by    TEXT NOT NULL DEFAULT '',
    trash_root_id TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX drive_items_name ON drive_items (space_id, parent_id, name_key) WHERE trashed_at = 0;
CREATE INDEX drive_items_parent ON drive_items (parent_id);
CREATE INDEX drive_items_trash ON drive_items (org_id, trashed_at);
CREATE INDEX drive_items_creator ON drive_items (org_id, created_by);

-- Earlier versions of a file (the current one is on the item).
CREATE TABLE drive_versions (
    item_id      TEXT NOT NULL REFERENCES drive_items (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    org_id       TEXT NOT NULL,
    space_id     TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    sha256       TEXT NOT NULL,
    blob_key     TEXT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (item_id, version)
);
CREATE INDEX drive_versions_creator ON drive_versions (org_id, created_by);

-- An item shared with members, departments (with sub-departments) or
-- roles, as viewer or editor; it reaches the item's descendants.
CREATE TABLE drive_shares (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL,
    space_id     TEXT NOT NULL REFERENCES drive_spaces (id) ON DELETE CASCADE,
    item_id      TEXT NOT NULL REFERENCES drive_items (id) ON DELETE CASCADE,
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    role         TEXT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX drive_shares_subject ON drive_shares (item_id, subject_kind, subject_id);
CREATE INDEX drive_shares_to ON drive_shares (org_id, subject_kind, subject_id);

-- A link to an item: its token is kept only as a SHA-256 hash, its
-- optional password as an argon2id hash.
CREATE TABLE drive_links (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    space_id      TEXT NOT NULL REFERENCES drive_spaces (id) ON DELETE CASCADE,
    item_id       TEXT NOT NULL REFERENCES drive_items (id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    permission    TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    expires_at    BIGINT NOT NULL DEFAULT 0,
    revoked_at    BIGINT NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
CREATE INDEX drive_links_item ON drive_links (item_id);
CREATE INDEX drive_links_creator ON drive_links (org_id, created_by);

-- Every use of a link, for the item's owner: when, what, and from where
-- (the network, truncated, and the browser).
CREATE TABLE drive_link_access (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL,
    link_id      TEXT NOT NULL REFERENCES drive_links (id) ON DELETE CASCADE,
    item_id      TEXT NOT NULL,
    action       TEXT NOT NULL,
    account_id   TEXT NOT NULL DEFAULT '',
    network      TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    outcome      TEXT NOT NULL,
    at           BIGINT NOT NULL
);
CREATE INDEX drive_link_access_link ON drive_link_access (link_id, at);
CREATE INDEX drive_link_access_account ON drive_link_access (org_id, account_id);

-- A resumable upload: its declared size and checksum, and the bytes
-- received so far as parts in the file store.
CREATE TABLE drive_uploads (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL,
    space_id     TEXT NOT NULL REFERENCES drive_spaces (id) ON DELETE CASCADE,
    parent_id    TEXT NOT NULL,
    name         TEXT NOT NULL,
    item_id      TEXT NOT NULL DEFAULT '',
    account_id   TEXT NOT NULL,
    size         BIGINT NOT NULL,
    received     BIGINT NOT NULL DEFAULT 0,
    sha256       TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX drive_uploads_account ON drive_uploads (org_id, account_id);
CREATE INDEX drive_uploads_updated ON drive_uploads (updated_at);

CREATE TABLE drive_upload_parts (
    upload_id  TEXT NOT NULL REFERENCES drive_uploads (id) ON DELETE CASCADE,
    "offset"   BIGINT NOT NULL,
    size       BIGINT NOT NULL,
    blob_key   TEXT NOT NULL,
    PRIMARY KEY (upload_id, "offset")
);

-- The organization's drive settings: link sharing (none, inside, public),
-- days in the trash, versions kept, and quotas (0: none).
CREATE TABLE drive_settings (
    org_id             TEXT PRIMARY KEY,
    link_sharing       TEXT NOT NULL DEFAULT 'inside',
    trash_days         INTEGER NOT NULL DEFAULT 30,
    keep_versions      INTEGER NOT NULL DEFAULT 20,
    personal_quota     BIGINT NOT NULL DEFAULT 0,
    org_quota          BIGINT NOT NULL DEFAULT 0,
    updated_at         BIGINT NOT NULL
);

-- +goose Down
DROP TABLE drive_settings;
DROP TABLE drive_upload_parts;
DROP TABLE drive_uploads;
DROP TABLE drive_link_access;
DROP TABLE drive_links;
DROP TABLE drive_shares;
DROP TABLE drive_versions;
DROP TABLE drive_items;
DROP TABLE drive_blobs;
DROP TABLE drive_members;
DROP TABLE drive_spaces;
