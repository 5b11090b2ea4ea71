-- 人口库 and 法人库 (承德 004 第十七条): the local copy of the base records,
-- kept current by imported extracts and by the look-up service. A record
-- is replaced by a later extract (upsert by its number) and never deleted.
-- A person's 身份证号 is not stored: `id_key` is its SM3
-- (zwfw_domain::registry::person_key), by which it is found, and lists
-- show `id_masked`. A trigger body ends its statement and END on one line:
-- no line inside a statement ends with a semicolon.

CREATE TABLE registry_persons (
    id {{ID}},
    id_key TEXT NOT NULL UNIQUE,
    id_masked TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX registry_persons_listed ON registry_persons (updated_at, id);

CREATE TABLE registry_companies (
    id {{ID}},
    credit_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    legal_rep TEXT NOT NULL,
    address TEXT NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX registry_companies_listed ON registry_companies (updated_at, id);

-- Where a case material came from: '' (an upload or the e-materials
-- library, as before) or 'registry' (drawn from the 人口库/法人库, trust A).
ALTER TABLE case_materials ADD COLUMN source TEXT NOT NULL DEFAULT '';

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_registry_persons AFTER DELETE ON registry_persons
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'registry_persons',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'id_key', OLD.id_key,
            'id_masked', OLD.id_masked,
            'name', OLD.name,
            'address', OLD.address,
            'source', OLD.source,
            'updated_by', OLD.updated_by,
            'created_at', OLD.created_at,
            'updated_at', OLD.updated_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_registry_persons AFTER DELETE ON registry_persons FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_registry_persons AFTER UPDATE ON registry_persons
WHEN NOT sqlite_compileoption_used('ZWFW_PROGRAM_WRITER')
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'registry_persons',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'id_key', OLD.id_key,
            'id_masked', OLD.id_masked,
            'name', OLD.name,
            'address', OLD.address,
            'source', OLD.source,
            'updated_by', OLD.updated_by,
            'created_at', OLD.created_at,
            'updated_at', OLD.updated_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_registry_persons AFTER UPDATE ON registry_persons FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_registry_persons AFTER TRUNCATE ON registry_persons FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_registry_companies AFTER DELETE ON registry_companies
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'registry_companies',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'credit_code', OLD.credit_code,
            'name', OLD.name,
            'legal_rep', OLD.legal_rep,
            'address', OLD.address,
            'status', OLD.status,
            'source', OLD.source,
            'updated_by', OLD.updated_by,
            'created_at', OLD.created_at,
            'updated_at', OLD.updated_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_registry_companies AFTER DELETE ON registry_companies FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_registry_companies AFTER UPDATE ON registry_companies
WHEN NOT sqlite_compileoption_used('ZWFW_PROGRAM_WRITER')
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'registry_companies',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'credit_code', OLD.credit_code,
            'name', OLD.name,
            'legal_rep', OLD.legal_rep,
            'address', OLD.address,
            'status', OLD.status,
            'source', OLD.source,
            'updated_by', OLD.updated_by,
            'created_at', OLD.created_at,
            'updated_at', OLD.updated_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_registry_companies AFTER UPDATE ON registry_companies FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_registry_companies AFTER TRUNCATE ON registry_companies FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
