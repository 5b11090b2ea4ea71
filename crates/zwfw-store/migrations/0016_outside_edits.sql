-- Rule A07: an in-place change of business data made around the program
-- (a database tool, a script) is recorded like a deletion (migration 0013),
-- with the row as it was, as op `edit`. The program's own connections are
-- told apart: on PostgreSQL each sets `zwfw.app = 'on'` when it connects;
-- on SQLite only the program's writer connection writes, and it is known by
-- its page cache size (`PRAGMA cache_size = -65536`, see db.rs), which a
-- database tool does not have.
--
-- Generated once from the tables' columns.

/*postgres*/ CREATE FUNCTION zwfw_guard_edit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k TEXT := '';
BEGIN
    FOR i IN 0..TG_NARGS - 1 LOOP
        k := k || CASE WHEN i > 0 THEN ':' ELSE '' END || COALESCE(to_jsonb(OLD)->>TG_ARGV[i], '');
    END LOOP;
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES ((extract(epoch FROM clock_timestamp()) * 1000)::bigint, TG_TABLE_NAME, 'edit', k, row_to_json(OLD)::text);
    RETURN NULL;
END
$$;

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_cases AFTER UPDATE ON cases
WHEN (SELECT cache_size FROM pragma_cache_size) <> -65536
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
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_cases AFTER UPDATE ON cases FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_case_joint AFTER UPDATE ON case_joint
WHEN (SELECT cache_size FROM pragma_cache_size) <> -65536
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'case_joint',
        'edit',
        OLD.case_id || ':' || OLD.department_id || ':' || OLD.step_no,
        json_object(
            'case_id', OLD.case_id,
            'department_id', OLD.department_id,
            'step_no', OLD.step_no,
            'due', OLD.due,
            'answered', OLD.answered,
            'open', OLD.open
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_case_joint AFTER UPDATE ON case_joint FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('case_id', 'department_id', 'step_no');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_case_materials AFTER UPDATE ON case_materials
WHEN (SELECT cache_size FROM pragma_cache_size) <> -65536
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'case_materials',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'case_id', OLD.case_id,
            'material_no', OLD.material_no,
            'name', OLD.name,
            'file_sm3', OLD.file_sm3,
            'file_name', OLD.file_name,
            'kind', OLD.kind,
            'size', OLD.size,
            'trust', OLD.trust,
            'e_material_id', OLD.e_material_id,
            'round', OLD.round,
            'added_by', OLD.added_by,
            'added_at', OLD.added_at
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_case_materials AFTER UPDATE ON case_materials FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_case_documents AFTER UPDATE ON case_documents
WHEN (SELECT cache_size FROM pragma_cache_size) <> -65536
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'case_documents',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'case_id', OLD.case_id,
            'event_seq', OLD.event_seq,
            'kind', OLD.kind,
            'doc_no', OLD.doc_no,
            'file_sm3', OLD.file_sm3,
            'created_at', OLD.created_at
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_case_documents AFTER UPDATE ON case_documents FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_case_originals AFTER UPDATE ON case_originals
WHEN (SELECT cache_size FROM pragma_cache_size) <> -65536
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'case_originals',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'case_id', OLD.case_id,
            'name', OLD.name,
            'copies', OLD.copies,
            'received_at', OLD.received_at,
            'received_by', OLD.received_by,
            'returned_at', OLD.returned_at,
            'returned_by', OLD.returned_by,
            'note', OLD.note
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_case_originals AFTER UPDATE ON case_originals FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_e_materials AFTER UPDATE ON e_materials
WHEN (SELECT cache_size FROM pragma_cache_size) <> -65536
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'e_materials',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'owner_user_id', OLD.owner_user_id,
            'name', OLD.name,
            'file_sm3', OLD.file_sm3,
            'file_name', OLD.file_name,
            'kind', OLD.kind,
            'size', OLD.size,
            'trust', OLD.trust,
            'source_case_id', OLD.source_case_id,
            'created_at', OLD.created_at
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_e_materials AFTER UPDATE ON e_materials FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_items AFTER UPDATE ON items
WHEN (SELECT cache_size FROM pragma_cache_size) <> -65536
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'items',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'impl_code', OLD.impl_code,
            'department_id', OLD.department_id,
            'status', OLD.status,
            'published_version_id', OLD.published_version_id,
            'open_version_id', OLD.open_version_id,
            'created_at', OLD.created_at,
            'updated_at', OLD.updated_at,
            'retired_at', OLD.retired_at,
            'retire_reason', OLD.retire_reason
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_items AFTER UPDATE ON items FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_item_versions AFTER UPDATE ON item_versions
WHEN (SELECT cache_size FROM pragma_cache_size) <> -65536
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'item_versions',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'item_id', OLD.item_id,
            'version_no', OLD.version_no,
            'state', OLD.state,
            'name', OLD.name,
            'basic_code', OLD.basic_code,
            'department_id', OLD.department_id,
            'service_objects', OLD.service_objects,
            'themes', OLD.themes,
            'content', OLD.content,
            'reason', OLD.reason,
            'created_by', OLD.created_by,
            'created_at', OLD.created_at,
            'updated_at', OLD.updated_at,
            'published_at', OLD.published_at
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_item_versions AFTER UPDATE ON item_versions FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_interactions AFTER UPDATE ON interactions
WHEN (SELECT cache_size FROM pragma_cache_size) <> -65536
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'interactions',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'code', OLD.code,
            'kind', OLD.kind,
            'title', OLD.title,
            'content', OLD.content,
            'submitter_user_id', OLD.submitter_user_id,
            'submitter_name', OLD.submitter_name,
            'mobile', OLD.mobile,
            'anonymous', OLD.anonymous,
            'no_publish', OLD.no_publish,
            'item_id', OLD.item_id,
            'about_department_id', OLD.about_department_id,
            'region_id', OLD.region_id,
            'accused_unit', OLD.accused_unit,
            'accused_person', OLD.accused_person,
            'staff_conduct', OLD.staff_conduct,
            'department_id', OLD.department_id,
            'state', OLD.state,
            'received_at', OLD.received_at,
            'limit_days', OLD.limit_days,
            'due', OLD.due,
            'extended_days', OLD.extended_days,
            'extension_reason', OLD.extension_reason,
            'reply', OLD.reply,
            'replied_at', OLD.replied_at,
            'replied_by', OLD.replied_by,
            'replier_name', OLD.replier_name,
            'publication', OLD.publication,
            'withhold_reason', OLD.withhold_reason,
            'attachments', OLD.attachments,
            'query_hash', OLD.query_hash,
            'client_addr', OLD.client_addr,
            'idem_key', OLD.idem_key,
            'created_at', OLD.created_at,
            'updated_at', OLD.updated_at
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_interactions AFTER UPDATE ON interactions FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_interaction_handlers AFTER UPDATE ON interaction_handlers
WHEN (SELECT cache_size FROM pragma_cache_size) <> -65536
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'interaction_handlers',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'department_id', OLD.department_id,
            'user_id', OLD.user_id,
            'duty', OLD.duty,
            'mobile', OLD.mobile,
            'started_at', OLD.started_at,
            'started_by', OLD.started_by,
            'ended_at', OLD.ended_at,
            'ended_by', OLD.ended_by,
            'end_reason', OLD.end_reason
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_interaction_handlers AFTER UPDATE ON interaction_handlers FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_ratings AFTER UPDATE ON ratings
WHEN (SELECT cache_size FROM pragma_cache_size) <> -65536
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'ratings',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'case_id', OLD.case_id,
            'stage', OLD.stage,
            'level', OLD.level,
            'channel', OLD.channel,
            'rater_user_id', OLD.rater_user_id,
            'rater_name', OLD.rater_name,
            'recorded_by', OLD.recorded_by,
            'comment', OLD.comment,
            'at', OLD.at,
            'region_code', OLD.region_code,
            'department_id', OLD.department_id,
            'follow_up', OLD.follow_up,
            'handler_id', OLD.handler_id,
            'follow_up_due', OLD.follow_up_due,
            'callback_at', OLD.callback_at,
            'callback_note', OLD.callback_note,
            'verification', OLD.verification,
            'rectification', OLD.rectification,
            'reply', OLD.reply,
            'replied_at', OLD.replied_at,
            'appeal', OLD.appeal,
            'appeal_reason', OLD.appeal_reason,
            'appeal_at', OLD.appeal_at,
            'appeal_decision', OLD.appeal_decision,
            'appeal_decided_by', OLD.appeal_decided_by,
            'appeal_decided_at', OLD.appeal_decided_at
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_ratings AFTER UPDATE ON ratings FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_findings AFTER UPDATE ON findings
WHEN (SELECT cache_size FROM pragma_cache_size) <> -65536
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'findings',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'finding_no', OLD.finding_no,
            'rule_code', OLD.rule_code,
            'severity', OLD.severity,
            'object_kind', OLD.object_kind,
            'object_id', OLD.object_id,
            'fact_key', OLD.fact_key,
            'object_no', OLD.object_no,
            'item_type', OLD.item_type,
            'department_id', OLD.department_id,
            'county_region_id', OLD.county_region_id,
            'responsible_user_id', OLD.responsible_user_id,
            'responsible_name', OLD.responsible_name,
            'description', OLD.description,
            'detail', OLD.detail,
            'found_at', OLD.found_at,
            'found_on', OLD.found_on,
            'state', OLD.state,
            'reply_due', OLD.reply_due,
            'reply', OLD.reply,
            'reply_files', OLD.reply_files,
            'replied_at', OLD.replied_at,
            'replied_by', OLD.replied_by,
            'decided_at', OLD.decided_at,
            'decided_by', OLD.decided_by,
            'decision_note', OLD.decision_note,
            'closed_at', OLD.closed_at,
            'updated_at', OLD.updated_at
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_findings AFTER UPDATE ON findings FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_oversight_orders AFTER UPDATE ON oversight_orders
WHEN (SELECT cache_size FROM pragma_cache_size) <> -65536
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'oversight_orders',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'order_no', OLD.order_no,
            'finding_id', OLD.finding_id,
            'case_id', OLD.case_id,
            'department_id', OLD.department_id,
            'content', OLD.content,
            'days', OLD.days,
            'due', OLD.due,
            'state', OLD.state,
            'level', OLD.level,
            'issued_by', OLD.issued_by,
            'issued_by_name', OLD.issued_by_name,
            'issued_at', OLD.issued_at,
            'reply', OLD.reply,
            'reply_files', OLD.reply_files,
            'replied_at', OLD.replied_at,
            'replied_by', OLD.replied_by,
            'decision_note', OLD.decision_note,
            'closed_at', OLD.closed_at,
            'idem_key', OLD.idem_key,
            'updated_at', OLD.updated_at
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_oversight_orders AFTER UPDATE ON oversight_orders FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_calendar_years AFTER UPDATE ON calendar_years
WHEN (SELECT cache_size FROM pragma_cache_size) <> -65536
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'calendar_years',
        'edit',
        OLD.year,
        json_object(
            'year', OLD.year,
            'spec', OLD.spec,
            'source', OLD.source,
            'updated_at', OLD.updated_at,
            'updated_by', OLD.updated_by
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_calendar_years AFTER UPDATE ON calendar_years FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('year');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_files AFTER UPDATE ON files
WHEN (SELECT cache_size FROM pragma_cache_size) <> -65536
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'files',
        'edit',
        OLD.sm3,
        json_object(
            'sm3', OLD.sm3,
            'size', OLD.size,
            'kind', OLD.kind,
            'created_at', OLD.created_at,
            'created_by', OLD.created_by
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_files AFTER UPDATE ON files FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('sm3');
