-- +goose Up
-- Generations of the answers every request re-reads, which each node keeps
-- in memory (internal/platform/fresh): one counter per kind of answer,
-- raised by the triggers below in the very transaction that changes what
-- the answer depends on. A request reads this one row first and uses a
-- cached answer only when it was read at the generation the row holds now,
-- so a change committed anywhere counts from the next request on every node.
-- Only changes that can take a right away raise a counter: a new session,
-- member or conversation member never does (nothing caches a refusal).
CREATE TABLE cache_generations (
    id            INTEGER PRIMARY KEY,
    sessions      BIGINT NOT NULL DEFAULT 0,
    members       BIGINT NOT NULL DEFAULT 0,
    conversations BIGINT NOT NULL DEFAULT 0,
    policies      BIGINT NOT NULL DEFAULT 0
);
INSERT INTO cache_generations (id) VALUES (1);

-- Sessions: a token's session and its account's status. Sliding a
-- session's expiry forward (every minute of use) raises nothing.
-- +goose StatementBegin
CREATE TRIGGER cache_gen_sessions_delete AFTER DELETE ON sessions
BEGIN UPDATE cache_generations SET sessions = sessions + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cache_gen_sessions_update AFTER UPDATE OF token_hash, account_id, org_id, expires_at ON sessions
WHEN OLD.token_hash IS NOT NEW.token_hash OR OLD.account_id IS NOT NEW.account_id OR OLD.org_id IS NOT NEW.org_id OR NEW.expires_at < OLD.expires_at
BEGIN UPDATE cache_generations SET sessions = sessions + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cache_gen_accounts_delete AFTER DELETE ON accounts
BEGIN UPDATE cache_generations SET sessions = sessions + 1, policies = policies + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cache_gen_accounts_status AFTER UPDATE OF status ON accounts
WHEN OLD.status IS NOT NEW.status
BEGIN UPDATE cache_generations SET sessions = sessions + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cache_gen_accounts_birth AFTER UPDATE OF birth_date_sealed ON accounts
WHEN OLD.birth_date_sealed IS NOT NEW.birth_date_sealed
BEGIN UPDATE cache_generations SET policies = policies + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- Members: an account's active membership (and role) in an active
-- organization.
-- +goose StatementBegin
CREATE TRIGGER cache_gen_members_delete AFTER DELETE ON members
BEGIN UPDATE cache_generations SET members = members + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cache_gen_members_update AFTER UPDATE OF status, role, account_id, org_id ON members
WHEN OLD.status IS NOT NEW.status OR OLD.role IS NOT NEW.role OR OLD.account_id IS NOT NEW.account_id OR OLD.org_id IS NOT NEW.org_id
BEGIN UPDATE cache_generations SET members = members + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cache_gen_orgs_delete AFTER DELETE ON orgs
BEGIN UPDATE cache_generations SET members = members + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cache_gen_orgs_status AFTER UPDATE OF status ON orgs
WHEN OLD.status IS NOT NEW.status
BEGIN UPDATE cache_generations SET members = members + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- Conversations: a person's membership (and role) in a conversation, and
-- whether it is dissolved. Sends bump last_seq, never these columns.
-- +goose StatementBegin
CREATE TRIGGER cache_gen_conv_members_delete AFTER DELETE ON conversation_members
BEGIN UPDATE cache_generations SET conversations = conversations + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cache_gen_conv_members_update AFTER UPDATE OF role, account_id, conversation_id ON conversation_members
WHEN OLD.role IS NOT NEW.role OR OLD.account_id IS NOT NEW.account_id OR OLD.conversation_id IS NOT NEW.conversation_id
BEGIN UPDATE cache_generations SET conversations = conversations + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cache_gen_conversations_delete AFTER DELETE ON conversations
BEGIN UPDATE cache_generations SET conversations = conversations + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cache_gen_conversations_update AFTER UPDATE OF dissolved_at, kind, org_id, owner_id ON conversations
WHEN OLD.dissolved_at IS NOT NEW.dissolved_at OR OLD.kind IS NOT NEW.kind OR OLD.org_id IS NOT NEW.org_id OR OLD.owner_id IS NOT NEW.owner_id
BEGIN UPDATE cache_generations SET conversations = conversations + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- Policies: the privacy gate's answer (current policy versions, who
-- accepted them, minors and their guardians' consent).
-- +goose StatementBegin
CREATE TRIGGER cache_gen_policy_documents_insert AFTER INSERT ON policy_documents
BEGIN UPDATE cache_generations SET policies = policies + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cache_gen_policy_documents_update AFTER UPDATE ON policy_documents
BEGIN UPDATE cache_generations SET policies = policies + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cache_gen_policy_documents_delete AFTER DELETE ON policy_documents
BEGIN UPDATE cache_generations SET policies = policies + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cache_gen_policy_acceptances_delete AFTER DELETE ON policy_acceptances
BEGIN UPDATE cache_generations SET policies = policies + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cache_gen_guardian_consents_delete AFTER DELETE ON guardian_consents
BEGIN UPDATE cache_generations SET policies = policies + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cache_gen_age_gates_update AFTER UPDATE OF minor_until ON age_gates
WHEN OLD.minor_until IS NOT NEW.minor_until
BEGIN UPDATE cache_generations SET policies = policies + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER cache_gen_age_gates_update;
DROP TRIGGER cache_gen_guardian_consents_delete;
DROP TRIGGER cache_gen_policy_acceptances_delete;
DROP TRIGGER cache_gen_policy_documents_delete;
DROP TRIGGER cache_gen_policy_documents_update;
DROP TRIGGER cache_gen_policy_documents_insert;
DROP TRIGGER cache_gen_conversations_update;
DROP TRIGGER cache_gen_conversations_delete;
DROP TRIGGER cache_gen_conv_members_update;
DROP TRIGGER cache_gen_conv_members_delete;
DROP TRIGGER cache_gen_orgs_status;
DROP TRIGGER cache_gen_orgs_delete;
DROP TRIGGER cache_gen_members_update;
DROP TRIGGER cache_gen_members_delete;
DROP TRIGGER cache_gen_accounts_birth;
DROP TRIGGER cache_gen_accounts_status;
DROP TRIGGER cache_gen_accounts_delete;
DROP TRIGGER cache_gen_sessions_update;
DROP TRIGGER cache_gen_sessions_delete;
DROP TABLE cache_generations;
