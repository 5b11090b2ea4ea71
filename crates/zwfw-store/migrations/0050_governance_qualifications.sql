-- 上岗资格 (qualification before use; 六盘水 第十一条(二), 东莞 第十九条,
-- 承德 第二十二条): the trainings and examinations of staff, per role, and
-- the reminders sent before a qualification ends. Both are append-only: a
-- correction is a new record; nothing here is edited or deleted.

-- kind: training | exam. result: passed | failed | pending. held_on and
-- valid_until: YYYY-MM-DD (Asia/Shanghai). department_id: the person's
-- department when recorded. recorded_by: none when recorded by the program
-- itself (the demo, an operator's command).
CREATE TABLE staff_qualifications (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users (id),
    department_id BIGINT REFERENCES departments (id),
    role TEXT NOT NULL,
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    content TEXT NOT NULL,
    result TEXT NOT NULL,
    score BIGINT,
    valid_until TEXT,
    recorded_by BIGINT REFERENCES users (id),
    recorded_name TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX staff_qualifications_user ON staff_qualifications (user_id, id);

-- One reminder per qualification, sent before its end to the person and
-- the service centre.
CREATE TABLE qualification_reminders (
    id {{ID}},
    qualification_id BIGINT NOT NULL REFERENCES staff_qualifications (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    valid_until TEXT NOT NULL,
    sent_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX qualification_reminders_one ON qualification_reminders (qualification_id);

-- The guards (migrations 0013 and 0016): a row deleted or changed at all is
-- recorded in data_tamper. A trigger body ends its statement and END on one
-- line: no line inside a statement ends with a semicolon.

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_staff_qualifications AFTER DELETE ON staff_qualifications
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'staff_qualifications',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'user_id', OLD.user_id,
            'department_id', OLD.department_id,
            'role', OLD.role,
            'kind', OLD.kind,
            'held_on', OLD.held_on,
            'content', OLD.content,
            'result', OLD.result,
            'score', OLD.score,
            'valid_until', OLD.valid_until,
            'recorded_by', OLD.recorded_by,
            'recorded_name', OLD.recorded_name,
            'recorded_at', OLD.recorded_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_staff_qualifications AFTER DELETE ON staff_qualifications FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_staff_qualifications AFTER UPDATE ON staff_qualifications
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'staff_qualifications',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'user_id', OLD.user_id,
            'department_id', OLD.department_id,
            'role', OLD.role,
            'kind', OLD.kind,
            'held_on', OLD.held_on,
            'content', OLD.content,
            'result', OLD.result,
            'score', OLD.score,
            'valid_until', OLD.valid_until,
            'recorded_by', OLD.recorded_by,
            'recorded_name', OLD.recorded_name,
            'recorded_at', OLD.recorded_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_staff_qualifications AFTER UPDATE ON staff_qualifications FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_staff_qualifications AFTER TRUNCATE ON staff_qualifications FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_qualification_reminders AFTER DELETE ON qualification_reminders
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'qualification_reminders',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'qualification_id', OLD.qualification_id,
            'user_id', OLD.user_id,
            'valid_until', OLD.valid_until,
            'sent_at', OLD.sent_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_qualification_reminders AFTER DELETE ON qualification_reminders FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_qualification_reminders AFTER UPDATE ON qualification_reminders
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'qualification_reminders',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'qualification_id', OLD.qualification_id,
            'user_id', OLD.user_id,
            'valid_until', OLD.valid_until,
            'sent_at', OLD.sent_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_qualification_reminders AFTER UPDATE ON qualification_reminders FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_qualification_reminders AFTER TRUNCATE ON qualification_reminders FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
