-- +goose Up
-- Thumbnails of drive files (pictures and the first page of PDFs), made
-- by a job after a body is stored: one row per body (drive_blobs.blob_key)
-- and size (the longer side's box in pixels). The picture itself is a
-- blob (thumb_key) sealed under the same key as the body. Derived data:
-- it goes with its body, and is made again when missing.
CREATE TABLE drive_thumbs (
    blob_key     TEXT NOT NULL,
    size         INTEGER NOT NULL,
    org_id       TEXT NOT NULL,
    thumb_key    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    bytes        BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (blob_key, size)
);
CREATE INDEX drive_thumbs_org ON drive_thumbs (org_id);

-- +goose Down
DROP TABLE drive_thumbs;
