-- +goose Up
-- Grants of passworded drive links: after a link's password was given,
-- the browser gets a short-lived grant (a cookie scoped to the link) so
-- that downloads are plain requests with ranges. token_hash is the
-- grant's SHA-256 (the grant itself is only in the cookie); password_fp
-- is the SHA-256 of the link's password hash when granted, so a new
-- password ends the grants. expires_at and created_at are Unix
-- milliseconds.
CREATE TABLE drive_link_grants (
    token_hash  TEXT PRIMARY KEY,
    link_id     TEXT NOT NULL REFERENCES drive_links (id) ON DELETE CASCADE,
    org_id      TEXT NOT NULL,
    password_fp TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX drive_link_grants_link ON drive_link_grants (link_id, expires_at);

-- +goose Down
DROP TABLE drive_link_grants;
