-- A decision document number (决定书文号) names one decision of one
-- department, whichever way it was entered: a regulator's decision flowing
-- back on a pushed record (handover_sanctions) or a 吊销 the issuing
-- department enters on the licence's page. Each department's numbers are
-- kept here, one row each, written in the transaction of the decision; the
-- primary key refuses a number the department used already, also when two
-- entries race. sanction_id names the back-flow decision, license_id the
-- licence a 吊销 revoked. Written once, never changed or deleted. A trigger
-- body ends its statement and END on one line: no line inside a statement
-- ends with a semicolon.
CREATE TABLE decision_numbers (
    department_id BIGINT NOT NULL REFERENCES departments (id),
    decision_no TEXT NOT NULL,
    kind TEXT NOT NULL,
    sanction_id BIGINT REFERENCES handover_sanctions (id),
    license_id BIGINT REFERENCES licenses (id),
    recorded_at BIGINT NOT NULL,
    recorded_by BIGINT,
    recorded_name TEXT NOT NULL,
    PRIMARY KEY (department_id, decision_no)
);
CREATE INDEX decision_numbers_license ON decision_numbers (license_id);

-- The back-flow's decisions so far (their numbers are unique per regulator
-- already, migration 0047).
INSERT INTO decision_numbers (department_id, decision_no, kind, sanction_id, license_id, recorded_at, recorded_by, recorded_name)
SELECT regulator_department_id, decision_no, kind, id, license_id, recorded_at, recorded_by, recorded_name
FROM handover_sanctions;

-- The 吊销 entered on the licences' pages so far (a revocation flowing back
-- is the back-flow decision above): the acting officer's department. Should
-- a department have used one number twice before, the first stays.
INSERT INTO decision_numbers (department_id, decision_no, kind, sanction_id, license_id, recorded_at, recorded_by, recorded_name)
SELECT u.department_id, TRIM(e.note), 'revoke', NULL, e.license_id, e.at, e.actor_id, e.actor_name
FROM license_events e JOIN users u ON u.id = e.actor_id
WHERE e.change = 'revoked' AND u.department_id IS NOT NULL AND TRIM(e.note) <> ''
  AND NOT EXISTS (SELECT 1 FROM handover_sanctions s WHERE s.license_id = e.license_id AND s.kind = 'revoke')
ORDER BY e.id
ON CONFLICT (department_id, decision_no) DO NOTHING;

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_decision_numbers AFTER DELETE ON decision_numbers
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'decision_numbers',
        'delete',
        OLD.department_id || ':' || OLD.decision_no,
        json_object(
            'department_id', OLD.department_id,
            'decision_no', OLD.decision_no,
            'kind', OLD.kind,
            'sanction_id', OLD.sanction_id,
            'license_id', OLD.license_id,
            'recorded_at', OLD.recorded_at,
            'recorded_by', OLD.recorded_by,
            'recorded_name', OLD.recorded_name
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_decision_numbers AFTER DELETE ON decision_numbers FOR EACH ROW EXECUTE FUNCTION zwfw_guard('department_id', 'decision_no');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_decision_numbers AFTER UPDATE ON decision_numbers
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'decision_numbers',
        'update',
        OLD.department_id || ':' || OLD.decision_no,
        json_object(
            'department_id', OLD.department_id,
            'decision_no', OLD.decision_no,
            'kind', OLD.kind,
            'sanction_id', OLD.sanction_id,
            'license_id', OLD.license_id,
            'recorded_at', OLD.recorded_at,
            'recorded_by', OLD.recorded_by,
            'recorded_name', OLD.recorded_name
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_decision_numbers AFTER UPDATE ON decision_numbers FOR EACH ROW EXECUTE FUNCTION zwfw_guard('department_id', 'decision_no');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_decision_numbers AFTER TRUNCATE ON decision_numbers FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
