-- 审管交互: the results of approvals pushed to the departments that
-- supervise the licensee afterwards (监管部门), one row per record and
-- regulator, written in the transaction of the conclusion or of the licence's
-- status change; claimed (认领) once by the regulator's staff. Nothing here is
-- deleted. A trigger body ends its statement and END on one line: no line
-- inside a statement ends with a semicolon.

-- kind: conclusion | license_change. decision: the outcome of the conclusion
-- (granted | denied) or the licence's change (reissued, amended, cancelled,
-- revoked, expired). opinions and materials are JSON lists, as the case had
-- them when the record was pushed. claim_due: the last day to claim
-- (YYYY-MM-DD, China time, working days).
CREATE TABLE handovers (
    id {{ID}},
    kind TEXT NOT NULL,
    case_id BIGINT,
    case_no TEXT NOT NULL,
    item_id BIGINT,
    item_name TEXT NOT NULL,
    source_department_id BIGINT NOT NULL REFERENCES departments (id),
    regulator_department_id BIGINT NOT NULL REFERENCES departments (id),
    decision TEXT NOT NULL,
    decision_no TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    license_id BIGINT REFERENCES licenses (id),
    holder_kind TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    holder_code TEXT NOT NULL,
    opinions TEXT NOT NULL,
    materials TEXT NOT NULL,
    pushed_at BIGINT NOT NULL,
    claim_due TEXT NOT NULL,
    claimed_at BIGINT,
    claimed_by BIGINT REFERENCES users (id),
    claimed_name TEXT NOT NULL DEFAULT '',
    claim_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX handovers_regulator ON handovers (regulator_department_id, id);
CREATE INDEX handovers_source ON handovers (source_department_id, id);
CREATE INDEX handovers_case ON handovers (case_id);
CREATE INDEX handovers_unclaimed ON handovers (claim_due) WHERE claimed_at IS NULL;

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_handovers AFTER DELETE ON handovers
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'handovers',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'kind', OLD.kind,
            'case_id', OLD.case_id,
            'case_no', OLD.case_no,
            'item_id', OLD.item_id,
            'item_name', OLD.item_name,
            'source_department_id', OLD.source_department_id,
            'department_id', OLD.regulator_department_id,
            'decision', OLD.decision,
            'decision_no', OLD.decision_no,
            'decided_at', OLD.decided_at,
            'reason', OLD.reason,
            'license_id', OLD.license_id,
            'holder_kind', OLD.holder_kind,
            'holder_name', OLD.holder_name,
            'holder_code', OLD.holder_code,
            'opinions', OLD.opinions,
            'materials', OLD.materials,
            'pushed_at', OLD.pushed_at,
            'claim_due', OLD.claim_due,
            'claimed_at', OLD.claimed_at,
            'claimed_by', OLD.claimed_by,
            'claimed_name', OLD.claimed_name,
            'claim_note', OLD.claim_note
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_handovers AFTER DELETE ON handovers FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_handovers AFTER UPDATE ON handovers
WHEN NOT sqlite_compileoption_used('ZWFW_PROGRAM_WRITER')
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'handovers',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'kind', OLD.kind,
            'case_id', OLD.case_id,
            'case_no', OLD.case_no,
            'item_id', OLD.item_id,
            'item_name', OLD.item_name,
            'source_department_id', OLD.source_department_id,
            'department_id', OLD.regulator_department_id,
            'decision', OLD.decision,
            'decision_no', OLD.decision_no,
            'decided_at', OLD.decided_at,
            'reason', OLD.reason,
            'license_id', OLD.license_id,
            'holder_kind', OLD.holder_kind,
            'holder_name', OLD.holder_name,
            'holder_code', OLD.holder_code,
            'opinions', OLD.opinions,
            'materials', OLD.materials,
            'pushed_at', OLD.pushed_at,
            'claim_due', OLD.claim_due,
            'claimed_at', OLD.claimed_at,
            'claimed_by', OLD.claimed_by,
            'claimed_name', OLD.claimed_name,
            'claim_note', OLD.claim_note
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_handovers AFTER UPDATE ON handovers FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_handovers AFTER TRUNCATE ON handovers FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
