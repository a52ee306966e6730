-- +goose Up
-- PostgreSQL only (its trigram index's pending list); SQLite's FTS5 index
-- writes its new entries at each commit.
SELECT 1;

-- +goose Down
SELECT 1;
