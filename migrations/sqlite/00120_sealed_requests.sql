-- +goose Up
-- The last plaintext personal fields of the directory, sealed at rest
-- (platform/keyring) like the rest: AAD "table.column:" + the row id.

-- A join request's name and note, under the key of the person asking
-- (account_id): erasing the account shreds them. Sealed rows hold '' in the
-- plaintext columns; rows written before keep theirs until the server's
-- start-up sealing seals them.
ALTER TABLE join_requests ADD COLUMN display_name_sealed BLOB;
ALTER TABLE join_requests ADD COLUMN message_sealed BLOB;

-- An email invitation's address, under the organization's key (the
-- invitation is the organization's record; the invitee may have no
-- account). Accepting finds the invitation by a keyed hash of the
-- lower-cased address (keyring.Hash "invitation_email").
ALTER TABLE invitations ADD COLUMN email_sealed BLOB;
ALTER TABLE invitations ADD COLUMN email_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX invitations_email_hash ON invitations (email_hash) WHERE email_hash <> '';

-- +goose Down
DROP INDEX invitations_email_hash;
ALTER TABLE invitations DROP COLUMN email_hash;
ALTER TABLE invitations DROP COLUMN email_sealed;
ALTER TABLE join_requests DROP COLUMN message_sealed;
ALTER TABLE join_requests DROP COLUMN display_name_sealed;
