-- Inboxes are read soonest deadline first: the index follows that order so a
-- page of a department with 100,000 open cases reads 50 index entries.
DROP INDEX cases_inbox;
CREATE INDEX cases_inbox ON cases (handling_department_id, step_due, id);
DROP INDEX cases_assignee;
CREATE INDEX cases_assignee ON cases (assignee_id, step_due, id);
