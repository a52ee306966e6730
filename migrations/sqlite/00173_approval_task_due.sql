-- +goose Up
-- When a pending task's step timeout falls due (unix milliseconds; 0 for
-- none, or once handled): the background job reminds its approver or
-- escalates the task to their supervisor.
ALTER TABLE approval_tasks ADD COLUMN due_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX approval_tasks_due ON approval_tasks (due_at) WHERE due_at > 0;

-- +goose Down
DROP INDEX approval_tasks_due;
ALTER TABLE approval_tasks DROP COLUMN due_at;
