-- Every transition of a case moves its row (its state, step and deadlines
-- change, which are indexed), so each one adds an entry to every index of
-- the table whose condition the row meets. Three indexes leave out the rows
-- nobody reads them by: cases not concluded (by conclusion time), cases of
-- applicants without an account (walk-ins, by applicant account), and
-- closed cases (by handling department: no inbox holds them). The queries
-- they serve compare those columns with `=`, `>=` or `<`, which implies
-- the condition on both databases.

DROP INDEX cases_concluded;
DROP INDEX cases_applicant;
DROP INDEX cases_inbox;
CREATE INDEX cases_concluded ON cases (concluded_at) WHERE concluded_at IS NOT NULL;
CREATE INDEX cases_applicant ON cases (applicant_user_id, created_at) WHERE applicant_user_id IS NOT NULL;
CREATE INDEX cases_inbox ON cases (handling_department_id, step_due, id) WHERE handling_department_id IS NOT NULL;
