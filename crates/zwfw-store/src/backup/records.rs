//! The record of backups and restore drills (migration 0036): every backup
//! made or attempted, with its outcome and what it held; every drill, with
//! its outcome, the measured time to restore and the age of the data.
//! Nothing is deleted: a backup file removed by the retention keeps its row.

use crate::db::query;
use crate::{RowExt, Store, StoreResult};
use serde::Serialize;

/// A backup made or attempted.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupRecord {
    pub id: i64,
    /// scheduled | manual | command
    pub kind: String,
    /// The directory it was written to (the backup directory, or where the command wrote it).
    pub dir: String,
    pub file_name: String,
    pub started_at: i64,
    /// How long it took.
    pub millis: i64,
    /// ok | failed
    pub outcome: String,
    pub error_code: Option<String>,
    pub error: Option<String>,
    /// The file's size in bytes and its SM3.
    pub size: i64,
    pub sm3: String,
    pub encrypted: bool,
    /// When the snapshot was taken.
    pub created_at: Option<i64>,
    pub rows_total: i64,
    pub files: i64,
    /// The audit chain's head in the snapshot.
    pub audit_seq: i64,
    /// Who made it (the account, `system` for the schedule, the operator of the command).
    pub actor_name: String,
    /// When the retention removed its file.
    pub pruned_at: Option<i64>,
}

fn backup(r: &crate::db::Row) -> BackupRecord {
    BackupRecord {
        id: r.i64("id"),
        kind: r.str("kind"),
        dir: r.str("dir"),
        file_name: r.str("file_name"),
        started_at: r.i64("started_at"),
        millis: r.i64("millis"),
        outcome: r.str("outcome"),
        error_code: r.opt_str("error_code"),
        error: r.opt_str("error"),
        size: r.i64("size"),
        sm3: r.str("sm3"),
        encrypted: r.i64("encrypted") != 0,
        created_at: r.opt_i64("created_at"),
        rows_total: r.i64("rows_total"),
        files: r.i64("files"),
        audit_seq: r.i64("audit_seq"),
        actor_name: r.str("actor_name"),
        pruned_at: r.opt_i64("pruned_at"),
    }
}

/// A restore drill.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DrillRecord {
    pub id: i64,
    /// The backup restored (none when there was none to restore).
    pub backup_id: Option<i64>,
    pub file_name: String,
    /// scheduled | manual | command
    pub kind: String,
    pub started_at: i64,
    /// The measured time to restore and check, in milliseconds.
    pub millis: i64,
    /// passed | failed
    pub outcome: String,
    pub error_code: Option<String>,
    pub error: Option<String>,
    /// When the backup's snapshot was taken, and how old its data were when restored.
    pub backup_created_at: Option<i64>,
    pub data_age_ms: Option<i64>,
    pub tables_checked: i64,
    pub rows_checked: i64,
    /// Audit records whose links were verified in the restored database.
    pub audit_checked: i64,
    pub actor_name: String,
}

fn drill(r: &crate::db::Row) -> DrillRecord {
    DrillRecord {
        id: r.i64("id"),
        backup_id: r.opt_i64("backup_id"),
        file_name: r.str("file_name"),
        kind: r.str("kind"),
        started_at: r.i64("started_at"),
        millis: r.i64("millis"),
        outcome: r.str("outcome"),
        error_code: r.opt_str("error_code"),
        error: r.opt_str("error"),
        backup_created_at: r.opt_i64("backup_created_at"),
        data_age_ms: r.opt_i64("data_age_ms"),
        tables_checked: r.i64("tables_checked"),
        rows_checked: r.i64("rows_checked"),
        audit_checked: r.i64("audit_checked"),
        actor_name: r.str("actor_name"),
    }
}

/// Records a backup (its `id` is ignored); returns the new id.
pub async fn insert_backup(store: &Store, b: &BackupRecord) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO backup_records (kind, dir, file_name, started_at, millis, outcome, error_code, error, size, sm3, \
         encrypted, created_at, rows_total, files, audit_seq, actor_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(b.kind.as_str())
    .bind(b.dir.as_str())
    .bind(b.file_name.as_str())
    .bind(b.started_at)
    .bind(b.millis)
    .bind(b.outcome.as_str())
    .bind(b.error_code.as_deref())
    .bind(b.error.as_deref())
    .bind(b.size)
    .bind(b.sm3.as_str())
    .bind(i64::from(b.encrypted))
    .bind(b.created_at)
    .bind(b.rows_total)
    .bind(b.files)
    .bind(b.audit_seq)
    .bind(b.actor_name.as_str())
    .fetch_one(store.pool())
    .await?;
    Ok(r.i64("id"))
}

/// The latest backups, newest first.
pub async fn backups(store: &Store, limit: i64) -> StoreResult<Vec<BackupRecord>> {
    let rows =
        query(format!("SELECT * FROM backup_records ORDER BY started_at DESC, id DESC LIMIT {}", limit.clamp(1, 1000)))
            .fetch_all(store.pool())
            .await?;
    Ok(rows.iter().map(backup).collect())
}

/// The newest successful backup whose file was not removed.
pub async fn newest_ok(store: &Store) -> StoreResult<Option<BackupRecord>> {
    let r = query(
        "SELECT * FROM backup_records WHERE outcome = 'ok' AND pruned_at IS NULL ORDER BY started_at DESC, id DESC LIMIT 1",
    )
    .fetch_optional(store.pool())
    .await?;
    Ok(r.as_ref().map(backup))
}

/// When the last backup (of any outcome) was started: the schedule's reference.
pub async fn last_started(store: &Store) -> StoreResult<Option<i64>> {
    let r = query("SELECT MAX(started_at) AS at FROM backup_records").fetch_one(store.pool()).await?;
    Ok(r.opt_i64("at"))
}

/// When the first backup was recorded.
pub async fn first_started(store: &Store) -> StoreResult<Option<i64>> {
    let r = query("SELECT MIN(started_at) AS at FROM backup_records").fetch_one(store.pool()).await?;
    Ok(r.opt_i64("at"))
}

/// The successful backups of `dir` whose files are kept: (id, started at).
pub async fn kept_in(store: &Store, dir: &str) -> StoreResult<Vec<BackupRecord>> {
    let rows = query(
        "SELECT * FROM backup_records WHERE dir = $1 AND outcome = 'ok' AND pruned_at IS NULL AND kind <> 'command' \
         ORDER BY started_at DESC, id DESC",
    )
    .bind(dir)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(backup).collect())
}

/// Marks a backup's file removed by the retention.
pub async fn mark_pruned(store: &Store, id: i64, at: i64) -> StoreResult<()> {
    query("UPDATE backup_records SET pruned_at = $1 WHERE id = $2 AND pruned_at IS NULL")
        .bind(at)
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Records a restore drill (its `id` is ignored); returns the new id.
pub async fn insert_drill(store: &Store, d: &DrillRecord) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO backup_drills (backup_id, file_name, kind, started_at, millis, outcome, error_code, error, \
         backup_created_at, data_age_ms, tables_checked, rows_checked, audit_checked, actor_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(d.backup_id)
    .bind(d.file_name.as_str())
    .bind(d.kind.as_str())
    .bind(d.started_at)
    .bind(d.millis)
    .bind(d.outcome.as_str())
    .bind(d.error_code.as_deref())
    .bind(d.error.as_deref())
    .bind(d.backup_created_at)
    .bind(d.data_age_ms)
    .bind(d.tables_checked)
    .bind(d.rows_checked)
    .bind(d.audit_checked)
    .bind(d.actor_name.as_str())
    .fetch_one(store.pool())
    .await?;
    Ok(r.i64("id"))
}

/// The latest drills, newest first.
pub async fn drills(store: &Store, limit: i64) -> StoreResult<Vec<DrillRecord>> {
    let rows =
        query(format!("SELECT * FROM backup_drills ORDER BY started_at DESC, id DESC LIMIT {}", limit.clamp(1, 1000)))
            .fetch_all(store.pool())
            .await?;
    Ok(rows.iter().map(drill).collect())
}

/// The last drill that passed.
pub async fn last_passed_drill(store: &Store) -> StoreResult<Option<DrillRecord>> {
    let r = query("SELECT * FROM backup_drills WHERE outcome = 'passed' ORDER BY started_at DESC, id DESC LIMIT 1")
        .fetch_optional(store.pool())
        .await?;
    Ok(r.as_ref().map(drill))
}
