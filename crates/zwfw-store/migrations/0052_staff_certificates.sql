-- Staff certificates (数字证书, 承德 第十九—二十一条): the SM2 certificates
-- (X.509) registered by the service centre for each staff member, usable as
-- the second factor of a sign-in; the reports that block one (挂失, 锁死,
-- 撤销); the single-use sign-in challenges. Certificates and reports are
-- append-only: a certificate's state is its latest report (none: active),
-- re-issue registers a new certificate that names the one it replaces.

-- serial: the certificate's serial number, upper-case hex. issuer, subject:
-- the names as RFC 4514 text. not_before, not_after: the validity, epoch ms.
-- fingerprint: SM3 of the DER, hex. public_key: the SM2 key, uncompressed
-- (04||x||y), hex. pem: the certificate as uploaded, PEM. ca_checked: 1 when
-- its signature was checked against the configured CA certificate.
CREATE TABLE staff_certificates (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users (id),
    serial TEXT NOT NULL,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    not_before BIGINT NOT NULL,
    not_after BIGINT NOT NULL,
    fingerprint TEXT NOT NULL,
    public_key TEXT NOT NULL,
    pem TEXT NOT NULL,
    ca_checked BIGINT NOT NULL,
    replaces BIGINT REFERENCES staff_certificates (id),
    registered_by BIGINT REFERENCES users (id),
    registered_name TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    reason TEXT NOT NULL
);
-- A certificate is registered once, for one person.
CREATE UNIQUE INDEX staff_certificates_fingerprint ON staff_certificates (fingerprint);
CREATE INDEX staff_certificates_user ON staff_certificates (user_id, id);

-- state: lost | locked | revoked (挂失, 锁死, 撤销), final.
CREATE TABLE staff_certificate_reports (
    id {{ID}},
    certificate_id BIGINT NOT NULL REFERENCES staff_certificates (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    reported_by BIGINT REFERENCES users (id),
    reported_name TEXT NOT NULL,
    reported_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX staff_certificate_reports_one ON staff_certificate_reports (certificate_id);

-- A sign-in challenge: issued to a session waiting for its second factor,
-- answered once before expires_at (any app server reads it here). used_at
-- is set by the answer, right or wrong: a challenge is never answered twice.
CREATE TABLE certificate_challenges (
    id {{ID}},
    nonce TEXT NOT NULL,
    session_id BIGINT NOT NULL REFERENCES sessions (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    certificate_id BIGINT NOT NULL REFERENCES staff_certificates (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    outcome TEXT
);
CREATE UNIQUE INDEX certificate_challenges_nonce ON certificate_challenges (nonce);
CREATE INDEX certificate_challenges_certificate ON certificate_challenges (certificate_id, outcome);

-- The guards (migrations 0013 and 0016): a row deleted or changed at all is
-- recorded in data_tamper. A trigger body ends its statement and END on one
-- line: no line inside a statement ends with a semicolon.

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_staff_certificates AFTER DELETE ON staff_certificates
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'staff_certificates',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'user_id', OLD.user_id,
            'serial', OLD.serial,
            'issuer', OLD.issuer,
            'subject', OLD.subject,
            'not_before', OLD.not_before,
            'not_after', OLD.not_after,
            'fingerprint', OLD.fingerprint,
            'public_key', OLD.public_key,
            'pem', OLD.pem,
            'ca_checked', OLD.ca_checked,
            'replaces', OLD.replaces,
            'registered_by', OLD.registered_by,
            'registered_name', OLD.registered_name,
            'registered_at', OLD.registered_at,
            'reason', OLD.reason
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_staff_certificates AFTER DELETE ON staff_certificates FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_staff_certificates AFTER UPDATE ON staff_certificates
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'staff_certificates',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'user_id', OLD.user_id,
            'serial', OLD.serial,
            'issuer', OLD.issuer,
            'subject', OLD.subject,
            'not_before', OLD.not_before,
            'not_after', OLD.not_after,
            'fingerprint', OLD.fingerprint,
            'public_key', OLD.public_key,
            'pem', OLD.pem,
            'ca_checked', OLD.ca_checked,
            'replaces', OLD.replaces,
            'registered_by', OLD.registered_by,
            'registered_name', OLD.registered_name,
            'registered_at', OLD.registered_at,
            'reason', OLD.reason
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_staff_certificates AFTER UPDATE ON staff_certificates FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_staff_certificates AFTER TRUNCATE ON staff_certificates FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_staff_certificate_reports AFTER DELETE ON staff_certificate_reports
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'staff_certificate_reports',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'certificate_id', OLD.certificate_id,
            'user_id', OLD.user_id,
            'state', OLD.state,
            'reason', OLD.reason,
            'reported_by', OLD.reported_by,
            'reported_name', OLD.reported_name,
            'reported_at', OLD.reported_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_staff_certificate_reports AFTER DELETE ON staff_certificate_reports FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_staff_certificate_reports AFTER UPDATE ON staff_certificate_reports
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'staff_certificate_reports',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'certificate_id', OLD.certificate_id,
            'user_id', OLD.user_id,
            'state', OLD.state,
            'reason', OLD.reason,
            'reported_by', OLD.reported_by,
            'reported_name', OLD.reported_name,
            'reported_at', OLD.reported_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_staff_certificate_reports AFTER UPDATE ON staff_certificate_reports FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_staff_certificate_reports AFTER TRUNCATE ON staff_certificate_reports FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
