-- +goose Up
-- WebDAV locks (internal/drive/dav), shared by every node: root is the
-- locked path in its canonical form ("/<org>/<space>/<path>", the path
-- lower-cased), zero_depth a lock of that resource only (else of
-- everything below it too), shared a shared lock (else exclusive).
-- expires_at is when it lapses (Unix milliseconds). account_id took it;
-- owner_xml is what the client said of its owner.
CREATE TABLE drive_dav_locks (
    token      TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    space_id   TEXT NOT NULL REFERENCES drive_spaces (id) ON DELETE CASCADE,
    root       TEXT NOT NULL,
    zero_depth BOOLEAN NOT NULL,
    shared     BOOLEAN NOT NULL,
    owner_xml  TEXT NOT NULL DEFAULT '',
    account_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX drive_dav_locks_space ON drive_dav_locks (space_id);
CREATE INDEX drive_dav_locks_account ON drive_dav_locks (account_id);

-- +goose Down
DROP TABLE drive_dav_locks;
