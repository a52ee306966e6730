-- +goose Up
-- Approval delegation (internal/approval): while on leave, a member's
-- approval tasks go to someone else from from_at until until_at (unix
-- milliseconds). One delegation per member and organization.
CREATE TABLE approval_delegations (
    org_id     TEXT NOT NULL,
    account_id TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    to_account TEXT NOT NULL,
    to_member  TEXT NOT NULL,
    from_at    BIGINT NOT NULL,
    until_at   BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, account_id)
);
CREATE INDEX approval_delegations_to ON approval_delegations (to_account);

-- +goose Down
DROP TABLE approval_delegations;
