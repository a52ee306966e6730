-- +goose Up
-- The company-wide group (internal/directory, internal/chat): with
-- company_group on, everyone who joins the organization is added to the
-- internal group company_group_id (made on first use). Organizations made
-- before this stay as they were (off); new ones start with it on.
ALTER TABLE orgs ADD COLUMN company_group BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE orgs ADD COLUMN company_group_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE orgs DROP COLUMN company_group_id;
ALTER TABLE orgs DROP COLUMN company_group;
