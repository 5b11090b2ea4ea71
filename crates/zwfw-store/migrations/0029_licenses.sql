-- 电子证照: licence types (证照目录), the issuing departments' SM2 keys,
-- the licences (one row per version), their signed history, the issuance
-- jobs written with a grant, and the 用证 log. Nothing here is deleted: a
-- type is deactivated, a key retired, a licence changes status. A trigger
-- body ends its statement and END on one line: no line inside a statement
-- ends with a semicolon.

-- item_ids and issuer_department_ids are JSON lists of ids; template is a
-- JSON list of the field names printed.
CREATE TABLE license_types (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    define_authority TEXT NOT NULL,
    define_authority_level TEXT NOT NULL,
    holder_kind TEXT NOT NULL,
    validity_years BIGINT,
    template TEXT NOT NULL,
    item_ids TEXT NOT NULL,
    issuer_department_ids TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- private_sealed: the private key sealed with SM4-GCM under the master key
-- (hex of nonce, ciphertext and tag). A retired key still verifies.
CREATE TABLE license_keys (
    id {{ID}},
    department_id BIGINT NOT NULL REFERENCES departments (id),
    public_key TEXT NOT NULL UNIQUE,
    private_sealed TEXT NOT NULL,
    signer_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT,
    retired_at BIGINT
);
CREATE UNIQUE INDEX license_keys_current ON license_keys (department_id) WHERE retired_at IS NULL;

CREATE TABLE licenses (
    id {{ID}},
    identifier TEXT NOT NULL UNIQUE,
    serial TEXT NOT NULL,
    version BIGINT NOT NULL,
    type_id BIGINT NOT NULL REFERENCES license_types (id),
    issuer_department_id BIGINT NOT NULL REFERENCES departments (id),
    key_id BIGINT NOT NULL REFERENCES license_keys (id),
    case_id BIGINT,
    item_id BIGINT,
    holder_user_id BIGINT,
    holder_kind TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    holder_code TEXT NOT NULL,
    status TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    issued_at BIGINT NOT NULL,
    signed_data TEXT NOT NULL,
    signature TEXT NOT NULL,
    file_sm3 TEXT NOT NULL,
    status_note TEXT NOT NULL,
    successor TEXT,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX licenses_version ON licenses (type_id, issuer_department_id, serial, version);
CREATE INDEX licenses_holder ON licenses (holder_user_id);
CREATE INDEX licenses_case ON licenses (case_id);
CREATE INDEX licenses_expiry ON licenses (status, valid_until);

CREATE TABLE license_events (
    id {{ID}},
    license_id BIGINT NOT NULL REFERENCES licenses (id),
    change TEXT NOT NULL,
    status TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    note TEXT NOT NULL,
    key_id BIGINT NOT NULL REFERENCES license_keys (id),
    signed_data TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE INDEX license_events_license ON license_events (license_id, id);

-- A grant of an item whose result is a licence writes its job in the
-- conclusion's transaction; the job issues the licence (at once when the
-- issuer has a key, else when one is generated).
CREATE TABLE license_jobs (
    case_id BIGINT NOT NULL PRIMARY KEY,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    license_id BIGINT
);
CREATE INDEX license_jobs_state ON license_jobs (state, case_id);

-- 用证: every verification and every use of a licence.
CREATE TABLE license_uses (
    id {{ID}},
    license_id BIGINT NOT NULL REFERENCES licenses (id),
    identifier TEXT NOT NULL,
    purpose TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    client_addr TEXT NOT NULL
);
CREATE INDEX license_uses_license ON license_uses (license_id, id);

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_license_types AFTER DELETE ON license_types
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'license_types',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'code', OLD.code,
            'name', OLD.name,
            'define_authority', OLD.define_authority,
            'define_authority_level', OLD.define_authority_level,
            'holder_kind', OLD.holder_kind,
            'validity_years', OLD.validity_years,
            'template', OLD.template,
            'item_ids', OLD.item_ids,
            'issuer_department_ids', OLD.issuer_department_ids,
            'active', OLD.active,
            'created_at', OLD.created_at,
            'updated_at', OLD.updated_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_license_types AFTER DELETE ON license_types FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_license_types AFTER UPDATE ON license_types
WHEN NOT sqlite_compileoption_used('ZWFW_PROGRAM_WRITER')
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'license_types',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'code', OLD.code,
            'name', OLD.name,
            'define_authority', OLD.define_authority,
            'define_authority_level', OLD.define_authority_level,
            'holder_kind', OLD.holder_kind,
            'validity_years', OLD.validity_years,
            'template', OLD.template,
            'item_ids', OLD.item_ids,
            'issuer_department_ids', OLD.issuer_department_ids,
            'active', OLD.active,
            'created_at', OLD.created_at,
            'updated_at', OLD.updated_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_license_types AFTER UPDATE ON license_types FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_license_types AFTER TRUNCATE ON license_types FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_license_keys AFTER DELETE ON license_keys
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'license_keys',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'department_id', OLD.department_id,
            'public_key', OLD.public_key,
            'private_sealed', OLD.private_sealed,
            'signer_id', OLD.signer_id,
            'created_at', OLD.created_at,
            'created_by', OLD.created_by,
            'retired_at', OLD.retired_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_license_keys AFTER DELETE ON license_keys FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_license_keys AFTER UPDATE ON license_keys
WHEN NOT sqlite_compileoption_used('ZWFW_PROGRAM_WRITER')
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'license_keys',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'department_id', OLD.department_id,
            'public_key', OLD.public_key,
            'private_sealed', OLD.private_sealed,
            'signer_id', OLD.signer_id,
            'created_at', OLD.created_at,
            'created_by', OLD.created_by,
            'retired_at', OLD.retired_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_license_keys AFTER UPDATE ON license_keys FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_license_keys AFTER TRUNCATE ON license_keys FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_licenses AFTER DELETE ON licenses
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'licenses',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'identifier', OLD.identifier,
            'serial', OLD.serial,
            'version', OLD.version,
            'type_id', OLD.type_id,
            'issuer_department_id', OLD.issuer_department_id,
            'key_id', OLD.key_id,
            'case_id', OLD.case_id,
            'item_id', OLD.item_id,
            'holder_user_id', OLD.holder_user_id,
            'holder_kind', OLD.holder_kind,
            'holder_name', OLD.holder_name,
            'holder_code', OLD.holder_code,
            'status', OLD.status,
            'valid_from', OLD.valid_from,
            'valid_until', OLD.valid_until,
            'issued_at', OLD.issued_at,
            'signed_data', OLD.signed_data,
            'signature', OLD.signature,
            'file_sm3', OLD.file_sm3,
            'status_note', OLD.status_note,
            'successor', OLD.successor,
            'updated_at', OLD.updated_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_licenses AFTER DELETE ON licenses FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_licenses AFTER UPDATE ON licenses
WHEN NOT sqlite_compileoption_used('ZWFW_PROGRAM_WRITER')
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'licenses',
        'edit',
        OLD.id,
        json_object(
            'id', OLD.id,
            'identifier', OLD.identifier,
            'serial', OLD.serial,
            'version', OLD.version,
            'type_id', OLD.type_id,
            'issuer_department_id', OLD.issuer_department_id,
            'key_id', OLD.key_id,
            'case_id', OLD.case_id,
            'item_id', OLD.item_id,
            'holder_user_id', OLD.holder_user_id,
            'holder_kind', OLD.holder_kind,
            'holder_name', OLD.holder_name,
            'holder_code', OLD.holder_code,
            'status', OLD.status,
            'valid_from', OLD.valid_from,
            'valid_until', OLD.valid_until,
            'issued_at', OLD.issued_at,
            'signed_data', OLD.signed_data,
            'signature', OLD.signature,
            'file_sm3', OLD.file_sm3,
            'status_note', OLD.status_note,
            'successor', OLD.successor,
            'updated_at', OLD.updated_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_licenses AFTER UPDATE ON licenses FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_licenses AFTER TRUNCATE ON licenses FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_license_events AFTER DELETE ON license_events
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'license_events',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'license_id', OLD.license_id,
            'change', OLD.change,
            'status', OLD.status,
            'at', OLD.at,
            'actor_id', OLD.actor_id,
            'actor_name', OLD.actor_name,
            'note', OLD.note,
            'key_id', OLD.key_id,
            'signed_data', OLD.signed_data,
            'signature', OLD.signature
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_license_events AFTER DELETE ON license_events FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_license_events AFTER UPDATE ON license_events
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'license_events',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'license_id', OLD.license_id,
            'change', OLD.change,
            'status', OLD.status,
            'at', OLD.at,
            'actor_id', OLD.actor_id,
            'actor_name', OLD.actor_name,
            'note', OLD.note,
            'key_id', OLD.key_id,
            'signed_data', OLD.signed_data,
            'signature', OLD.signature
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_license_events AFTER UPDATE ON license_events FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_license_events AFTER TRUNCATE ON license_events FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_license_jobs AFTER DELETE ON license_jobs
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'license_jobs',
        'delete',
        OLD.case_id,
        json_object(
            'case_id', OLD.case_id,
            'state', OLD.state,
            'reason', OLD.reason,
            'created_at', OLD.created_at,
            'updated_at', OLD.updated_at,
            'license_id', OLD.license_id
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_license_jobs AFTER DELETE ON license_jobs FOR EACH ROW EXECUTE FUNCTION zwfw_guard('case_id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_edit_license_jobs AFTER UPDATE ON license_jobs
WHEN NOT sqlite_compileoption_used('ZWFW_PROGRAM_WRITER')
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'license_jobs',
        'edit',
        OLD.case_id,
        json_object(
            'case_id', OLD.case_id,
            'state', OLD.state,
            'reason', OLD.reason,
            'created_at', OLD.created_at,
            'updated_at', OLD.updated_at,
            'license_id', OLD.license_id
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_license_jobs AFTER UPDATE ON license_jobs FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('case_id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_license_jobs AFTER TRUNCATE ON license_jobs FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_license_uses AFTER DELETE ON license_uses
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'license_uses',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'license_id', OLD.license_id,
            'identifier', OLD.identifier,
            'purpose', OLD.purpose,
            'at', OLD.at,
            'actor_id', OLD.actor_id,
            'client_addr', OLD.client_addr
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_license_uses AFTER DELETE ON license_uses FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_license_uses AFTER UPDATE ON license_uses
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'license_uses',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'license_id', OLD.license_id,
            'identifier', OLD.identifier,
            'purpose', OLD.purpose,
            'at', OLD.at,
            'actor_id', OLD.actor_id,
            'client_addr', OLD.client_addr
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_license_uses AFTER UPDATE ON license_uses FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_license_uses AFTER TRUNCATE ON license_uses FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
