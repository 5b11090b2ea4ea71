-- Guards against changes made around the program (rule A07): the program
-- never deletes business data, never rewrites an append-only record and
-- never edits an item version once it left draft. A trigger records each
-- such change, with the row as it was, in `data_tamper`, which itself only
-- takes inserts; the supervision job turns each record into a finding and
-- also checks that every guard trigger is still there.

CREATE TABLE data_tamper (
    id {{ID}},
    at BIGINT NOT NULL,
    table_name TEXT NOT NULL,
    op TEXT NOT NULL,
    row_key TEXT NOT NULL,
    row_data TEXT NOT NULL
);

/*postgres*/ CREATE FUNCTION zwfw_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k TEXT := '';
    d TEXT := '{}';
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        k := '*';
    ELSE
        d := row_to_json(OLD)::text;
        FOR i IN 0..TG_NARGS - 1 LOOP
            k := k || CASE WHEN i > 0 THEN ':' ELSE '' END || COALESCE(to_jsonb(OLD)->>TG_ARGV[i], '');
        END LOOP;
    END IF;
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES ((extract(epoch FROM clock_timestamp()) * 1000)::bigint, TG_TABLE_NAME, lower(TG_OP), k, d);
    RETURN NULL;
END
$$;

/*postgres*/ CREATE FUNCTION zwfw_guard_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'data_tamper only takes inserts';
END
$$;

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_cases AFTER DELETE ON cases
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'cases',
        'delete',
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

/*postgres*/ CREATE TRIGGER zwfw_guard_del_cases AFTER DELETE ON cases FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_case_events AFTER DELETE ON case_events
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'case_events',
        'delete',
        OLD.case_id || ':' || OLD.seq,
        json_object(
            'case_id', OLD.case_id,
            'seq', OLD.seq,
            'kind', OLD.kind,
            'body', OLD.body,
            'at', OLD.at,
            'actor_id', OLD.actor_id,
            'actor_name', OLD.actor_name,
            'role', OLD.role,
            'department_id', OLD.department_id,
            'step_name', OLD.step_name,
            'idem_key', OLD.idem_key
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_case_events AFTER DELETE ON case_events FOR EACH ROW EXECUTE FUNCTION zwfw_guard('case_id', 'seq');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_case_joint AFTER DELETE ON case_joint
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'case_joint',
        'delete',
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

/*postgres*/ CREATE TRIGGER zwfw_guard_del_case_joint AFTER DELETE ON case_joint FOR EACH ROW EXECUTE FUNCTION zwfw_guard('case_id', 'department_id', 'step_no');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_case_materials AFTER DELETE ON case_materials
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'case_materials',
        'delete',
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

/*postgres*/ CREATE TRIGGER zwfw_guard_del_case_materials AFTER DELETE ON case_materials FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_case_documents AFTER DELETE ON case_documents
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'case_documents',
        'delete',
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

/*postgres*/ CREATE TRIGGER zwfw_guard_del_case_documents AFTER DELETE ON case_documents FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_case_originals AFTER DELETE ON case_originals
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'case_originals',
        'delete',
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

/*postgres*/ CREATE TRIGGER zwfw_guard_del_case_originals AFTER DELETE ON case_originals FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_e_materials AFTER DELETE ON e_materials
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'e_materials',
        'delete',
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

/*postgres*/ CREATE TRIGGER zwfw_guard_del_e_materials AFTER DELETE ON e_materials FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_items AFTER DELETE ON items
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'items',
        'delete',
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

/*postgres*/ CREATE TRIGGER zwfw_guard_del_items AFTER DELETE ON items FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_item_versions AFTER DELETE ON item_versions
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'item_versions',
        'delete',
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

/*postgres*/ CREATE TRIGGER zwfw_guard_del_item_versions AFTER DELETE ON item_versions FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_item_events AFTER DELETE ON item_events
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'item_events',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'item_id', OLD.item_id,
            'version_id', OLD.version_id,
            'action', OLD.action,
            'from_state', OLD.from_state,
            'to_state', OLD.to_state,
            'actor_id', OLD.actor_id,
            'actor_name', OLD.actor_name,
            'reason', OLD.reason,
            'at', OLD.at
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_item_events AFTER DELETE ON item_events FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_interactions AFTER DELETE ON interactions
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'interactions',
        'delete',
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

/*postgres*/ CREATE TRIGGER zwfw_guard_del_interactions AFTER DELETE ON interactions FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_interaction_events AFTER DELETE ON interaction_events
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'interaction_events',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'interaction_id', OLD.interaction_id,
            'at', OLD.at,
            'actor_id', OLD.actor_id,
            'actor_name', OLD.actor_name,
            'kind', OLD.kind,
            'from_department_id', OLD.from_department_id,
            'to_department_id', OLD.to_department_id,
            'detail', OLD.detail,
            'reason', OLD.reason
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_interaction_events AFTER DELETE ON interaction_events FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_interaction_handlers AFTER DELETE ON interaction_handlers
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'interaction_handlers',
        'delete',
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

/*postgres*/ CREATE TRIGGER zwfw_guard_del_interaction_handlers AFTER DELETE ON interaction_handlers FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_ratings AFTER DELETE ON ratings
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'ratings',
        'delete',
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

/*postgres*/ CREATE TRIGGER zwfw_guard_del_ratings AFTER DELETE ON ratings FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_findings AFTER DELETE ON findings
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'findings',
        'delete',
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

/*postgres*/ CREATE TRIGGER zwfw_guard_del_findings AFTER DELETE ON findings FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_oversight_orders AFTER DELETE ON oversight_orders
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'oversight_orders',
        'delete',
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

/*postgres*/ CREATE TRIGGER zwfw_guard_del_oversight_orders AFTER DELETE ON oversight_orders FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_supervision_events AFTER DELETE ON supervision_events
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'supervision_events',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'object_kind', OLD.object_kind,
            'object_id', OLD.object_id,
            'kind', OLD.kind,
            'actor_id', OLD.actor_id,
            'actor_name', OLD.actor_name,
            'text', OLD.text,
            'files', OLD.files,
            'at', OLD.at
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_supervision_events AFTER DELETE ON supervision_events FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_evaluation_publications AFTER DELETE ON evaluation_publications
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'evaluation_publications',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'period', OLD.period,
            'kind', OLD.kind,
            'label', OLD.label,
            'body', OLD.body,
            'config', OLD.config,
            'published_at', OLD.published_at,
            'published_by', OLD.published_by,
            'publisher_name', OLD.publisher_name,
            'note', OLD.note
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_evaluation_publications AFTER DELETE ON evaluation_publications FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_calendar_years AFTER DELETE ON calendar_years
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'calendar_years',
        'delete',
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

/*postgres*/ CREATE TRIGGER zwfw_guard_del_calendar_years AFTER DELETE ON calendar_years FOR EACH ROW EXECUTE FUNCTION zwfw_guard('year');

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_files AFTER DELETE ON files
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'files',
        'delete',
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

/*postgres*/ CREATE TRIGGER zwfw_guard_del_files AFTER DELETE ON files FOR EACH ROW EXECUTE FUNCTION zwfw_guard('sm3');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_cases AFTER TRUNCATE ON cases FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_case_events AFTER TRUNCATE ON case_events FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_case_joint AFTER TRUNCATE ON case_joint FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_case_materials AFTER TRUNCATE ON case_materials FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_case_documents AFTER TRUNCATE ON case_documents FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_case_originals AFTER TRUNCATE ON case_originals FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_e_materials AFTER TRUNCATE ON e_materials FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_items AFTER TRUNCATE ON items FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_item_versions AFTER TRUNCATE ON item_versions FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_item_events AFTER TRUNCATE ON item_events FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_interactions AFTER TRUNCATE ON interactions FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_interaction_events AFTER TRUNCATE ON interaction_events FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_interaction_handlers AFTER TRUNCATE ON interaction_handlers FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_ratings AFTER TRUNCATE ON ratings FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_findings AFTER TRUNCATE ON findings FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_oversight_orders AFTER TRUNCATE ON oversight_orders FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_supervision_events AFTER TRUNCATE ON supervision_events FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_evaluation_publications AFTER TRUNCATE ON evaluation_publications FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_calendar_years AFTER TRUNCATE ON calendar_years FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_files AFTER TRUNCATE ON files FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_case_events AFTER UPDATE ON case_events
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'case_events',
        'update',
        OLD.case_id || ':' || OLD.seq,
        json_object(
            'case_id', OLD.case_id,
            'seq', OLD.seq,
            'kind', OLD.kind,
            'body', OLD.body,
            'at', OLD.at,
            'actor_id', OLD.actor_id,
            'actor_name', OLD.actor_name,
            'role', OLD.role,
            'department_id', OLD.department_id,
            'step_name', OLD.step_name,
            'idem_key', OLD.idem_key
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_case_events AFTER UPDATE ON case_events FOR EACH ROW EXECUTE FUNCTION zwfw_guard('case_id', 'seq');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_item_events AFTER UPDATE ON item_events
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'item_events',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'item_id', OLD.item_id,
            'version_id', OLD.version_id,
            'action', OLD.action,
            'from_state', OLD.from_state,
            'to_state', OLD.to_state,
            'actor_id', OLD.actor_id,
            'actor_name', OLD.actor_name,
            'reason', OLD.reason,
            'at', OLD.at
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_item_events AFTER UPDATE ON item_events FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_interaction_events AFTER UPDATE ON interaction_events
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'interaction_events',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'interaction_id', OLD.interaction_id,
            'at', OLD.at,
            'actor_id', OLD.actor_id,
            'actor_name', OLD.actor_name,
            'kind', OLD.kind,
            'from_department_id', OLD.from_department_id,
            'to_department_id', OLD.to_department_id,
            'detail', OLD.detail,
            'reason', OLD.reason
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_interaction_events AFTER UPDATE ON interaction_events FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_supervision_events AFTER UPDATE ON supervision_events
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'supervision_events',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'object_kind', OLD.object_kind,
            'object_id', OLD.object_id,
            'kind', OLD.kind,
            'actor_id', OLD.actor_id,
            'actor_name', OLD.actor_name,
            'text', OLD.text,
            'files', OLD.files,
            'at', OLD.at
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_supervision_events AFTER UPDATE ON supervision_events FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_evaluation_publications AFTER UPDATE ON evaluation_publications
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'evaluation_publications',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'period', OLD.period,
            'kind', OLD.kind,
            'label', OLD.label,
            'body', OLD.body,
            'config', OLD.config,
            'published_at', OLD.published_at,
            'published_by', OLD.published_by,
            'publisher_name', OLD.publisher_name,
            'note', OLD.note
        )
    );
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_evaluation_publications AFTER UPDATE ON evaluation_publications FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_item_versions AFTER UPDATE ON item_versions
WHEN OLD.state <> 'draft' AND (
    OLD.content IS NOT NEW.content
    OR OLD.name IS NOT NEW.name
    OR OLD.basic_code IS NOT NEW.basic_code
    OR OLD.department_id IS NOT NEW.department_id
    OR OLD.service_objects IS NOT NEW.service_objects
    OR OLD.themes IS NOT NEW.themes
)
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'item_versions',
        'update',
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

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_item_versions AFTER UPDATE ON item_versions FOR EACH ROW
WHEN (
    OLD.state <> 'draft'
    AND (OLD.content, OLD.name, OLD.basic_code, OLD.department_id, OLD.service_objects, OLD.themes)
        IS DISTINCT FROM (NEW.content, NEW.name, NEW.basic_code, NEW.department_id, NEW.service_objects, NEW.themes)
)
EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_update_data_tamper BEFORE UPDATE ON data_tamper
BEGIN
    SELECT RAISE(ABORT, 'data_tamper only takes inserts');
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_update_data_tamper BEFORE UPDATE ON data_tamper FOR EACH ROW EXECUTE FUNCTION zwfw_guard_append_only();

/*sqlite*/ CREATE TRIGGER zwfw_guard_delete_data_tamper BEFORE DELETE ON data_tamper
BEGIN
    SELECT RAISE(ABORT, 'data_tamper only takes inserts');
END;

/*postgres*/ CREATE TRIGGER zwfw_guard_delete_data_tamper BEFORE DELETE ON data_tamper FOR EACH ROW EXECUTE FUNCTION zwfw_guard_append_only();
