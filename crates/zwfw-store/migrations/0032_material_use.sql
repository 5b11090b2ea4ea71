-- Licences and commitments used as application materials. A case material
-- (and an e-materials library entry) may name the licence version it is
-- (`license_id`, trust A, source 'license'); a 告知承诺 is a case material
-- with source 'commitment' (trust D, its file the signed commitment). A
-- commitment the department found unfulfilled is recorded once, never
-- changed or deleted. A trigger body ends its statement and END on one
-- line: no line inside a statement ends with a semicolon.

ALTER TABLE case_materials ADD COLUMN license_id BIGINT;
ALTER TABLE e_materials ADD COLUMN license_id BIGINT;

CREATE TABLE commitment_breaches (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES cases (id),
    material_id BIGINT NOT NULL UNIQUE REFERENCES case_materials (id),
    material_no BIGINT NOT NULL,
    reason TEXT NOT NULL,
    marked_by BIGINT NOT NULL,
    marked_name TEXT NOT NULL,
    marked_at BIGINT NOT NULL,
    finding_no TEXT NOT NULL
);
CREATE INDEX commitment_breaches_case ON commitment_breaches (case_id);

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_commitment_breaches AFTER DELETE ON commitment_breaches
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'commitment_breaches',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'case_id', OLD.case_id,
            'material_id', OLD.material_id,
            'material_no', OLD.material_no,
            'reason', OLD.reason,
            'marked_by', OLD.marked_by,
            'marked_name', OLD.marked_name,
            'marked_at', OLD.marked_at,
            'finding_no', OLD.finding_no
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_commitment_breaches AFTER DELETE ON commitment_breaches FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_commitment_breaches AFTER UPDATE ON commitment_breaches
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'commitment_breaches',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'case_id', OLD.case_id,
            'material_id', OLD.material_id,
            'material_no', OLD.material_no,
            'reason', OLD.reason,
            'marked_by', OLD.marked_by,
            'marked_name', OLD.marked_name,
            'marked_at', OLD.marked_at,
            'finding_no', OLD.finding_no
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_commitment_breaches AFTER UPDATE ON commitment_breaches FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_commitment_breaches AFTER TRUNCATE ON commitment_breaches FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
