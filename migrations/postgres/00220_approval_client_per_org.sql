-- +goose Up
-- A request's client id (for retried submissions) is unique per applicant
-- in one organization, not across all of an account's organizations.
DROP INDEX approval_requests_client;
CREATE UNIQUE INDEX approval_requests_client ON approval_requests (org_id, applicant_id, client_id) WHERE client_id <> '';

-- +goose Down
DROP INDEX approval_requests_client;
CREATE UNIQUE INDEX approval_requests_client ON approval_requests (applicant_id, client_id) WHERE client_id <> '';
