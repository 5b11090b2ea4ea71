-- Governance of the system itself (配置/维护需求): the requests the
-- departments and the supervision office submit in writing, the service
-- centre's analysis (necessity, feasibility), its answer (accepted, or
-- refused with written reasons and a PDF reply in the file store) and the
-- changes made under an accepted request. Nothing here is deleted. A trigger
-- body ends its statement and END on one line: no line inside a statement
-- ends with a semicolon.

-- kind: users_rights | item_config | org_data | misoperation | other.
-- state: submitted | accepted | refused | done. attachments: a JSON list of
-- files of the file store. reply_sm3: the refusal's PDF reply.
CREATE TABLE maintenance_requests (
    id {{ID}},
    department_id BIGINT NOT NULL REFERENCES departments (id),
    requester_id BIGINT NOT NULL REFERENCES users (id),
    requester_name TEXT NOT NULL,
    requester_role TEXT NOT NULL,
    kind TEXT NOT NULL,
    content TEXT NOT NULL,
    attachments TEXT NOT NULL,
    state TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    necessity TEXT NOT NULL DEFAULT '',
    feasibility TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL DEFAULT '',
    answered_at BIGINT,
    answered_by BIGINT REFERENCES users (id),
    answered_name TEXT NOT NULL DEFAULT '',
    reply_sm3 TEXT NOT NULL DEFAULT '',
    done_at BIGINT,
    done_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX maintenance_requests_department ON maintenance_requests (department_id, state, id);
CREATE INDEX maintenance_requests_state ON maintenance_requests (state, id);

-- A change made under an accepted request: written in the change's own
-- transaction, beside its audit record (whose detail names the request).
CREATE TABLE maintenance_request_changes (
    id {{ID}},
    request_id BIGINT NOT NULL REFERENCES maintenance_requests (id),
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES users (id),
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX maintenance_request_changes_request ON maintenance_request_changes (request_id, id);

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_maintenance_requests AFTER DELETE ON maintenance_requests
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'maintenance_requests',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'department_id', OLD.department_id,
            'requester_id', OLD.requester_id,
            'requester_name', OLD.requester_name,
            'kind', OLD.kind,
            'content', OLD.content,
            'attachments', OLD.attachments,
            'state', OLD.state,
            'submitted_at', OLD.submitted_at,
            'necessity', OLD.necessity,
            'feasibility', OLD.feasibility,
            'answer', OLD.answer,
            'answered_at', OLD.answered_at,
            'answered_by', OLD.answered_by,
            'reply_sm3', OLD.reply_sm3,
            'done_at', OLD.done_at,
            'done_note', OLD.done_note
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_maintenance_requests AFTER DELETE ON maintenance_requests FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_maintenance_requests AFTER UPDATE ON maintenance_requests
WHEN NOT sqlite_compileoption_used('ZWFW_PROGRAM_WRITER')
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'maintenance_requests',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'department_id', OLD.department_id,
            'requester_id', OLD.requester_id,
            'requester_name', OLD.requester_name,
            'kind', OLD.kind,
            'content', OLD.content,
            'attachments', OLD.attachments,
            'state', OLD.state,
            'submitted_at', OLD.submitted_at,
            'necessity', OLD.necessity,
            'feasibility', OLD.feasibility,
            'answer', OLD.answer,
            'answered_at', OLD.answered_at,
            'answered_by', OLD.answered_by,
            'reply_sm3', OLD.reply_sm3,
            'done_at', OLD.done_at,
            'done_note', OLD.done_note
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_maintenance_requests AFTER UPDATE ON maintenance_requests FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_maintenance_requests AFTER TRUNCATE ON maintenance_requests FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_maintenance_request_changes AFTER DELETE ON maintenance_request_changes
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'maintenance_request_changes',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'request_id', OLD.request_id,
            'at', OLD.at,
            'actor_id', OLD.actor_id,
            'actor_name', OLD.actor_name,
            'action', OLD.action,
            'object_type', OLD.object_type,
            'object_id', OLD.object_id,
            'detail', OLD.detail
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_maintenance_request_changes AFTER DELETE ON maintenance_request_changes FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_maintenance_request_changes AFTER TRUNCATE ON maintenance_request_changes FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_maintenance_request_changes AFTER UPDATE ON maintenance_request_changes
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'maintenance_request_changes',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'request_id', OLD.request_id,
            'at', OLD.at,
            'actor_id', OLD.actor_id,
            'actor_name', OLD.actor_name,
            'action', OLD.action,
            'object_type', OLD.object_type,
            'object_id', OLD.object_id,
            'detail', OLD.detail
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_maintenance_request_changes AFTER UPDATE ON maintenance_request_changes FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');
