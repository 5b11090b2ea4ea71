-- 故障: faults of the platform reported by staff, with their timeline
-- (acknowledged, cause, cleared once) and the paper notice (纸质书面通知)
-- due when a fault is not cleared within 24 hours: who printed it, and who
-- sent it to which department. Nothing here is deleted.

-- scope: platform | department | function. since_at: when the fault began
-- (ms); the paper notice is due 24 hours later unless cleared before.
CREATE TABLE faults (
    id {{ID}},
    what TEXT NOT NULL,
    since_at BIGINT NOT NULL,
    scope TEXT NOT NULL,
    department_id BIGINT REFERENCES departments (id),
    function_name TEXT NOT NULL DEFAULT '',
    reported_by BIGINT NOT NULL REFERENCES users (id),
    reported_name TEXT NOT NULL,
    reported_at BIGINT NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_name TEXT NOT NULL DEFAULT '',
    cause TEXT NOT NULL DEFAULT '',
    cleared_at BIGINT,
    cleared_name TEXT NOT NULL DEFAULT '',
    printed_at BIGINT
);
CREATE INDEX faults_open ON faults (cleared_at, id);

-- kind: reported | acknowledged | cause | cleared | notice_printed |
-- notice_sent. text: the cause, the clearing's note, the delivery's note.
-- department_id: the department a notice was sent to.
CREATE TABLE fault_events (
    id {{ID}},
    fault_id BIGINT NOT NULL REFERENCES faults (id),
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES users (id),
    actor_name TEXT NOT NULL,
    department_id BIGINT REFERENCES departments (id),
    text TEXT NOT NULL DEFAULT ''
);
CREATE INDEX fault_events_fault ON fault_events (fault_id, id);

-- The guards (migrations 0013 and 0016): a fault deleted, or edited around
-- the program, and a step of a timeline deleted or changed at all, are
-- recorded in data_tamper. A trigger body ends its statement and END on one
-- line: no line inside a statement ends with a semicolon.

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_faults AFTER DELETE ON faults
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'faults',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'what', OLD.what,
            'since_at', OLD.since_at,
            'scope', OLD.scope,
            'department_id', OLD.department_id,
            'function_name', OLD.function_name,
            'reported_by', OLD.reported_by,
            'reported_name', OLD.reported_name,
            'reported_at', OLD.reported_at,
            'acknowledged_at', OLD.acknowledged_at,
            'acknowledged_name', OLD.acknowledged_name,
            'cause', OLD.cause,
            'cleared_at', OLD.cleared_at,
            'cleared_name', OLD.cleared_name,
            'printed_at', OLD.printed_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_faults AFTER DELETE ON faults FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_faults AFTER UPDATE ON faults
WHEN NOT sqlite_compileoption_used('ZWFW_PROGRAM_WRITER')
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'faults',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'what', OLD.what,
            'since_at', OLD.since_at,
            'scope', OLD.scope,
            'department_id', OLD.department_id,
            'function_name', OLD.function_name,
            'reported_by', OLD.reported_by,
            'reported_name', OLD.reported_name,
            'reported_at', OLD.reported_at,
            'acknowledged_at', OLD.acknowledged_at,
            'acknowledged_name', OLD.acknowledged_name,
            'cause', OLD.cause,
            'cleared_at', OLD.cleared_at,
            'cleared_name', OLD.cleared_name,
            'printed_at', OLD.printed_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_faults AFTER UPDATE ON faults FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_faults AFTER TRUNCATE ON faults FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_fault_events AFTER DELETE ON fault_events
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'fault_events',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'fault_id', OLD.fault_id,
            'kind', OLD.kind,
            'at', OLD.at,
            'actor_id', OLD.actor_id,
            'actor_name', OLD.actor_name,
            'department_id', OLD.department_id,
            'text', OLD.text
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_fault_events AFTER DELETE ON fault_events FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_fault_events AFTER UPDATE ON fault_events
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'fault_events',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'fault_id', OLD.fault_id,
            'kind', OLD.kind,
            'at', OLD.at,
            'actor_id', OLD.actor_id,
            'actor_name', OLD.actor_name,
            'department_id', OLD.department_id,
            'text', OLD.text
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_fault_events AFTER UPDATE ON fault_events FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_fault_events AFTER TRUNCATE ON fault_events FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
