-- +goose Up
-- The erasure ledger decides "already scheduled" with unique indexes rather
-- than a read before the insert (which two concurrent transactions both
-- pass under READ COMMITTED): one account erasure per account, one purge per
-- organization, and at most one pending (scheduled or waiting for a legal
-- hold) membership erasure per person and organization. Duplicates left by
-- that race are cancelled first, keeping the oldest; their jobs then find a
-- cancelled entry and do nothing, and the kept entry does the same work.
UPDATE erasure_ledger SET status = 'cancelled'
WHERE kind = 'account' AND status <> 'cancelled' AND EXISTS (
    SELECT 1 FROM erasure_ledger o
    WHERE o.kind = 'account' AND o.status <> 'cancelled' AND o.account_id = erasure_ledger.account_id
      AND (o.requested_at < erasure_ledger.requested_at OR (o.requested_at = erasure_ledger.requested_at AND o.id < erasure_ledger.id)));
UPDATE erasure_ledger SET status = 'cancelled'
WHERE kind = 'organization' AND status <> 'cancelled' AND EXISTS (
    SELECT 1 FROM erasure_ledger o
    WHERE o.kind = 'organization' AND o.status <> 'cancelled' AND o.org_id = erasure_ledger.org_id
      AND (o.requested_at < erasure_ledger.requested_at OR (o.requested_at = erasure_ledger.requested_at AND o.id < erasure_ledger.id)));
UPDATE erasure_ledger SET status = 'cancelled'
WHERE kind = 'membership' AND status IN ('scheduled', 'waiting_hold') AND EXISTS (
    SELECT 1 FROM erasure_ledger o
    WHERE o.kind = 'membership' AND o.status IN ('scheduled', 'waiting_hold')
      AND o.account_id = erasure_ledger.account_id AND o.org_id = erasure_ledger.org_id
      AND (o.requested_at < erasure_ledger.requested_at OR (o.requested_at = erasure_ledger.requested_at AND o.id < erasure_ledger.id)));
CREATE UNIQUE INDEX erasure_ledger_one_account ON erasure_ledger (account_id)
    WHERE kind = 'account' AND status <> 'cancelled';
CREATE UNIQUE INDEX erasure_ledger_one_org ON erasure_ledger (org_id)
    WHERE kind = 'organization' AND status <> 'cancelled';
CREATE UNIQUE INDEX erasure_ledger_one_pending_membership ON erasure_ledger (account_id, org_id)
    WHERE kind = 'membership' AND status IN ('scheduled', 'waiting_hold');

-- +goose Down
DROP INDEX erasure_ledger_one_pending_membership;
DROP INDEX erasure_ledger_one_org;
DROP INDEX erasure_ledger_one_account;
