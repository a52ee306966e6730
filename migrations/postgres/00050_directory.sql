-- +goose Up
-- Adding an existing account to an organization is an invitation the person
-- accepts or declines in the app: the invitation remembers the account it
-- is addressed to (when known) and when it was declined.
ALTER TABLE invitations ADD COLUMN invitee_account_id TEXT;
ALTER TABLE invitations ADD COLUMN declined_at BIGINT;
CREATE INDEX invitations_invitee ON invitations (invitee_account_id);
