-- The certificate revocation lists (CRL, RFC 5280) of the configured staff
-- certificate CA (数字证书, 承德 第十九—二十一条) the platform has taken:
-- each was signed by the CA (SM2 with SM3) and is newer than the one held
-- before it. A registered certificate whose serial is on one is blocked
-- (a report `ca_revoked` in staff_certificate_reports). Append-only.

-- issuer: the CA's name, RFC 4514 text. this_update, next_update: epoch ms.
-- revoked: the serials on it, upper-case hex, comma-separated. fingerprint:
-- SM3 of the DER, hex. pem: the CRL, PEM.
CREATE TABLE certificate_crls (
    id {{ID}},
    issuer TEXT NOT NULL,
    this_update BIGINT NOT NULL,
    next_update BIGINT,
    revoked TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    pem TEXT NOT NULL,
    imported_by BIGINT REFERENCES users (id),
    imported_name TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX certificate_crls_one ON certificate_crls (issuer, this_update);

-- The guards (migrations 0013 and 0016): a row deleted or changed at all is
-- recorded in data_tamper. A trigger body ends its statement and END on one
-- line: no line inside a statement ends with a semicolon.

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_certificate_crls AFTER DELETE ON certificate_crls
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'certificate_crls',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'issuer', OLD.issuer,
            'this_update', OLD.this_update,
            'next_update', OLD.next_update,
            'revoked', OLD.revoked,
            'fingerprint', OLD.fingerprint,
            'imported_by', OLD.imported_by,
            'imported_name', OLD.imported_name,
            'imported_at', OLD.imported_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_certificate_crls AFTER DELETE ON certificate_crls FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_certificate_crls AFTER UPDATE ON certificate_crls
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'certificate_crls',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'issuer', OLD.issuer,
            'this_update', OLD.this_update,
            'next_update', OLD.next_update,
            'revoked', OLD.revoked,
            'fingerprint', OLD.fingerprint,
            'imported_by', OLD.imported_by,
            'imported_name', OLD.imported_name,
            'imported_at', OLD.imported_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_certificate_crls AFTER UPDATE ON certificate_crls FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_certificate_crls AFTER TRUNCATE ON certificate_crls FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
