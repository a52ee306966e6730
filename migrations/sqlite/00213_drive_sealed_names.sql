-- +goose Up
-- Sealed file names (internal/drive/seal.go). An item's name, and the name
-- of a file being uploaded, are sealed with AES-GCM under the key of the
-- space's controller (the person's for a personal space, the
-- organization's otherwise), bound to the row ("drive_items.name:" + id,
-- "drive_uploads.name:" + id); content_key names that owner. name_key is
-- then a keyed hash of the lower-cased name and its folder, so the unique
-- index keeps a name unique in its folder ignoring case. Rows written
-- before keep their plaintext and an empty content_key until the server
-- seals them at start-up.
ALTER TABLE drive_items ADD COLUMN name_box BLOB;
ALTER TABLE drive_items ADD COLUMN content_key TEXT NOT NULL DEFAULT '';
ALTER TABLE drive_uploads ADD COLUMN name_box BLOB;
ALTER TABLE drive_uploads ADD COLUMN content_key TEXT NOT NULL DEFAULT '';

-- The drive's search index (derived data: left out of backups, rebuilt by
-- `atrium search reindex`, gone with its item; searches join the items
-- for where they are and who may see them). drive_search holds, per item,
-- its name and the text extracted from a text or PDF file (the first
-- MiB), with the checksum of the content it was extracted from
-- (text_sha256; '' until the indexing job has read it). drive_fts is the
-- text index over both: contentless FTS5 trigram, rowid = drive_search.rid.
CREATE TABLE drive_search (
    rid         INTEGER PRIMARY KEY,
    item_id     TEXT NOT NULL UNIQUE REFERENCES drive_items (id) ON DELETE CASCADE,
    name        TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT '',
    text_sha256 TEXT NOT NULL DEFAULT ''
);
CREATE VIRTUAL TABLE drive_fts USING fts5(body, content = '', contentless_delete = 1, tokenize = 'trigram');
-- +goose StatementBegin
CREATE TRIGGER drive_search_gone AFTER DELETE ON drive_search BEGIN
    DELETE FROM drive_fts WHERE rowid = old.rid;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER drive_search_gone;
DROP TABLE drive_fts;
DROP TABLE drive_search;
ALTER TABLE drive_uploads DROP COLUMN content_key;
ALTER TABLE drive_uploads DROP COLUMN name_box;
ALTER TABLE drive_items DROP COLUMN content_key;
ALTER TABLE drive_items DROP COLUMN name_box;
