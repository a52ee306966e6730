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

-- +goose StatementBegin
CREATE FUNCTION cache_gen_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF 'sessions' = ANY (TG_ARGV) THEN UPDATE cache_generations SET sessions = sessions + 1 WHERE id = 1; END IF;
    IF 'members' = ANY (TG_ARGV) THEN UPDATE cache_generations SET members = members + 1 WHERE id = 1; END IF;
    IF 'conversations' = ANY (TG_ARGV) THEN UPDATE cache_generations SET conversations = conversations + 1 WHERE id = 1; END IF;
    IF 'policies' = ANY (TG_ARGV) THEN UPDATE cache_generations SET policies = policies + 1 WHERE id = 1; END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- Sessions: a token's session and its account's status. Sliding a
-- session's expiry forward (every minute of use) raises nothing.
CREATE TRIGGER cache_gen_sessions_delete AFTER DELETE ON sessions FOR EACH ROW
    EXECUTE FUNCTION cache_gen_bump('sessions');
CREATE TRIGGER cache_gen_sessions_update AFTER UPDATE OF token_hash, account_id, org_id, expires_at ON sessions FOR EACH ROW
    WHEN (OLD.token_hash IS DISTINCT FROM NEW.token_hash OR OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.org_id IS DISTINCT FROM NEW.org_id OR NEW.expires_at < OLD.expires_at)
    EXECUTE FUNCTION cache_gen_bump('sessions');
CREATE TRIGGER cache_gen_accounts_delete AFTER DELETE ON accounts FOR EACH ROW
    EXECUTE FUNCTION cache_gen_bump('sessions', 'policies');
CREATE TRIGGER cache_gen_accounts_status AFTER UPDATE OF status ON accounts FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION cache_gen_bump('sessions');
CREATE TRIGGER cache_gen_accounts_birth AFTER UPDATE OF birth_date_sealed ON accounts FOR EACH ROW
    WHEN (OLD.birth_date_sealed IS DISTINCT FROM NEW.birth_date_sealed)
    EXECUTE FUNCTION cache_gen_bump('policies');

-- Members: an account's active membership (and role) in an active
-- organization.
CREATE TRIGGER cache_gen_members_delete AFTER DELETE ON members FOR EACH ROW
    EXECUTE FUNCTION cache_gen_bump('members');
CREATE TRIGGER cache_gen_members_update AFTER UPDATE OF status, role, account_id, org_id ON members FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.role IS DISTINCT FROM NEW.role OR OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.org_id IS DISTINCT FROM NEW.org_id)
    EXECUTE FUNCTION cache_gen_bump('members');
CREATE TRIGGER cache_gen_orgs_delete AFTER DELETE ON orgs FOR EACH ROW
    EXECUTE FUNCTION cache_gen_bump('members');
CREATE TRIGGER cache_gen_orgs_status AFTER UPDATE OF status ON orgs FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION cache_gen_bump('members');

-- Conversations: a person's membership (and role) in a conversation, and
-- whether it is dissolved. Sends bump last_seq, never these columns.
CREATE TRIGGER cache_gen_conv_members_delete AFTER DELETE ON conversation_members FOR EACH ROW
    EXECUTE FUNCTION cache_gen_bump('conversations');
CREATE TRIGGER cache_gen_conv_members_update AFTER UPDATE OF role, account_id, conversation_id ON conversation_members FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id)
    EXECUTE FUNCTION cache_gen_bump('conversations');
CREATE TRIGGER cache_gen_conversations_delete AFTER DELETE ON conversations FOR EACH ROW
    EXECUTE FUNCTION cache_gen_bump('conversations');
CREATE TRIGGER cache_gen_conversations_update AFTER UPDATE OF dissolved_at, kind, org_id, owner_id ON conversations FOR EACH ROW
    WHEN (OLD.dissolved_at IS DISTINCT FROM NEW.dissolved_at OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.owner_id IS DISTINCT FROM NEW.owner_id)
    EXECUTE FUNCTION cache_gen_bump('conversations');

-- Policies: the privacy gate's answer (current policy versions, who
-- accepted them, minors and their guardians' consent).
CREATE TRIGGER cache_gen_policy_documents_insert AFTER INSERT ON policy_documents FOR EACH ROW
    EXECUTE FUNCTION cache_gen_bump('policies');
CREATE TRIGGER cache_gen_policy_documents_update AFTER UPDATE ON policy_documents FOR EACH ROW
    EXECUTE FUNCTION cache_gen_bump('policies');
CREATE TRIGGER cache_gen_policy_documents_delete AFTER DELETE ON policy_documents FOR EACH ROW
    EXECUTE FUNCTION cache_gen_bump('policies');
CREATE TRIGGER cache_gen_policy_acceptances_delete AFTER DELETE ON policy_acceptances FOR EACH ROW
    EXECUTE FUNCTION cache_gen_bump('policies');
CREATE TRIGGER cache_gen_guardian_consents_delete AFTER DELETE ON guardian_consents FOR EACH ROW
    EXECUTE FUNCTION cache_gen_bump('policies');
CREATE TRIGGER cache_gen_age_gates_update AFTER UPDATE OF minor_until ON age_gates FOR EACH ROW
    WHEN (OLD.minor_until IS DISTINCT FROM NEW.minor_until)
    EXECUTE FUNCTION cache_gen_bump('policies');

-- +goose Down
DROP TRIGGER cache_gen_age_gates_update ON age_gates;
DROP TRIGGER cache_gen_guardian_consents_delete ON guardian_consents;
DROP TRIGGER cache_gen_policy_acceptances_delete ON policy_acceptances;
DROP TRIGGER cache_gen_policy_documents_delete ON policy_documents;
DROP TRIGGER cache_gen_policy_documents_update ON policy_documents;
DROP TRIGGER cache_gen_policy_documents_insert ON policy_documents;
DROP TRIGGER cache_gen_conversations_update ON conversations;
DROP TRIGGER cache_gen_conversations_delete ON conversations;
DROP TRIGGER cache_gen_conv_members_update ON conversation_members;
DROP TRIGGER cache_gen_conv_members_delete ON conversation_members;
DROP TRIGGER cache_gen_orgs_status ON orgs;
DROP TRIGGER cache_gen_orgs_delete ON orgs;
DROP TRIGGER cache_gen_members_update ON members;
DROP TRIGGER cache_gen_members_delete ON members;
DROP TRIGGER cache_gen_accounts_birth ON accounts;
DROP TRIGGER cache_gen_accounts_status ON accounts;
DROP TRIGGER cache_gen_accounts_delete ON accounts;
DROP TRIGGER cache_gen_sessions_update ON sessions;
DROP TRIGGER cache_gen_sessions_delete ON sessions;
DROP FUNCTION cache_gen_bump();
DROP TABLE cache_generations;
