-- +goose Up
-- A person's profile photo (internal/directory): the picture they upload,
-- cropped to a square, decoded and encoded again (which drops EXIF, GPS
-- and every other metadata) at each size the app shows (512 and 96
-- pixels), one row per size. The bytes are in the file store, encrypted
-- under the person's key; version changes with every upload, for caches.
CREATE TABLE profile_photos (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL,
    size          INTEGER NOT NULL,
    version       TEXT NOT NULL,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    blob_key      TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (account_id, size)
);

-- +goose Down
DROP TABLE profile_photos;
