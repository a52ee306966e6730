-- +goose Up
-- How long a sender may delete their own message for everyone, set by the
-- organization (seconds; group owners and admins may delete any time).
ALTER TABLE orgs ADD COLUMN recall_window_seconds INTEGER NOT NULL DEFAULT 120;
