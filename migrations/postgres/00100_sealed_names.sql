-- +goose Up
-- People's names and profile fields sealed at rest (platform/keyring), under
-- the data key of the person they are about (the account id), bound to their
-- row ("accounts.name:acc_…", "members.display_name:mem_…",
-- "member_field_values.value:" + the value's id). Destroying the person's key
-- (account erasure) makes every copy unreadable, backups included. Rows
-- written before this migration keep their plaintext columns (read as they
-- are) until the server's start-up reseal (or their next write) seals them
-- and clears the plaintext.
ALTER TABLE accounts ADD COLUMN name_sealed BYTEA;

ALTER TABLE members ADD COLUMN display_name_sealed BYTEA;
ALTER TABLE members ADD COLUMN title_sealed BYTEA;
ALTER TABLE members ADD COLUMN office_sealed BYTEA;
ALTER TABLE members ADD COLUMN email_sealed BYTEA;
ALTER TABLE members ADD COLUMN employee_no_sealed BYTEA;
-- Employee numbers stay unique per organization through a keyed hash.
ALTER TABLE members ADD COLUMN employee_no_hash TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX members_org_employee_no_hash ON members (org_id, employee_no_hash) WHERE employee_no_hash <> '';

-- A custom field value gets an id to bind its sealed value to.
ALTER TABLE member_field_values ADD COLUMN id TEXT;
ALTER TABLE member_field_values ADD COLUMN value_sealed BYTEA;

-- The member search index is derived data (rebuilt by `atrium search
-- reindex` and after a restore, left out of backups, purged by erasure):
-- the plaintext that name, pinyin, initials, title, employee number and
-- work email search needs, and the directory's sort key (the full pinyin).
-- Rows disappear with their member.
CREATE TABLE member_search (
    member_id   TEXT PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    org_id      TEXT NOT NULL,
    sort_key    TEXT NOT NULL DEFAULT '',
    initials    TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    employee_no TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX member_search_org_sort ON member_search (org_id, sort_key, member_id);
INSERT INTO member_search (member_id, org_id, sort_key, initials, name, title, employee_no, email)
    SELECT id, org_id, name_pinyin, name_initials, display_name, title, employee_no, email FROM members;

-- The pinyin and initials of names now live only in the index.
DROP INDEX members_org_sort;
ALTER TABLE members DROP COLUMN name_pinyin;
ALTER TABLE members DROP COLUMN name_initials;

-- +goose Down
ALTER TABLE members ADD COLUMN name_pinyin TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN name_initials TEXT NOT NULL DEFAULT '';
UPDATE members SET name_pinyin = COALESCE((SELECT s.sort_key FROM member_search s WHERE s.member_id = members.id), ''),
    name_initials = COALESCE((SELECT s.initials FROM member_search s WHERE s.member_id = members.id), '');
CREATE INDEX members_org_sort ON members (org_id, name_pinyin, id);
DROP TABLE member_search;
ALTER TABLE member_field_values DROP COLUMN value_sealed;
ALTER TABLE member_field_values DROP COLUMN id;
DROP INDEX members_org_employee_no_hash;
ALTER TABLE members DROP COLUMN employee_no_hash;
ALTER TABLE members DROP COLUMN employee_no_sealed;
ALTER TABLE members DROP COLUMN email_sealed;
ALTER TABLE members DROP COLUMN office_sealed;
ALTER TABLE members DROP COLUMN title_sealed;
ALTER TABLE members DROP COLUMN display_name_sealed;
ALTER TABLE accounts DROP COLUMN name_sealed;
