-- Misoperation correction (误操作更正, 六盘水 000 第八—十条): the officer who
-- recorded an action on a case (or a head of the case's department) asks for
-- its correction, naming the event and why; a head of the case's department
-- consents or refuses with a reason; the service centre carries it out (a
-- corrective event appended to the case, `corrective_seq`) or refuses with
-- a reason. The event corrected stays in the case's timeline. Nothing here
-- is deleted. A trigger body ends its statement and END on one line: no
-- line inside a statement ends with a semicolon.

-- event_seq: the case event to correct; event_kind: its kind when asked.
-- correction_kind: step_passed. department_id: the case's department.
-- state: requested | withdrawn | consented | declined | performed |
-- rejected. content: what is wrong and what is right.
CREATE TABLE correction_requests (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES cases (id),
    event_seq BIGINT NOT NULL,
    event_kind TEXT NOT NULL,
    correction_kind TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    requester_id BIGINT NOT NULL REFERENCES users (id),
    requester_name TEXT NOT NULL,
    content TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    withdrawn_at BIGINT,
    consent_by BIGINT REFERENCES users (id),
    consent_name TEXT NOT NULL DEFAULT '',
    consent_at BIGINT,
    consent_note TEXT NOT NULL DEFAULT '',
    performed_by BIGINT REFERENCES users (id),
    performed_name TEXT NOT NULL DEFAULT '',
    performed_at BIGINT,
    performed_note TEXT NOT NULL DEFAULT '',
    corrective_seq BIGINT
);
CREATE INDEX correction_requests_state ON correction_requests (state, id);
CREATE INDEX correction_requests_department ON correction_requests (department_id, state, id);
CREATE INDEX correction_requests_case ON correction_requests (case_id, event_seq);

-- The guards of every business table (migrations 0013 and 0016).

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_correction_requests AFTER DELETE ON correction_requests
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'correction_requests',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'case_id', OLD.case_id,
            'event_seq', OLD.event_seq,
            'event_kind', OLD.event_kind,
            'correction_kind', OLD.correction_kind,
            'department_id', OLD.department_id,
            'requester_id', OLD.requester_id,
            'requester_name', OLD.requester_name,
            'content', OLD.content,
            'reason', OLD.reason,
            'state', OLD.state,
            'requested_at', OLD.requested_at,
            'withdrawn_at', OLD.withdrawn_at,
            'consent_by', OLD.consent_by,
            'consent_name', OLD.consent_name,
            'consent_at', OLD.consent_at,
            'consent_note', OLD.consent_note,
            'performed_by', OLD.performed_by,
            'performed_name', OLD.performed_name,
            'performed_at', OLD.performed_at,
            'performed_note', OLD.performed_note,
            'corrective_seq', OLD.corrective_seq
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_correction_requests AFTER DELETE ON correction_requests FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_correction_requests AFTER UPDATE ON correction_requests
WHEN NOT sqlite_compileoption_used('ZWFW_PROGRAM_WRITER')
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'correction_requests',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'case_id', OLD.case_id,
            'event_seq', OLD.event_seq,
            'event_kind', OLD.event_kind,
            'correction_kind', OLD.correction_kind,
            'department_id', OLD.department_id,
            'requester_id', OLD.requester_id,
            'requester_name', OLD.requester_name,
            'content', OLD.content,
            'reason', OLD.reason,
            'state', OLD.state,
            'requested_at', OLD.requested_at,
            'withdrawn_at', OLD.withdrawn_at,
            'consent_by', OLD.consent_by,
            'consent_name', OLD.consent_name,
            'consent_at', OLD.consent_at,
            'consent_note', OLD.consent_note,
            'performed_by', OLD.performed_by,
            'performed_name', OLD.performed_name,
            'performed_at', OLD.performed_at,
            'performed_note', OLD.performed_note,
            'corrective_seq', OLD.corrective_seq
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_correction_requests AFTER UPDATE ON correction_requests FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_correction_requests AFTER TRUNCATE ON correction_requests FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
