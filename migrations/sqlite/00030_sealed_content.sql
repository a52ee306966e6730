-- +goose Up
-- Sealed content (platform/keyring): what people write is stored sealed
-- with AES-GCM under the data key of whoever's erasure must make it
-- unreadable, bound to its row (the AAD is "table.column:" + the row id).
-- *_key columns name the owner whose key sealed the row ("acc_…" or
-- "org_…"); rows written before this migration keep their plaintext
-- columns and an empty key, and are read as they are.

-- A message's text, rendered HTML and attachment description, sealed
-- together under the sender's key (the organization's after its leaver
-- policy anonymized the sender).
ALTER TABLE messages ADD COLUMN content BLOB;
ALTER TABLE messages ADD COLUMN content_key TEXT NOT NULL DEFAULT '';
-- The earlier versions of an edited message, sealed like the message.
ALTER TABLE message_edits ADD COLUMN content BLOB;
ALTER TABLE message_edits ADD COLUMN content_key TEXT NOT NULL DEFAULT '';
-- A file's name and content type, sealed under the uploader's key (the
-- bytes are sealed in the file store with a per-file key wrapped by the
-- same owner's key).
ALTER TABLE chat_files ADD COLUMN meta BLOB;
ALTER TABLE chat_files ADD COLUMN meta_key TEXT NOT NULL DEFAULT '';
-- Events that carry personal content (a new or edited message) carry it
-- sealed: the same sealed value as the row, its owner and its AAD.
-- Readers open it once per event and splice it into data.
ALTER TABLE event_log ADD COLUMN sealed BLOB;
ALTER TABLE event_log ADD COLUMN sealed_key TEXT NOT NULL DEFAULT '';
ALTER TABLE event_log ADD COLUMN sealed_aad TEXT NOT NULL DEFAULT '';

-- The note of a contact request, sealed under the sender's key, and the
-- notes of data requests (the person's, an admin's reasons), sealed under
-- the requester's key.
ALTER TABLE contact_requests ADD COLUMN message_sealed BLOB;
ALTER TABLE privacy_requests ADD COLUMN note_sealed BLOB;
ALTER TABLE privacy_request_events ADD COLUMN note_sealed BLOB;

-- +goose Down
ALTER TABLE privacy_request_events DROP COLUMN note_sealed;
ALTER TABLE privacy_requests DROP COLUMN note_sealed;
ALTER TABLE contact_requests DROP COLUMN message_sealed;
ALTER TABLE event_log DROP COLUMN sealed_aad;
ALTER TABLE event_log DROP COLUMN sealed_key;
ALTER TABLE event_log DROP COLUMN sealed;
ALTER TABLE chat_files DROP COLUMN meta_key;
ALTER TABLE chat_files DROP COLUMN meta;
ALTER TABLE message_edits DROP COLUMN content_key;
ALTER TABLE message_edits DROP COLUMN content;
ALTER TABLE messages DROP COLUMN content_key;
ALTER TABLE messages DROP COLUMN content;
