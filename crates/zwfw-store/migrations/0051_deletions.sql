-- Deletion by approved request (删除申请, 常州 003 第七条): the author of a
-- record asks for its deletion with what is to be deleted and why; the head
-- of the author's department consents or refuses with a reason; the
-- supervision office performs it or refuses with a reason. The deleted rows
-- are kept, as they were, in deleted_records with the request. Nothing here
-- is deleted. A trigger body ends its statement and END on one line: no
-- line inside a statement ends with a semicolon.

-- record_kind: case_draft | maintenance_request. state: requested |
-- withdrawn | consented | declined | performed | rejected. department_id:
-- the author's department when asking. record_label: what the record was,
-- as its lists show it.
CREATE TABLE deletion_requests (
    id {{ID}},
    record_kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    record_label TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    author_name TEXT NOT NULL,
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
    performed_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX deletion_requests_state ON deletion_requests (state, id);
CREATE INDEX deletion_requests_department ON deletion_requests (department_id, state, id);
CREATE INDEX deletion_requests_record ON deletion_requests (record_kind, record_id);

-- The archive: every row a performed deletion removed, as it was (JSON of
-- all its columns), with the request it was deleted under.
CREATE TABLE deleted_records (
    id {{ID}},
    request_id BIGINT NOT NULL REFERENCES deletion_requests (id),
    table_name TEXT NOT NULL,
    row_key TEXT NOT NULL,
    row_data TEXT NOT NULL,
    deleted_at BIGINT NOT NULL
);
CREATE INDEX deleted_records_request ON deleted_records (request_id, id);

-- The rows an approved deletion removes, marked inside its transaction
-- (written and emptied in it; no row stays after the commit). The guard's
-- record of a deleted row is dropped when the row is marked under a
-- consented request: that deletion is the program's own. Any other delete
-- is recorded as before and found by rule A07.
CREATE TABLE deletion_marks (
    request_id BIGINT NOT NULL,
    table_name TEXT NOT NULL,
    row_key TEXT NOT NULL
);
CREATE INDEX deletion_marks_row ON deletion_marks (table_name, row_key);

/*sqlite*/ CREATE TRIGGER zwfw_guard_approved_deletions BEFORE INSERT ON data_tamper
WHEN NEW.op = 'delete' AND EXISTS (SELECT 1 FROM deletion_marks m JOIN deletion_requests r ON r.id = m.request_id WHERE m.table_name = NEW.table_name AND m.row_key = CAST(NEW.row_key AS TEXT) AND r.state = 'consented')
BEGIN
    SELECT RAISE(IGNORE); END;

/*postgres*/ CREATE FUNCTION zwfw_guard_approved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.op = 'delete' AND EXISTS (
        SELECT 1 FROM deletion_marks m JOIN deletion_requests r ON r.id = m.request_id
        WHERE m.table_name = NEW.table_name AND m.row_key = NEW.row_key AND r.state = TG_ARGV[0]
    ) THEN RETURN NULL; END IF; RETURN NEW; END
$$;

-- Its argument: the state of a request whose marked rows are being deleted.
/*postgres*/ CREATE TRIGGER zwfw_guard_approved_deletions BEFORE INSERT ON data_tamper FOR EACH ROW EXECUTE FUNCTION zwfw_guard_approved('consented');

-- The guards of every business table (migrations 0013 and 0016).

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_deletion_requests AFTER DELETE ON deletion_requests
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'deletion_requests',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'record_kind', OLD.record_kind,
            'record_id', OLD.record_id,
            'record_label', OLD.record_label,
            'department_id', OLD.department_id,
            'author_id', OLD.author_id,
            'author_name', OLD.author_name,
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
            'performed_note', OLD.performed_note
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_deletion_requests AFTER DELETE ON deletion_requests FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_deletion_requests AFTER UPDATE ON deletion_requests
WHEN NOT sqlite_compileoption_used('ZWFW_PROGRAM_WRITER')
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'deletion_requests',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'record_kind', OLD.record_kind,
            'record_id', OLD.record_id,
            'record_label', OLD.record_label,
            'department_id', OLD.department_id,
            'author_id', OLD.author_id,
            'author_name', OLD.author_name,
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
            'performed_note', OLD.performed_note
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_deletion_requests AFTER UPDATE ON deletion_requests FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_deletion_requests AFTER TRUNCATE ON deletion_requests FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_deleted_records AFTER DELETE ON deleted_records
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'deleted_records',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'request_id', OLD.request_id,
            'table_name', OLD.table_name,
            'row_key', OLD.row_key,
            'row_data', OLD.row_data,
            'deleted_at', OLD.deleted_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_deleted_records AFTER DELETE ON deleted_records FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_deleted_records AFTER UPDATE ON deleted_records
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'deleted_records',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'request_id', OLD.request_id,
            'table_name', OLD.table_name,
            'row_key', OLD.row_key,
            'row_data', OLD.row_data,
            'deleted_at', OLD.deleted_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_deleted_records AFTER UPDATE ON deleted_records FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_deleted_records AFTER TRUNCATE ON deleted_records FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
