-- +goose Up
-- Chat search's trigram index takes new messages into its pending list
-- (GIN's fastupdate) and merges the list into the index when it outgrows
-- gin_pending_list_limit; until then every search reads the whole list.
-- At the default 4 MB (~3,900 messages) that is ~3-5 ms of each search;
-- at 1 MB (~1,000 messages) about 1 ms. Merging four times as often costs
-- the writer no measurable time (sends and merges measured on an empty
-- index and on one of 1M messages, docs/benchmarks.md); fastupdate = off
-- would, every send batch updating the index in place (~40 % fewer
-- sends/s).
ALTER INDEX message_fts_body_joined_trgm SET (gin_pending_list_limit = 1024);

-- +goose Down
ALTER INDEX message_fts_body_joined_trgm RESET (gin_pending_list_limit);
