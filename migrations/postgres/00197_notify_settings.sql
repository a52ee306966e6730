-- +goose Up
-- How and when a person is reached (internal/push): a status (emoji and
-- text, the text sealed with the person's key) that may end by itself, Do
-- Not Disturb until a time, daily quiet hours in their time zone (minutes
-- after midnight; -1 when unset) and keywords that notify like a mention
-- (sealed with the person's key).
CREATE TABLE notify_settings (
    account_id    TEXT PRIMARY KEY,
    status_emoji  TEXT NOT NULL DEFAULT '',
    status_text   BYTEA,
    status_until  BIGINT NOT NULL DEFAULT 0,
    dnd_until     BIGINT NOT NULL DEFAULT 0,
    quiet_start   INTEGER NOT NULL DEFAULT -1,
    quiet_end     INTEGER NOT NULL DEFAULT -1,
    time_zone     TEXT NOT NULL DEFAULT 'UTC',
    keywords      BYTEA,
    has_keywords  BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at    BIGINT NOT NULL
);

-- +goose Down
DROP TABLE notify_settings;
