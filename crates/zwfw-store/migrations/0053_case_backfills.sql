-- 补录 (东莞 第二十六条): the case events a department handled on paper
-- while a fault of the platform lasted and entered later with their real
-- time. The event itself (case_events, its `at` the real time) carries the
-- same marks in its body; this table lists them per department and fault
-- for supervision. Append-only: a wrong entry is not edited or deleted.

-- seq: the case event entered. event_kind: its kind (accepted, step_passed,
-- concluded, submitted …). department_id: the acting department. at: the
-- real time on paper; entered_at: when it was entered on the platform.
CREATE TABLE case_backfills (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES cases (id),
    seq BIGINT NOT NULL,
    event_kind TEXT NOT NULL,
    fault_id BIGINT NOT NULL REFERENCES faults (id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    paper_no TEXT NOT NULL,
    at BIGINT NOT NULL,
    entered_by BIGINT NOT NULL REFERENCES users (id),
    entered_name TEXT NOT NULL,
    entered_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX case_backfills_event ON case_backfills (case_id, seq);
CREATE INDEX case_backfills_department ON case_backfills (department_id, id);
CREATE INDEX case_backfills_fault ON case_backfills (fault_id, id);

-- The guards (migrations 0013 and 0016): a row deleted or changed at all is
-- recorded in data_tamper. A trigger body ends its statement and END on one
-- line: no line inside a statement ends with a semicolon.

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_case_backfills AFTER DELETE ON case_backfills
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'case_backfills',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'case_id', OLD.case_id,
            'seq', OLD.seq,
            'event_kind', OLD.event_kind,
            'fault_id', OLD.fault_id,
            'department_id', OLD.department_id,
            'paper_no', OLD.paper_no,
            'at', OLD.at,
            'entered_by', OLD.entered_by,
            'entered_name', OLD.entered_name,
            'entered_at', OLD.entered_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_case_backfills AFTER DELETE ON case_backfills FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_case_backfills AFTER UPDATE ON case_backfills
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'case_backfills',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'case_id', OLD.case_id,
            'seq', OLD.seq,
            'event_kind', OLD.event_kind,
            'fault_id', OLD.fault_id,
            'department_id', OLD.department_id,
            'paper_no', OLD.paper_no,
            'at', OLD.at,
            'entered_by', OLD.entered_by,
            'entered_name', OLD.entered_name,
            'entered_at', OLD.entered_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_case_backfills AFTER UPDATE ON case_backfills FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_case_backfills AFTER TRUNCATE ON case_backfills FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
