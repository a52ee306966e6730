-- +goose Up
-- PostgreSQL only (its trigram index on the text without spaces); SQLite's
-- FTS5 trigram index already spans words.
SELECT 1;

-- +goose Down
SELECT 1;
