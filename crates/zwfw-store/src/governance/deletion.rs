//! 删除申请 (migration 0051): the deletion requests, their consent and
//! performance, and the archive of the rows a performed deletion removed.
//!
//! A deletion is written in one transaction: each row is copied, as it was,
//! into `deleted_records` with the request, marked in `deletion_marks`,
//! deleted, and the marks emptied again; the guard's record of a marked row
//! under a consented request is dropped by the trigger
//! `zwfw_guard_approved_deletions`, so that rule A07 stays silent for this
//! deletion and for it only.

use crate::db::{query, query_with, Ex, IntoValue, Row, Value};
use crate::{RowExt, Store, StoreError, StoreResult, Tx};

/// One deletion request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionRow {
    pub id: i64,
    pub record_kind: String,
    pub record_id: i64,
    pub record_label: String,
    pub department_id: i64,
    pub department_name: String,
    pub author_id: i64,
    pub author_name: String,
    pub content: String,
    pub reason: String,
    pub state: String,
    pub requested_at: i64,
    pub withdrawn_at: Option<i64>,
    pub consent_by: Option<i64>,
    pub consent_name: String,
    pub consent_at: Option<i64>,
    pub consent_note: String,
    pub performed_by: Option<i64>,
    pub performed_name: String,
    pub performed_at: Option<i64>,
    pub performed_note: String,
}

fn row(r: &Row) -> DeletionRow {
    DeletionRow {
        id: r.i64("id"),
        record_kind: r.str("record_kind"),
        record_id: r.i64("record_id"),
        record_label: r.str("record_label"),
        department_id: r.i64("department_id"),
        department_name: r.opt_str("department_name").unwrap_or_default(),
        author_id: r.i64("author_id"),
        author_name: r.str("author_name"),
        content: r.str("content"),
        reason: r.str("reason"),
        state: r.str("state"),
        requested_at: r.i64("requested_at"),
        withdrawn_at: r.opt_i64("withdrawn_at"),
        consent_by: r.opt_i64("consent_by"),
        consent_name: r.str("consent_name"),
        consent_at: r.opt_i64("consent_at"),
        consent_note: r.str("consent_note"),
        performed_by: r.opt_i64("performed_by"),
        performed_name: r.str("performed_name"),
        performed_at: r.opt_i64("performed_at"),
        performed_note: r.str("performed_note"),
    }
}

const SELECT: &str = "SELECT q.*, d.name AS department_name FROM deletion_requests q \
                      LEFT JOIN departments d ON d.id = q.department_id";

/// The states in which a request still waits for a step.
const OPEN: &str = "('requested', 'consented')";

/// A request to store (state `requested`).
pub struct NewDeletion<'a> {
    pub record_kind: &'a str,
    pub record_id: i64,
    pub record_label: &'a str,
    pub department_id: i64,
    pub author_id: i64,
    pub author_name: &'a str,
    pub content: &'a str,
    pub reason: &'a str,
    pub requested_at: i64,
}

/// Stores a request unless one for the same record is open; its id, or
/// none when one is open.
pub async fn insert(tx: &mut Tx, n: &NewDeletion<'_>) -> StoreResult<Option<i64>> {
    if open_for(tx.conn(), n.record_kind, n.record_id).await?.is_some() {
        return Ok(None);
    }
    let r = query(
        "INSERT INTO deletion_requests (record_kind, record_id, record_label, department_id, author_id, author_name, \
         content, reason, state, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested', $9) RETURNING id",
    )
    .bind(n.record_kind)
    .bind(n.record_id)
    .bind(n.record_label)
    .bind(n.department_id)
    .bind(n.author_id)
    .bind(n.author_name)
    .bind(n.content)
    .bind(n.reason)
    .bind(n.requested_at)
    .fetch_one(tx.conn())
    .await?;
    Ok(Some(r.i64("id")))
}

pub async fn get(ex: Ex<'_>, id: i64) -> StoreResult<Option<DeletionRow>> {
    query(format!("{SELECT} WHERE q.id = $1")).bind(id).maybe(ex, row).await
}

/// The open request (waiting for a step) for a record, if any.
pub async fn open_for(ex: Ex<'_>, kind: &str, record_id: i64) -> StoreResult<Option<DeletionRow>> {
    query(format!("{SELECT} WHERE q.record_kind = $1 AND q.record_id = $2 AND q.state IN {OPEN} ORDER BY q.id DESC"))
        .bind(kind)
        .bind(record_id)
        .maybe(ex, row)
        .await
}

/// Which requests a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<String>,
    /// The author's department.
    pub department_id: Option<i64>,
    pub author_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// The requests the filter names, newest first, and how many there are.
pub async fn list(store: &Store, f: &Filter) -> StoreResult<(Vec<DeletionRow>, i64)> {
    use crate::db::param;
    let mut cond = vec!["1 = 1".to_string()];
    let mut args = vec![];
    if let Some(d) = f.department_id {
        let p = param(&mut args, d.into_value());
        cond.push(format!("q.department_id = {p}"));
    }
    if let Some(a) = f.author_id {
        let p = param(&mut args, a.into_value());
        cond.push(format!("q.author_id = {p}"));
    }
    if let Some(s) = &f.state {
        let p = param(&mut args, s.clone().into_value());
        cond.push(format!("q.state = {p}"));
    }
    let wher = cond.join(" AND ");
    let total = query_with(format!("SELECT COUNT(*) AS n FROM deletion_requests q WHERE {wher}"), args.clone())
        .fetch_one(store.pool())
        .await?
        .i64("n");
    let sql =
        format!("{SELECT} WHERE {wher} ORDER BY q.id DESC LIMIT {} OFFSET {}", f.limit.clamp(1, 500), f.offset.max(0));
    let rows = query_with(sql, args).fetch_all(store.pool()).await?;
    Ok((rows.iter().map(row).collect(), total))
}

/// A step taken on a request: written unless it left `from` meanwhile.
pub struct Step<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub by: i64,
    pub by_name: &'a str,
    pub note: &'a str,
    pub at: i64,
}

/// The head's consent or refusal; false when the request left `from`.
pub async fn consent(tx: &mut Tx, id: i64, s: &Step<'_>) -> StoreResult<bool> {
    record_step(tx, id, "consent", s).await
}

/// The supervision office's performance or refusal; false when the request left `from`.
pub async fn finish(tx: &mut Tx, id: i64, s: &Step<'_>) -> StoreResult<bool> {
    record_step(tx, id, "performed", s).await
}

/// Writes a step into the columns `{prefix}_by`, `_name`, `_note`, `_at`.
async fn record_step(tx: &mut Tx, id: i64, prefix: &'static str, s: &Step<'_>) -> StoreResult<bool> {
    let r = query(format!(
        "UPDATE deletion_requests SET state = $1, {prefix}_by = $2, {prefix}_name = $3, {prefix}_note = $4, \
         {prefix}_at = $5 WHERE id = $6 AND state = $7"
    ))
    .bind(s.to)
    .bind(s.by)
    .bind(s.by_name)
    .bind(s.note)
    .bind(s.at)
    .bind(id)
    .bind(s.from)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The author's withdrawal before consent; false when the request left `requested`.
pub async fn withdraw(tx: &mut Tx, id: i64, at: i64) -> StoreResult<bool> {
    let r = query(
        "UPDATE deletion_requests SET state = 'withdrawn', withdrawn_at = $1 WHERE id = $2 AND state = 'requested'",
    )
    .bind(at)
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Copies the rows of `table` that `wher` selects (parameters `args`) into
/// the archive under request `request_id`, marks them and deletes them. The
/// number of rows deleted.
async fn archive_and_delete(
    tx: &mut Tx,
    request_id: i64,
    table: &'static str,
    wher: &str,
    args: Vec<Value>,
    now_ms: i64,
) -> StoreResult<usize> {
    let rows = query_with(format!("SELECT * FROM {table} WHERE {wher} ORDER BY id"), args.clone())
        .fetch_all(tx.conn())
        .await?;
    for r in &rows {
        let key = r.i64("id").to_string();
        query("INSERT INTO deleted_records (request_id, table_name, row_key, row_data, deleted_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(request_id)
            .bind(table)
            .bind(key.as_str())
            .bind(r.to_json().to_string())
            .bind(now_ms)
            .execute(tx.conn())
            .await?;
        query("INSERT INTO deletion_marks (request_id, table_name, row_key) VALUES ($1, $2, $3)")
            .bind(request_id)
            .bind(table)
            .bind(key.as_str())
            .execute(tx.conn())
            .await?;
    }
    let done = query_with(format!("DELETE FROM {table} WHERE {wher}"), args).execute(tx.conn()).await?;
    if done.rows_affected() as usize != rows.len() {
        return Err(StoreError::Conflict("the rows to delete changed while being deleted"));
    }
    Ok(rows.len())
}

async fn unmark(tx: &mut Tx, request_id: i64) -> StoreResult<()> {
    query("DELETE FROM deletion_marks WHERE request_id = $1").bind(request_id).execute(tx.conn()).await?;
    Ok(())
}

/// Deletes the case draft `case_id` (state `draft`, never submitted) with
/// every material it held, under the consented request `request_id`, the
/// rows kept in the archive. False, having deleted nothing, when the case
/// is no longer a draft (or gone). The request must still be `consented`.
pub async fn delete_case_draft(tx: &mut Tx, request_id: i64, case_id: i64, now_ms: i64) -> StoreResult<bool> {
    crate::lock_row(tx, "cases", case_id).await?;
    let draft =
        query("SELECT id FROM cases WHERE id = $1 AND state = 'draft'").bind(case_id).fetch_optional(tx.conn()).await?;
    if draft.is_none() {
        return Ok(false);
    }
    tx.recent.forget(case_id);
    archive_and_delete(tx, request_id, "case_materials", "case_id = $1", vec![case_id.into_value()], now_ms).await?;
    let n = archive_and_delete(
        tx,
        request_id,
        "cases",
        "id = $1 AND state = $2",
        vec![case_id.into_value(), "draft".into_value()],
        now_ms,
    )
    .await?;
    unmark(tx, request_id).await?;
    Ok(n == 1)
}

/// A material of a case as a deletion of it reads it: its case, its name
/// and who attached it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialOf {
    pub id: i64,
    pub case_id: i64,
    pub name: String,
    pub added_by: Option<i64>,
}

/// The material `id` (removed from its draft or not); none when gone.
pub async fn material_of(ex: Ex<'_>, id: i64) -> StoreResult<Option<MaterialOf>> {
    query("SELECT id, case_id, name, added_by FROM case_materials WHERE id = $1")
        .bind(id)
        .maybe(ex, |r| MaterialOf {
            id: r.i64("id"),
            case_id: r.i64("case_id"),
            name: r.str("name"),
            added_by: r.opt_i64("added_by"),
        })
        .await
}

/// Deletes the material `id` of a case draft registered at the counter
/// (never submitted) under the consented request `request_id`, the row kept
/// in the archive. False, having deleted nothing, when its case is no
/// longer such a draft (or the material is gone).
pub async fn delete_draft_material(tx: &mut Tx, request_id: i64, id: i64, now_ms: i64) -> StoreResult<bool> {
    let Some(m) = material_of(tx.conn(), id).await? else {
        return Ok(false);
    };
    crate::lock_row(tx, "cases", m.case_id).await?;
    tx.recent.forget(m.case_id);
    let n = archive_and_delete(
        tx,
        request_id,
        "case_materials",
        "id = $1 AND added_by IS NOT NULL AND case_id IN \
         (SELECT id FROM cases WHERE id = $2 AND state = $3 AND registered_by IS NOT NULL)",
        vec![id.into_value(), m.case_id.into_value(), "draft".into_value()],
        now_ms,
    )
    .await?;
    unmark(tx, request_id).await?;
    Ok(n == 1)
}

/// An item's version as a deletion of it reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDraftOf {
    pub version_id: i64,
    pub item_id: i64,
    pub version_no: i64,
    pub name: String,
    pub state: String,
    pub department_id: i64,
    pub created_by: Option<i64>,
    /// The actions recorded on the version, oldest first.
    pub actions: Vec<String>,
}

/// The version `id` of an item, with the actions recorded on it; none when gone.
pub async fn item_draft_of(mut ex: Ex<'_>, id: i64) -> StoreResult<Option<ItemDraftOf>> {
    let v = query(
        "SELECT id, item_id, version_no, name, state, department_id, created_by FROM item_versions WHERE id = $1",
    )
    .bind(id)
    .maybe(ex.reborrow(), |r| ItemDraftOf {
        version_id: r.i64("id"),
        item_id: r.i64("item_id"),
        version_no: r.i64("version_no"),
        name: r.str("name"),
        state: r.str("state"),
        department_id: r.i64("department_id"),
        created_by: r.opt_i64("created_by"),
        actions: vec![],
    })
    .await?;
    let Some(mut v) = v else { return Ok(None) };
    v.actions = query("SELECT action FROM item_events WHERE version_id = $1 ORDER BY id")
        .bind(id)
        .all(ex, |r| r.str("action"))
        .await?;
    Ok(Some(v))
}

/// Deletes the draft version `version_id` of an item under the consented
/// request `request_id`, the rows kept in the archive: its events and the
/// version, and the item itself (its events first) when it was never
/// published and has no other version; otherwise the item no longer has an
/// open version. False, having deleted nothing, when the version is no
/// longer a draft never submitted (`drafting`: the actions that leave it
/// one), or is gone.
pub async fn delete_item_draft(
    tx: &mut Tx,
    request_id: i64,
    version_id: i64,
    drafting: &[&str],
    now_ms: i64,
) -> StoreResult<bool> {
    let Some(v) = item_draft_of(tx.conn(), version_id).await? else {
        return Ok(false);
    };
    crate::lock_row(tx, "items", v.item_id).await?;
    let Some(v) = item_draft_of(tx.conn(), version_id).await? else {
        return Ok(false);
    };
    if v.state != "draft" || v.created_by.is_none() || v.actions.iter().any(|a| !drafting.contains(&a.as_str())) {
        return Ok(false);
    }
    let item = query(
        "SELECT published_version_id, (SELECT COUNT(*) FROM item_versions WHERE item_id = $1 AND id <> $2) AS others, \
         (SELECT COUNT(*) FROM item_events WHERE item_id = $1 AND version_id <> $2) AS other_events \
         FROM items WHERE id = $1",
    )
    .bind(v.item_id)
    .bind(version_id)
    .fetch_one(tx.conn())
    .await?;
    let whole =
        item.opt_i64("published_version_id").is_none() && item.i64("others") == 0 && item.i64("other_events") == 0;
    let key = |x: i64| vec![x.into_value()];
    let n = if whole {
        archive_and_delete(tx, request_id, "item_events", "item_id = $1", key(v.item_id), now_ms).await?;
        let n = archive_and_delete(tx, request_id, "item_versions", "item_id = $1", key(v.item_id), now_ms).await?;
        archive_and_delete(tx, request_id, "items", "id = $1", key(v.item_id), now_ms).await?;
        n
    } else {
        query("UPDATE items SET open_version_id = NULL, updated_at = $1 WHERE id = $2 AND open_version_id = $3")
            .bind(now_ms)
            .bind(v.item_id)
            .bind(version_id)
            .execute(tx.conn())
            .await?;
        archive_and_delete(tx, request_id, "item_events", "version_id = $1", key(version_id), now_ms).await?;
        archive_and_delete(tx, request_id, "item_versions", "id = $1", key(version_id), now_ms).await?
    };
    unmark(tx, request_id).await?;
    Ok(n == 1)
}

/// Deletes the maintenance request `id` while unanswered (state
/// `submitted`) under the consented request `request_id`, the row kept in
/// the archive. False, having deleted nothing, when it was answered (or is gone).
pub async fn delete_maintenance_request(tx: &mut Tx, request_id: i64, id: i64, now_ms: i64) -> StoreResult<bool> {
    crate::lock_row(tx, "maintenance_requests", id).await?;
    let n = archive_and_delete(
        tx,
        request_id,
        "maintenance_requests",
        "id = $1 AND state = $2",
        vec![id.into_value(), "submitted".into_value()],
        now_ms,
    )
    .await?;
    unmark(tx, request_id).await?;
    Ok(n == 1)
}

/// A row a performed deletion removed, as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedRow {
    pub id: i64,
    pub request_id: i64,
    pub table_name: String,
    pub row_key: String,
    /// The row's columns as JSON.
    pub row_data: String,
    pub deleted_at: i64,
}

fn archived(r: &Row) -> ArchivedRow {
    ArchivedRow {
        id: r.i64("id"),
        request_id: r.i64("request_id"),
        table_name: r.str("table_name"),
        row_key: r.str("row_key"),
        row_data: r.str("row_data"),
        deleted_at: r.i64("deleted_at"),
    }
}

/// The rows deleted under request `request_id`, in the order they were archived.
pub async fn archived_rows(ex: Ex<'_>, request_id: i64) -> StoreResult<Vec<ArchivedRow>> {
    query("SELECT * FROM deleted_records WHERE request_id = $1 ORDER BY id").bind(request_id).all(ex, archived).await
}
