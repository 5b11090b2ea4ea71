-- 审管交互, the flow back: what a regulator decided about a licensee whose
-- approval it claimed (行政处罚, 责令改正, 吊销, 限制准入), recorded on the
-- pushed record. Written once and never changed or deleted. A trigger body
-- ends its statement and END on one line: no line inside a statement ends
-- with a semicolon.

-- kind: penalty | rectify | revoke | restrict. decided_on, restrict_from,
-- restrict_until: YYYY-MM-DD (China time). holder_code: the 公民身份号码 or
-- 统一社会信用代码 a 限制准入 is matched on. item_ids: JSON list of the
-- catalogue items a 限制准入 concerns. attachments: JSON list of stored
-- files ({sm3, name, kind, size}).
CREATE TABLE handover_sanctions (
    id {{ID}},
    handover_id BIGINT NOT NULL REFERENCES handovers (id),
    regulator_department_id BIGINT NOT NULL REFERENCES departments (id),
    source_department_id BIGINT NOT NULL REFERENCES departments (id),
    kind TEXT NOT NULL,
    decision_no TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    license_id BIGINT REFERENCES licenses (id),
    holder_kind TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    holder_code TEXT NOT NULL,
    restrict_from TEXT,
    restrict_until TEXT,
    item_ids TEXT NOT NULL DEFAULT '[]',
    attachments TEXT NOT NULL DEFAULT '[]',
    recorded_at BIGINT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_name TEXT NOT NULL
);
CREATE INDEX handover_sanctions_handover ON handover_sanctions (handover_id, id);
CREATE INDEX handover_sanctions_restrict ON handover_sanctions (holder_code, restrict_until) WHERE kind = 'restrict';

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_handover_sanctions AFTER DELETE ON handover_sanctions
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'handover_sanctions',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'handover_id', OLD.handover_id,
            'department_id', OLD.regulator_department_id,
            'kind', OLD.kind,
            'decision_no', OLD.decision_no,
            'decided_on', OLD.decided_on,
            'reason', OLD.reason,
            'license_id', OLD.license_id,
            'holder_kind', OLD.holder_kind,
            'holder_name', OLD.holder_name,
            'holder_code', OLD.holder_code,
            'restrict_from', OLD.restrict_from,
            'restrict_until', OLD.restrict_until,
            'item_ids', OLD.item_ids,
            'attachments', OLD.attachments,
            'recorded_at', OLD.recorded_at,
            'recorded_by', OLD.recorded_by,
            'recorded_name', OLD.recorded_name
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_handover_sanctions AFTER DELETE ON handover_sanctions FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_handover_sanctions AFTER UPDATE ON handover_sanctions
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'handover_sanctions',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'handover_id', OLD.handover_id,
            'department_id', OLD.regulator_department_id,
            'kind', OLD.kind,
            'decision_no', OLD.decision_no,
            'decided_on', OLD.decided_on,
            'reason', OLD.reason,
            'license_id', OLD.license_id,
            'holder_kind', OLD.holder_kind,
            'holder_name', OLD.holder_name,
            'holder_code', OLD.holder_code,
            'restrict_from', OLD.restrict_from,
            'restrict_until', OLD.restrict_until,
            'item_ids', OLD.item_ids,
            'attachments', OLD.attachments,
            'recorded_at', OLD.recorded_at,
            'recorded_by', OLD.recorded_by,
            'recorded_name', OLD.recorded_name
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_handover_sanctions AFTER UPDATE ON handover_sanctions FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_handover_sanctions AFTER TRUNCATE ON handover_sanctions FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
