-- 双公示: one publication record per 行政许可 decision (a grant or a denial
-- of an item of type 行政许可), written in the transaction of the
-- conclusion with the national fields; published (公示) by the deciding
-- department, due 7 working days after the decision; the licence's number
-- and validity join it once issued; a licence later 注销 or 吊销 makes it
-- 无效 from that day. Nothing here is deleted. A trigger body ends its
-- statement and END on one line: no line inside a statement ends with a
-- semicolon.

-- decision: granted | denied. holder_kind: natural | legal (the case's
-- applicant kind); holder_code is stored whole and masked where shown.
-- category: 许可类别 (general | special | recognition | approval |
-- registration | other), set at publication. Days are YYYY-MM-DD, China
-- time: decided_on, valid_from, valid_to (2099-12-31 = 长期), publish_due,
-- published_on, invalid_on.
CREATE TABLE credit_licensing (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES cases (id),
    case_no TEXT NOT NULL,
    item_id BIGINT NOT NULL,
    item_name TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    decision TEXT NOT NULL,
    holder_kind TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    holder_code TEXT NOT NULL,
    legal_rep TEXT NOT NULL,
    document_name TEXT NOT NULL,
    document_no TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    certificate_name TEXT NOT NULL,
    license_no TEXT NOT NULL,
    content TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    decided_on TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    authority TEXT NOT NULL,
    authority_code TEXT NOT NULL,
    source_unit TEXT NOT NULL,
    source_unit_code TEXT NOT NULL,
    publish_due TEXT NOT NULL,
    published_at BIGINT,
    published_on TEXT,
    published_by BIGINT REFERENCES users (id),
    published_name TEXT NOT NULL DEFAULT '',
    invalid_on TEXT,
    invalid_reason TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX credit_licensing_case ON credit_licensing (case_id);
CREATE INDEX credit_licensing_department ON credit_licensing (department_id, decided_on);
CREATE INDEX credit_licensing_published ON credit_licensing (decided_on, id) WHERE published_at IS NOT NULL;
CREATE INDEX credit_licensing_unpublished ON credit_licensing (publish_due) WHERE published_at IS NULL;

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_credit_licensing AFTER DELETE ON credit_licensing
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'credit_licensing',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'case_id', OLD.case_id,
            'case_no', OLD.case_no,
            'item_id', OLD.item_id,
            'item_name', OLD.item_name,
            'department_id', OLD.department_id,
            'decision', OLD.decision,
            'holder_kind', OLD.holder_kind,
            'holder_name', OLD.holder_name,
            'holder_code', OLD.holder_code,
            'legal_rep', OLD.legal_rep,
            'document_name', OLD.document_name,
            'document_no', OLD.document_no,
            'category', OLD.category,
            'certificate_name', OLD.certificate_name,
            'license_no', OLD.license_no,
            'content', OLD.content,
            'decided_at', OLD.decided_at,
            'decided_on', OLD.decided_on,
            'valid_from', OLD.valid_from,
            'valid_to', OLD.valid_to,
            'authority', OLD.authority,
            'authority_code', OLD.authority_code,
            'source_unit', OLD.source_unit,
            'source_unit_code', OLD.source_unit_code,
            'publish_due', OLD.publish_due,
            'published_at', OLD.published_at,
            'published_on', OLD.published_on,
            'published_by', OLD.published_by,
            'published_name', OLD.published_name,
            'invalid_on', OLD.invalid_on,
            'invalid_reason', OLD.invalid_reason
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_credit_licensing AFTER DELETE ON credit_licensing FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_credit_licensing AFTER UPDATE ON credit_licensing
WHEN NOT sqlite_compileoption_used('ZWFW_PROGRAM_WRITER')
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'credit_licensing',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'case_id', OLD.case_id,
            'case_no', OLD.case_no,
            'item_id', OLD.item_id,
            'item_name', OLD.item_name,
            'department_id', OLD.department_id,
            'decision', OLD.decision,
            'holder_kind', OLD.holder_kind,
            'holder_name', OLD.holder_name,
            'holder_code', OLD.holder_code,
            'legal_rep', OLD.legal_rep,
            'document_name', OLD.document_name,
            'document_no', OLD.document_no,
            'category', OLD.category,
            'certificate_name', OLD.certificate_name,
            'license_no', OLD.license_no,
            'content', OLD.content,
            'decided_at', OLD.decided_at,
            'decided_on', OLD.decided_on,
            'valid_from', OLD.valid_from,
            'valid_to', OLD.valid_to,
            'authority', OLD.authority,
            'authority_code', OLD.authority_code,
            'source_unit', OLD.source_unit,
            'source_unit_code', OLD.source_unit_code,
            'publish_due', OLD.publish_due,
            'published_at', OLD.published_at,
            'published_on', OLD.published_on,
            'published_by', OLD.published_by,
            'published_name', OLD.published_name,
            'invalid_on', OLD.invalid_on,
            'invalid_reason', OLD.invalid_reason
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_credit_licensing AFTER UPDATE ON credit_licensing FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_credit_licensing AFTER TRUNCATE ON credit_licensing FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
