-- +goose Up
-- WebDAV dead properties (internal/dav): properties a WebDAV client set
-- on a drive item with PROPPATCH, by XML namespace and name. They follow
-- the item (moves keep its id) and go with it.
CREATE TABLE drive_dav_props (
    item_id TEXT NOT NULL REFERENCES drive_items (id) ON DELETE CASCADE,
    org_id  TEXT NOT NULL,
    ns      TEXT NOT NULL,
    prop    TEXT NOT NULL,
    lang    TEXT NOT NULL DEFAULT '',
    value   TEXT NOT NULL,
    PRIMARY KEY (item_id, ns, prop)
);

-- +goose Down
DROP TABLE drive_dav_props;
