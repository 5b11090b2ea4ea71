-- 通知公告 and 政策文件 published by the service centre on the portal.
-- A notice is never deleted: it is withdrawn (撤回) with a reason. Its
-- attachments are files of the content-addressed store, listed as JSON
-- ([{"sm3", "name", "size", "kind"}]). A trigger body ends its statement
-- and END on one line: no line inside a statement ends with a semicolon.

CREATE TABLE notices (
    id {{ID}},
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    title TEXT NOT NULL,
    doc_no TEXT NOT NULL,
    issuer TEXT NOT NULL,
    body TEXT NOT NULL,
    attachments TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    published_at BIGINT,
    withdrawn_at BIGINT,
    withdraw_reason TEXT NOT NULL
);
CREATE INDEX notices_listed ON notices (kind, state, published_at);

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_notices AFTER DELETE ON notices
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'notices',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'kind', OLD.kind,
            'state', OLD.state,
            'title', OLD.title,
            'doc_no', OLD.doc_no,
            'issuer', OLD.issuer,
            'body', OLD.body,
            'attachments', OLD.attachments,
            'created_by', OLD.created_by,
            'created_at', OLD.created_at,
            'updated_at', OLD.updated_at,
            'published_at', OLD.published_at,
            'withdrawn_at', OLD.withdrawn_at,
            'withdraw_reason', OLD.withdraw_reason
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_notices AFTER DELETE ON notices FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_notices AFTER UPDATE ON notices
WHEN NOT sqlite_compileoption_used('ZWFW_PROGRAM_WRITER')
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'notices',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'kind', OLD.kind,
            'state', OLD.state,
            'title', OLD.title,
            'doc_no', OLD.doc_no,
            'issuer', OLD.issuer,
            'body', OLD.body,
            'attachments', OLD.attachments,
            'created_by', OLD.created_by,
            'created_at', OLD.created_at,
            'updated_at', OLD.updated_at,
            'published_at', OLD.published_at,
            'withdrawn_at', OLD.withdrawn_at,
            'withdraw_reason', OLD.withdraw_reason
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_notices AFTER UPDATE ON notices FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_notices AFTER TRUNCATE ON notices FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
