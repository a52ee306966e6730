-- +goose Up
-- What a push notification to a closed app may say (internal/push):
-- 'hidden' (nothing but its kind), 'sender' (who wrote, in which group) or
-- 'full' (the message text too).
ALTER TABLE orgs ADD COLUMN push_content TEXT NOT NULL DEFAULT 'hidden';

-- +goose Down
ALTER TABLE orgs DROP COLUMN push_content;
