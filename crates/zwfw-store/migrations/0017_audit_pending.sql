-- PostgreSQL: a transaction writes its audit records here, unchained, and
-- commits; the sealer (`audit::seal`) then moves them, in the order it finds
-- them committed, into the SM3 chain of `audit_log`, a batch at a time. So
-- concurrent transactions no longer queue on the chain's head row until
-- their commit, and the chain's order is the order its records became
-- visible. SQLite writes the chain in the transaction itself (its writer
-- excludes every other) and leaves this table empty.
--
-- A record removed or changed here before it is sealed is recorded by a
-- guard (rule A07) like a change of business data.

CREATE TABLE audit_pending (
    id {{ID}},
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    department_id BIGINT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    reason TEXT NOT NULL,
    client_addr TEXT NOT NULL
);

/*postgres*/ CREATE TRIGGER zwfw_guard_del_audit_pending AFTER DELETE ON audit_pending FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_edit_audit_pending AFTER UPDATE ON audit_pending FOR EACH ROW WHEN (current_setting('zwfw.app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION zwfw_guard_edit('id');

/*postgres*/ CREATE TRIGGER zwfw_guard_trunc_audit_pending AFTER TRUNCATE ON audit_pending FOR EACH STATEMENT EXECUTE FUNCTION zwfw_guard();
