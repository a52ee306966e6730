-- +goose Up
-- Chat search's trigram index is on the text with its spaces removed.
-- pg_trgm takes trigrams word by word, so an index on the text itself
-- cannot tell "roadmap review" from a message that merely holds both
-- words: a phrase of common words sent every such message to the recheck
-- (over a second at 1M messages). Without spaces the phrase yields the
-- trigrams that span its words ("apr", "pre"), which only messages with
-- the words side by side have. A message that contains the query
-- contains it with spaces removed too, so searches test both: the index
-- finds the candidates, the exact ILIKE of the text decides
-- (internal/chat/store.go, searchIndexed).
DROP INDEX message_fts_body_trgm;
CREATE INDEX message_fts_body_joined_trgm ON message_fts USING gin (replace(body, ' ', '') public.gin_trgm_ops);

-- +goose Down
DROP INDEX message_fts_body_joined_trgm;
CREATE INDEX message_fts_body_trgm ON message_fts USING gin (body public.gin_trgm_ops);
