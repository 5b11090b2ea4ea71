-- E-mail joins the outbox's channels. An account may give an e-mail address,
-- and so may an application (optional, checked by the program); a message of
-- the e-mail channel names its recipient's address as an SMS names its
-- mobile. The notices of a case are written in the same statement as the
-- case's step; an account's unread in-app notices are counted for the menu.
-- The SQLite guard against edits of cases made around the program records
-- the new column too (made again from migration 0021; PostgreSQL's guard
-- records the whole row). Its body ends on the line of its last statement,
-- as the splitter of earlier versions expects.

ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE notifications ADD COLUMN email TEXT;
ALTER TABLE cases ADD COLUMN applicant_email TEXT NOT NULL DEFAULT '';
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

/*sqlite*/ DROP TRIGGER zwfw_guard_edit_cases;

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_cases AFTER UPDATE ON cases
WHEN (SELECT cache_size FROM pragma_cache_size) <> -8191
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'cases',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'case_no', OLD.case_no,
            'item_id', OLD.item_id,
            'version_id', OLD.version_id,
            'item_name', OLD.item_name,
            'impl_code', OLD.impl_code,
            'department_id', OLD.department_id,
            'applicant_user_id', OLD.applicant_user_id,
            'applicant_kind', OLD.applicant_kind,
            'applicant_name', OLD.applicant_name,
            'applicant_id_no', OLD.applicant_id_no,
            'applicant_mobile', OLD.applicant_mobile,
            'applicant_address', OLD.applicant_address,
            'applicant_email', OLD.applicant_email,
            'form', OLD.form,
            'channel', OLD.channel,
            'registered_by', OLD.registered_by,
            'query_hash', OLD.query_hash,
            'state', OLD.state,
            'seq', OLD.seq,
            'step_no', OLD.step_no,
            'step_name', OLD.step_name,
            'handling_department_id', OLD.handling_department_id,
            'assignee_id', OLD.assignee_id,
            'submitted_at', OLD.submitted_at,
            'accepted_at', OLD.accepted_at,
            'concluded_at', OLD.concluded_at,
            'acceptance_due', OLD.acceptance_due,
            'promised_due', OLD.promised_due,
            'legal_due', OLD.legal_due,
            'step_due', OLD.step_due,
            'suspended', OLD.suspended,
            'supplement_notices', OLD.supplement_notices,
            'deemed_accepted', OLD.deemed_accepted,
            'outcome', OLD.outcome,
            'result_no', OLD.result_no,
            'idem_key', OLD.idem_key,
            'created_at', OLD.created_at,
            'updated_at', OLD.updated_at,
            'view', OLD.view
        )
    ); END;
