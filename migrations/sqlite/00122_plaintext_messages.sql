-- +goose Up
-- Message text written before sealing, which the server seals after
-- start-up (chat.SealPlaintextMessages). The partial indexes hold only
-- such rows, so once they are sealed every later start finds nothing
-- without reading the whole table.
CREATE INDEX messages_plaintext ON messages (id)
    WHERE content_key = '' AND deleted_at = 0 AND (body <> '' OR html <> '' OR attachment <> '');
CREATE INDEX message_edits_plaintext ON message_edits (id)
    WHERE content_key = '' AND (body <> '' OR html <> '');

-- +goose Down
DROP INDEX message_edits_plaintext;
DROP INDEX messages_plaintext;
