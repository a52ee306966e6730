-- +goose Up
-- The daily retention run of an organization is found by its job (the
-- schedule may run again the same day and must not add a second run).
CREATE INDEX retention_runs_job ON retention_runs (job_id);

-- +goose Down
DROP INDEX retention_runs_job;
