-- The SQLite guard against edits of cases made around the program tells the
-- program's writer by the function call of migration 0022 again. Migration
-- 0023, adding the column applicant_email to what it records, made it anew
-- with the condition of migration 0021 (a query of `pragma_cache_size` at
-- every UPDATE of a case: 4-5 % of a case transition's cost on SQLite).
-- PostgreSQL's guard is unchanged. Its body ends on the line of its last
-- statement, as the splitter of earlier versions expects.
--
-- Generated from migration 0023.

/*sqlite*/ DROP TRIGGER zwfw_guard_edit_cases;

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_cases AFTER UPDATE ON cases
WHEN NOT sqlite_compileoption_used('ZWFW_PROGRAM_WRITER')
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
