-- One reminder per staff certificate (数字证书, 承德 004 第二十一条), sent
-- within 30 days before it expires to its holder and the service centre,
-- so that a new one is issued in time.
CREATE TABLE certificate_reminders (
    id {{ID}},
    certificate_id BIGINT NOT NULL REFERENCES staff_certificates (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    not_after BIGINT NOT NULL,
    sent_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX certificate_reminders_one ON certificate_reminders (certificate_id);

-- The guards (migrations 0013 and 0016): a row deleted or changed at all is
-- recorded in data_tamper. A trigger body ends its statement and END on one
-- line: no line inside a statement ends with a semicolon.

/*sqlite*/ CREATE TRIGGER zwfw_guard_del_certificate_reminders AFTER DELETE ON certificate_reminders
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'certificate_reminders',
        'delete',
        OLD.id,
        json_object(
            'id', OLD.id,
            'certificate_id', OLD.certificate_id,
            'user_id', OLD.user_id,
            'not_after', OLD.not_after,
            'sent_at', OLD.sent_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_del_certificate_reminders AFTER DELETE ON certificate_reminders FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*sqlite*/ CREATE TRIGGER zwfw_guard_upd_certificate_reminders AFTER UPDATE ON certificate_reminders
BEGIN
    INSERT INTO data_tamper (at, table_name, op, row_key, row_data)
    VALUES (
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        'certificate_reminders',
        'update',
        OLD.id,
        json_object(
            'id', OLD.id,
            'certificate_id', OLD.certificate_id,
            'user_id', OLD.user_id,
            'not_after', OLD.not_after,
            'sent_at', OLD.sent_at
        )
    ); END;

/*postgres*/ CREATE TRIGGER zwfw_guard_upd_certificate_reminders AFTER UPDATE ON certificate_reminders FOR EACH ROW EXECUTE FUNCTION zwfw_guard('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_certificate_reminders AFTER TRUNCATE ON certificate_reminders FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
