-- +goose Up
-- Who may mention @all (@所有人) in the organization's groups
-- (internal/chat): 'admins' (the group's owner and admins: the default),
-- 'everyone' or 'nobody'.
ALTER TABLE orgs ADD COLUMN mention_all TEXT NOT NULL DEFAULT 'admins';

-- +goose Down
ALTER TABLE orgs DROP COLUMN mention_all;
