-- +goose Up
-- Announcements (internal/announce): the organization speaks to everyone,
-- or to chosen departments, roles and people, and knows who has read it.

-- One announcement. Its title and Markdown body are sealed together (a
-- JSON object) under the key named by content_key — the organization's,
-- with the associated data "announcements.content:" + id; content_key is
-- '' only for rows written without a keyring (tests). audience holds the
-- chosen departments, roles and members as JSON; the people it reached are
-- recorded in announcement_recipients when it is published.
CREATE TABLE announcements (
    id                      TEXT PRIMARY KEY,
    org_id                  TEXT NOT NULL,
    author_id               TEXT NOT NULL,
    content                 BLOB,
    content_key             TEXT NOT NULL DEFAULT '',
    category                TEXT NOT NULL DEFAULT '',
    status                  TEXT NOT NULL,
    audience                TEXT NOT NULL DEFAULT '{}',
    include_later           BOOLEAN NOT NULL DEFAULT FALSE,
    pinned                  BOOLEAN NOT NULL DEFAULT FALSE,
    require_confirm         BOOLEAN NOT NULL DEFAULT FALSE,
    allow_comments          BOOLEAN NOT NULL DEFAULT FALSE,
    signature_department_id TEXT NOT NULL DEFAULT '',
    publish_at              BIGINT NOT NULL DEFAULT 0,
    published_at            BIGINT NOT NULL DEFAULT 0,
    edited_at               BIGINT NOT NULL DEFAULT 0,
    withdrawn_at            BIGINT NOT NULL DEFAULT 0,
    reminded_at             BIGINT NOT NULL DEFAULT 0,
    recipient_count         INTEGER NOT NULL DEFAULT 0,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);
CREATE INDEX announcements_org ON announcements (org_id, status, published_at);
CREATE INDEX announcements_due ON announcements (status, publish_at);

-- Who an announcement was meant for, computed when it was published, and
-- their read and confirm times. late marks people who joined afterwards
-- and opened a whole-organization announcement; left_at marks recipients
-- who have since left the organization.
CREATE TABLE announcement_recipients (
    announcement_id TEXT NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    org_id          TEXT NOT NULL,
    account_id      TEXT NOT NULL,
    member_id       TEXT NOT NULL,
    department_id   TEXT NOT NULL DEFAULT '',
    late            BOOLEAN NOT NULL DEFAULT FALSE,
    read_at         BIGINT NOT NULL DEFAULT 0,
    confirmed_at    BIGINT NOT NULL DEFAULT 0,
    left_at         BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (announcement_id, account_id)
);
CREATE INDEX announcement_recipients_account ON announcement_recipients (account_id, org_id);

-- +goose Down
DROP TABLE announcement_recipients;
DROP TABLE announcements;
