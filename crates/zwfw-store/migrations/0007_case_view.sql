-- The case's view (its state as its events make it, as JSON) kept on the
-- case row, so that an action reads one row instead of replaying every event.
-- Empty for rows written before: those are replayed.
ALTER TABLE cases ADD COLUMN view TEXT NOT NULL DEFAULT '';

-- Only events made by a request with an idempotency key need the uniqueness
-- check: the others no longer write an index entry.
DROP INDEX case_events_idem;

CREATE UNIQUE INDEX case_events_idem ON case_events (case_id, idem_key) WHERE idem_key IS NOT NULL;

-- Most cases have no named assignee: only those that do need an entry in the
-- "my tasks" index (a step change then rewrites no entry of it).
DROP INDEX cases_assignee;

CREATE INDEX cases_assignee ON cases (assignee_id, step_due, id) WHERE assignee_id IS NOT NULL;

-- The audit trail is searched by time, object, action and actor name, never
-- by actor id: this index was written on every change and read by nothing.
DROP INDEX audit_log_actor;
