-- +goose Up
-- An organization's own names, sealed with its data key (platform/keyring)
-- so that destroying the key when a disbanded organization is erased
-- makes every copy unreadable, backups included. The AAD is
-- "table.column:" + the row id. Rows written before this migration keep
-- their plaintext column and an empty sealed one, and are read as they are;
-- sealed rows hold '' in the plaintext column.

-- The organization's name.
ALTER TABLE orgs ADD COLUMN name_sealed BLOB;
-- A department's name.
ALTER TABLE departments ADD COLUMN name_sealed BLOB;
-- An organization's group (internal, external): its name, topic and
-- announcement sealed together (the members of a JSON object, the form
-- conversation events splice in), under the key of the organization
-- that owns it.
ALTER TABLE conversations ADD COLUMN profile BLOB;
-- The details of an audit entry that belongs to an organization, sealed
-- with the organization's key ("audit_log.details:" + seq); details then
-- holds '{}'. The hash chain covers the sealed bytes, so the log verifies
-- without any key.
ALTER TABLE audit_log ADD COLUMN details_sealed BLOB;

-- +goose Down
ALTER TABLE audit_log DROP COLUMN details_sealed;
ALTER TABLE conversations DROP COLUMN profile;
ALTER TABLE departments DROP COLUMN name_sealed;
ALTER TABLE orgs DROP COLUMN name_sealed;
