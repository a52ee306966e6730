-- +goose Up
-- Whose key sealed a group's profile (name, topic, announcement): the
-- owning organization ("org_…") for internal and external groups, the
-- group's own key (its conversation id, "cnv_…") for general groups, which
-- is destroyed when the last member leaves. Empty while the profile is
-- plaintext. Rows sealed before this migration are organization groups.
ALTER TABLE conversations ADD COLUMN profile_key TEXT NOT NULL DEFAULT '';
UPDATE conversations SET profile_key = org_id WHERE profile IS NOT NULL;

-- +goose Down
ALTER TABLE conversations DROP COLUMN profile_key;
