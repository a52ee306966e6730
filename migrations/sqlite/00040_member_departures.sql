-- +goose Up
-- Who left an organization and when (quit, removed or deactivated): the
-- directory records it so that the privacy center can schedule the erasure
-- of the person's data there under the organization's policy, even when the
-- member row itself is gone. A row is deleted with that erasure.
CREATE TABLE member_departures (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    account_id TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    left_at    BIGINT NOT NULL
);
CREATE INDEX member_departures_left_at ON member_departures (left_at);

-- +goose Down
DROP TABLE member_departures;
