//! The database's guards against changes made around the program (rule
//! A07, migrations 0013 and 0016): the records the guard triggers left, and which of
//! the guard triggers are missing.

use crate::db::query;
use crate::{Backend, RowExt, Store, StoreResult};

/// The guard triggers of both databases.
pub const GUARDS: &[&str] = &[
    "zwfw_guard_del_cases",
    "zwfw_guard_del_case_events",
    "zwfw_guard_del_case_joint",
    "zwfw_guard_del_case_materials",
    "zwfw_guard_del_case_documents",
    "zwfw_guard_del_case_originals",
    "zwfw_guard_del_e_materials",
    "zwfw_guard_del_items",
    "zwfw_guard_del_item_versions",
    "zwfw_guard_del_item_events",
    "zwfw_guard_del_interactions",
    "zwfw_guard_del_interaction_events",
    "zwfw_guard_del_interaction_handlers",
    "zwfw_guard_del_ratings",
    "zwfw_guard_del_findings",
    "zwfw_guard_del_oversight_orders",
    "zwfw_guard_del_supervision_events",
    "zwfw_guard_del_evaluation_publications",
    "zwfw_guard_del_calendar_years",
    "zwfw_guard_del_files",
    "zwfw_guard_del_notices",
    "zwfw_guard_del_registry_persons",
    "zwfw_guard_del_registry_companies",
    "zwfw_guard_upd_case_events",
    "zwfw_guard_upd_item_events",
    "zwfw_guard_upd_interaction_events",
    "zwfw_guard_upd_supervision_events",
    "zwfw_guard_upd_evaluation_publications",
    "zwfw_guard_upd_item_versions",
    "zwfw_guard_edit_cases",
    "zwfw_guard_edit_case_joint",
    "zwfw_guard_edit_case_materials",
    "zwfw_guard_edit_case_documents",
    "zwfw_guard_edit_case_originals",
    "zwfw_guard_edit_e_materials",
    "zwfw_guard_edit_items",
    "zwfw_guard_edit_item_versions",
    "zwfw_guard_edit_interactions",
    "zwfw_guard_edit_interaction_handlers",
    "zwfw_guard_edit_ratings",
    "zwfw_guard_edit_findings",
    "zwfw_guard_edit_oversight_orders",
    "zwfw_guard_edit_calendar_years",
    "zwfw_guard_edit_files",
    "zwfw_guard_edit_notices",
    "zwfw_guard_del_license_types",
    "zwfw_guard_edit_license_types",
    "zwfw_guard_del_license_keys",
    "zwfw_guard_edit_license_keys",
    "zwfw_guard_del_licenses",
    "zwfw_guard_edit_licenses",
    "zwfw_guard_del_license_events",
    "zwfw_guard_upd_license_events",
    "zwfw_guard_del_license_jobs",
    "zwfw_guard_edit_license_jobs",
    "zwfw_guard_del_license_uses",
    "zwfw_guard_upd_license_uses",
    "zwfw_guard_del_commitment_breaches",
    "zwfw_guard_del_handovers",
    "zwfw_guard_edit_handovers",
    "zwfw_guard_del_maintenance_requests",
    "zwfw_guard_edit_maintenance_requests",
    "zwfw_guard_del_maintenance_request_changes",
    "zwfw_guard_upd_maintenance_request_changes",
    "zwfw_guard_del_handover_sanctions",
    "zwfw_guard_upd_handover_sanctions",
    "zwfw_guard_del_decision_numbers",
    "zwfw_guard_upd_decision_numbers",
    "zwfw_guard_del_credit_licensing",
    "zwfw_guard_edit_credit_licensing",
    "zwfw_guard_del_faults",
    "zwfw_guard_edit_faults",
    "zwfw_guard_del_fault_events",
    "zwfw_guard_upd_fault_events",
    "zwfw_guard_del_staff_qualifications",
    "zwfw_guard_upd_staff_qualifications",
    "zwfw_guard_del_qualification_reminders",
    "zwfw_guard_upd_qualification_reminders",
    "zwfw_guard_approved_deletions",
    "zwfw_guard_del_deletion_requests",
    "zwfw_guard_edit_deletion_requests",
    "zwfw_guard_del_deleted_records",
    "zwfw_guard_upd_deleted_records",
    "zwfw_guard_del_staff_certificates",
    "zwfw_guard_upd_staff_certificates",
    "zwfw_guard_del_staff_certificate_reports",
    "zwfw_guard_upd_staff_certificate_reports",
    "zwfw_guard_del_case_backfills",
    "zwfw_guard_upd_case_backfills",
    "zwfw_guard_del_certificate_reminders",
    "zwfw_guard_upd_certificate_reminders",
    "zwfw_guard_del_certificate_crls",
    "zwfw_guard_upd_certificate_crls",
    "zwfw_guard_del_rights_requests",
    "zwfw_guard_edit_rights_requests",
    "zwfw_guard_del_rights_request_rows",
    "zwfw_guard_upd_rights_request_rows",
    "zwfw_guard_del_correction_requests",
    "zwfw_guard_edit_correction_requests",
    "zwfw_guard_upd_commitment_breaches",
    "zwfw_guard_edit_registry_persons",
    "zwfw_guard_edit_registry_companies",
    "zwfw_guard_update_data_tamper",
    "zwfw_guard_delete_data_tamper",
];

/// What a PostgreSQL connection of the program runs first, so that the
/// guards against edits made around the program (migration 0016) let its
/// own changes pass. (On SQLite the program's writer is known by
/// [`mark_sqlite_writer`].)
pub const PROGRAM_MARK: &str = "SET zwfw.app = 'on'";

/// The SQLite writer's page cache size (`PRAGMA cache_size`, in KiB when
/// negative; 8 MiB, see migration 0021).
pub const SQLITE_WRITER_CACHE: i64 = -8191;

/// The name for which the SQLite writer's `sqlite_compileoption_used`
/// answers 1 (migration 0022): the guards take an UPDATE made on any other
/// connection, where the built-in answers 0, for a change around the program.
pub const SQLITE_WRITER_MARK: &str = "ZWFW_PROGRAM_WRITER";

/// Makes `conn` the program's writer for the guards: its
/// `sqlite_compileoption_used` answers 1 for [`SQLITE_WRITER_MARK`] and
/// every other name as the built-in does.
pub(crate) fn mark_sqlite_writer(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("sqlite_compileoption_used", 1, flags, |ctx| {
        // Read in place: the guards call it at every guarded UPDATE.
        let Ok(name) = ctx.get_raw(0).as_str() else { return Ok(0) };
        if name == SQLITE_WRITER_MARK {
            return Ok(1);
        }
        let Ok(c) = std::ffi::CString::new(name) else { return Ok(0) };
        // SAFETY: a NUL-terminated string that lives across the call.
        Ok(unsafe { rusqlite::ffi::sqlite3_compileoption_used(c.as_ptr()) })
    })
}

/// PostgreSQL's own guards: against TRUNCATE (SQLite has no TRUNCATE: a
/// DELETE without WHERE fires the row triggers), and over the audit records
/// not yet sealed into the chain (migration 0017; SQLite has none).
pub const POSTGRES_GUARDS: &[&str] = &[
    "zwfw_guard_trunc_cases",
    "zwfw_guard_trunc_case_events",
    "zwfw_guard_trunc_case_joint",
    "zwfw_guard_trunc_case_materials",
    "zwfw_guard_trunc_case_documents",
    "zwfw_guard_trunc_case_originals",
    "zwfw_guard_trunc_e_materials",
    "zwfw_guard_trunc_items",
    "zwfw_guard_trunc_item_versions",
    "zwfw_guard_trunc_item_events",
    "zwfw_guard_trunc_interactions",
    "zwfw_guard_trunc_interaction_events",
    "zwfw_guard_trunc_interaction_handlers",
    "zwfw_guard_trunc_ratings",
    "zwfw_guard_trunc_findings",
    "zwfw_guard_trunc_oversight_orders",
    "zwfw_guard_trunc_supervision_events",
    "zwfw_guard_trunc_evaluation_publications",
    "zwfw_guard_trunc_calendar_years",
    "zwfw_guard_trunc_files",
    "zwfw_guard_trunc_notices",
    "zwfw_guard_trunc_license_types",
    "zwfw_guard_trunc_license_keys",
    "zwfw_guard_trunc_licenses",
    "zwfw_guard_trunc_license_events",
    "zwfw_guard_trunc_license_jobs",
    "zwfw_guard_trunc_license_uses",
    "zwfw_guard_trunc_commitment_breaches",
    "zwfw_guard_trunc_handovers",
    "zwfw_guard_trunc_maintenance_requests",
    "zwfw_guard_trunc_maintenance_request_changes",
    "zwfw_guard_trunc_handover_sanctions",
    "zwfw_guard_trunc_decision_numbers",
    "zwfw_guard_trunc_credit_licensing",
    "zwfw_guard_trunc_faults",
    "zwfw_guard_trunc_fault_events",
    "zwfw_guard_trunc_staff_qualifications",
    "zwfw_guard_trunc_qualification_reminders",
    "zwfw_guard_trunc_deletion_requests",
    "zwfw_guard_trunc_deleted_records",
    "zwfw_guard_trunc_case_backfills",
    "zwfw_guard_trunc_certificate_reminders",
    "zwfw_guard_trunc_certificate_crls",
    "zwfw_guard_trunc_rights_requests",
    "zwfw_guard_trunc_rights_request_rows",
    "zwfw_guard_trunc_correction_requests",
    "zwfw_guard_trunc_registry_persons",
    "zwfw_guard_trunc_registry_companies",
    "zwfw_guard_del_audit_pending",
    "zwfw_guard_edit_audit_pending",
    "zwfw_guard_trunc_audit_pending",
];

/// A change the guards recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tamper {
    pub id: i64,
    /// When the database saw it (its own clock).
    pub at: i64,
    pub table_name: String,
    /// delete | update | truncate
    pub op: String,
    /// The row's key (`id`, or its columns joined by `:`); `*` for a truncation.
    pub row_key: String,
    /// The row as it was, as JSON.
    pub row_data: String,
}

/// The guards' records after `after`, oldest first.
pub async fn tamper_after(store: &Store, after: i64, limit: i64) -> StoreResult<Vec<Tamper>> {
    let rows = query(format!("SELECT * FROM data_tamper WHERE id > $1 ORDER BY id LIMIT {}", limit.clamp(1, 100_000)))
        .bind(after)
        .fetch_all(store.pool())
        .await?;
    Ok(rows
        .iter()
        .map(|r| Tamper {
            id: r.i64("id"),
            at: r.i64("at"),
            table_name: r.str("table_name"),
            op: r.str("op"),
            row_key: r.str("row_key"),
            row_data: r.str("row_data"),
        })
        .collect())
}

/// The guard triggers that should be there and are not.
pub async fn missing_guards(store: &Store) -> StoreResult<Vec<&'static str>> {
    let (sql, expected): (&str, Vec<&'static str>) = match store.backend() {
        Backend::Sqlite => {
            ("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'zwfw_guard_%'", GUARDS.to_vec())
        }
        Backend::Postgres => (
            "SELECT tgname::text AS name FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'zwfw_guard_%'",
            GUARDS.iter().chain(POSTGRES_GUARDS).copied().collect(),
        ),
    };
    let present: std::collections::HashSet<String> =
        query(sql).fetch_all(store.pool()).await?.iter().map(|r| r.str("name")).collect();
    Ok(expected.into_iter().filter(|g| !present.contains(*g)).collect())
}
