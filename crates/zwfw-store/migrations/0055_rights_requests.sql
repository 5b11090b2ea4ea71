-- User-right changes on record (权限变更申请, 常州 003 第九条): a department
-- asks in writing, with the reason and the list of changes, for its own
-- staff; a head of the department approves or refuses with a reason; an
-- administrator applies exactly the approved list; the supervision office
-- reads every request. An emergency change made directly by the system
-- administrator is kept here too (emergency = 1, state applied), so that
-- it is listed with the requests. Nothing here is deleted. A trigger body
-- ends its statement and END on one line: no line inside a statement ends
-- with a semicolon.

-- state: requested | withdrawn | approved | declined | applied | rejected.
-- department_id: the department whose staff it is for (the asker's).
-- decided_*: the head's verdict; applied_*: the administrator's.
CREATE TABLE rights_requests (
    id {{ID}},
    department_id BIGINT NOT NULL REFERENCES departments (id),
    requester_id BIGINT NOT NULL REFERENCES users (id),
    requester_name TEXT NOT NULL,
    requester_role TEXT NOT NULL,
    reason TEXT NOT NULL,
    emergency BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    withdrawn_at BIGINT,
    decided_by BIGINT REFERENCES users (id),
    decided_name TEXT NOT NULL DEFAULT '',
    decided_at BIGINT,
    decided_note TEXT NOT NULL DEFAULT '',
    applied_by BIGINT REFERENCES users (id),
    applied_name TEXT NOT NULL DEFAULT '',
    applied_at BIGINT,
    applied_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX rights_requests_state ON rights_requests (state, id);
CREATE INDEX rights_requests_department ON rights_requests (department_id, state, id);

-- The list of changes, one row per staff member: the roles to add and to
-- remove (comma-separated role codes), the department to move to (none:
-- no move). from_department_id and roles_before: the account as it was
-- when asked. Append-only.
CREATE TABLE rights_request_rows (
    id {{ID}},
    request_id BIGINT NOT NULL REFERENCES rights_requests (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    user_name TEXT NOT NULL,
    from_department_id BIGINT NOT NULL REFERENCES departments (id),
    to_department_id BIGINT REFERENCES departments (id),
    roles_before TEXT NOT NULL,
    add_roles TEXT NOT NULL,
    remove_roles TEXT NOT NULL
);
CREATE INDEX rights_request_rows_request ON rights_request_rows (request_id, id);
CREATE INDEX rights_request_rows_user ON rights_request_rows (user_id, request_id);

-- The guards (migrations 0013 and 0016).

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_rights_requests AFTER DELETE ON rights_requests
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'rights_requests',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'department_id', OLD.department_id,
            'requester_id', OLD.requester_id,
            'requester_name', OLD.requester_name,
            'requester_role', OLD.requester_role,
            'reason', OLD.reason,
            'emergency', OLD.emergency,
            'state', OLD.state,
            'requested_at', OLD.requested_at,
            'withdrawn_at', OLD.withdrawn_at,
            'decided_by', OLD.decided_by,
            'decided_name', OLD.decided_name,
            'decided_at', OLD.decided_at,
            'decided_note', OLD.decided_note,
            'applied_by', OLD.applied_by,
            'applied_name', OLD.applied_name,
            'applied_at', OLD.applied_at,
            'applied_note', OLD.applied_note
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_rights_requests AFTER DELETE ON rights_requests FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_rights_requests AFTER UPDATE ON rights_requests
WHEN NOT sqlite_compileoption_used('ZWFW_PROGRAM_WRITER')
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'rights_requests',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'department_id', OLD.department_id,
            'requester_id', OLD.requester_id,
            'requester_name', OLD.requester_name,
            'requester_role', OLD.requester_role,
            'reason', OLD.reason,
            'emergency', OLD.emergency,
            'state', OLD.state,
            'requested_at', OLD.requested_at,
            'withdrawn_at', OLD.withdrawn_at,
            'decided_by', OLD.decided_by,
            'decided_name', OLD.decided_name,
            'decided_at', OLD.decided_at,
            'decided_note', OLD.decided_note,
            'applied_by', OLD.applied_by,
            'applied_name', OLD.applied_name,
            'applied_at', OLD.applied_at,
            'applied_note', OLD.applied_note
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_rights_requests AFTER UPDATE ON rights_requests FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_rights_requests AFTER TRUNCATE ON rights_requests FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_rights_request_rows AFTER DELETE ON rights_request_rows
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'rights_request_rows',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'request_id', OLD.request_id,
            'user_id', OLD.user_id,
            'user_name', OLD.user_name,
            'from_department_id', OLD.from_department_id,
            'to_department_id', OLD.to_department_id,
            'roles_before', OLD.roles_before,
            'add_roles', OLD.add_roles,
            'remove_roles', OLD.remove_roles
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_rights_request_rows AFTER DELETE ON rights_request_rows FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_rights_request_rows AFTER UPDATE ON rights_request_rows
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'rights_request_rows',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'request_id', OLD.request_id,
            'user_id', OLD.user_id,
            'user_name', OLD.user_name,
            'from_department_id', OLD.from_department_id,
            'to_department_id', OLD.to_department_id,
            'roles_before', OLD.roles_before,
            'add_roles', OLD.add_roles,
            'remove_roles', OLD.remove_roles
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_rights_request_rows AFTER UPDATE ON rights_request_rows FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_rights_request_rows AFTER TRUNCATE ON rights_request_rows FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
