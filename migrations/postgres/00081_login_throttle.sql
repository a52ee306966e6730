-- +goose Up
-- Sign-in backoff (internal/identity/throttle.go): failures per keyed hash
-- of an account and a client address or known device, and when the next
-- attempt may come. Rows are forgotten a window after their last change.
CREATE TABLE login_throttle (
    key        TEXT PRIMARY KEY,
    failures   INTEGER NOT NULL,
    next_at    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX login_throttle_updated ON login_throttle (updated_at);

-- +goose Down
DROP TABLE login_throttle;
