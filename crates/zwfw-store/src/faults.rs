//! 故障: the faults (migration 0046), their timeline and the paper notice's
//! printing and delivery.

use crate::db::{query, Ex, Row};
use crate::{RowExt, Store, StoreResult, Tx};

/// One fault as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRow {
    pub id: i64,
    pub what: String,
    pub since_at: i64,
    pub scope: String,
    pub department_id: Option<i64>,
    pub function_name: String,
    pub reported_by: i64,
    pub reported_name: String,
    pub reported_at: i64,
    pub acknowledged_at: Option<i64>,
    pub acknowledged_name: String,
    pub cause: String,
    pub cleared_at: Option<i64>,
    pub cleared_name: String,
    pub printed_at: Option<i64>,
}

fn row(r: &Row) -> FaultRow {
    FaultRow {
        id: r.i64("id"),
        what: r.str("what"),
        since_at: r.i64("since_at"),
        scope: r.str("scope"),
        department_id: r.opt_i64("department_id"),
        function_name: r.str("function_name"),
        reported_by: r.i64("reported_by"),
        reported_name: r.str("reported_name"),
        reported_at: r.i64("reported_at"),
        acknowledged_at: r.opt_i64("acknowledged_at"),
        acknowledged_name: r.str("acknowledged_name"),
        cause: r.str("cause"),
        cleared_at: r.opt_i64("cleared_at"),
        cleared_name: r.str("cleared_name"),
        printed_at: r.opt_i64("printed_at"),
    }
}

/// One step of a fault's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultEventRow {
    pub id: i64,
    pub fault_id: i64,
    pub kind: String,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub department_id: Option<i64>,
    pub text: String,
}

/// A fault to record.
pub struct NewFault<'a> {
    pub what: &'a str,
    pub since_at: i64,
    pub scope: &'a str,
    pub department_id: Option<i64>,
    pub function_name: &'a str,
    pub reported_by: i64,
    pub reported_name: &'a str,
    pub reported_at: i64,
}

/// Records a fault; its id.
pub async fn insert(tx: &mut Tx, f: &NewFault<'_>) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO faults (what, since_at, scope, department_id, function_name, reported_by, reported_name, \
         reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(f.what)
    .bind(f.since_at)
    .bind(f.scope)
    .bind(f.department_id)
    .bind(f.function_name)
    .bind(f.reported_by)
    .bind(f.reported_name)
    .bind(f.reported_at)
    .fetch_one(tx.conn())
    .await?;
    Ok(r.i64("id"))
}

/// A step of the timeline to record.
pub struct NewEvent<'a> {
    pub fault_id: i64,
    pub kind: &'a str,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub department_id: Option<i64>,
    pub text: &'a str,
}

/// Appends a step to the timeline.
pub async fn add_event(tx: &mut Tx, e: &NewEvent<'_>) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO fault_events (fault_id, kind, at, actor_id, actor_name, department_id, text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(e.fault_id)
    .bind(e.kind)
    .bind(e.at)
    .bind(e.actor_id)
    .bind(e.actor_name)
    .bind(e.department_id)
    .bind(e.text)
    .fetch_one(tx.conn())
    .await?;
    Ok(r.i64("id"))
}

/// Appends an event unless the fault has one of its kind already (false
/// then: nothing written), for what the platform records once.
pub async fn add_event_once(tx: &mut Tx, e: &NewEvent<'_>) -> StoreResult<bool> {
    let seen = query("SELECT 1 AS one FROM fault_events WHERE fault_id = $1 AND kind = $2")
        .bind(e.fault_id)
        .bind(e.kind)
        .fetch_optional(tx.conn())
        .await?;
    if seen.is_some() {
        return Ok(false);
    }
    add_event(tx, e).await?;
    Ok(true)
}

/// A fault's timeline, in order.
pub async fn events(ex: Ex<'_>, fault_id: i64) -> StoreResult<Vec<FaultEventRow>> {
    query("SELECT * FROM fault_events WHERE fault_id = $1 ORDER BY id")
        .bind(fault_id)
        .all(ex, |r| FaultEventRow {
            id: r.i64("id"),
            fault_id: r.i64("fault_id"),
            kind: r.str("kind"),
            at: r.i64("at"),
            actor_id: r.opt_i64("actor_id"),
            actor_name: r.str("actor_name"),
            department_id: r.opt_i64("department_id"),
            text: r.str("text"),
        })
        .await
}

pub async fn get(store: &Store, id: i64) -> StoreResult<Option<FaultRow>> {
    query("SELECT * FROM faults WHERE id = $1").bind(id).maybe(store.pool(), row).await
}

/// The faults, newest first: open ones only (`open`), or all; of one
/// reporter (`reporter`) or everyone's; and how many there are.
pub async fn list(
    store: &Store,
    open: Option<bool>,
    reporter: Option<i64>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<FaultRow>, i64)> {
    use crate::db::{param, IntoValue};
    let mut cond = vec!["1 = 1".to_string()];
    let mut args = vec![];
    match open {
        Some(true) => cond.push("cleared_at IS NULL".into()),
        Some(false) => cond.push("cleared_at IS NOT NULL".into()),
        None => {}
    }
    if let Some(u) = reporter {
        let p = param(&mut args, u.into_value());
        cond.push(format!("reported_by = {p}"));
    }
    let wher = cond.join(" AND ");
    let total = crate::db::query_with(format!("SELECT COUNT(*) AS n FROM faults WHERE {wher}"), args.clone())
        .fetch_one(store.pool())
        .await?
        .i64("n");
    let sql = format!(
        "SELECT * FROM faults WHERE {wher} ORDER BY id DESC LIMIT {} OFFSET {}",
        limit.clamp(1, 500),
        offset.max(0)
    );
    let rows = crate::db::query_with(sql, args).fetch_all(store.pool()).await?;
    Ok((rows.iter().map(row).collect(), total))
}

/// Marks the fault acknowledged unless it is already or is cleared (false then).
pub async fn acknowledge(tx: &mut Tx, id: i64, name: &str, now_ms: i64) -> StoreResult<bool> {
    let r = query(
        "UPDATE faults SET acknowledged_at = $1, acknowledged_name = $2 \
         WHERE id = $3 AND acknowledged_at IS NULL AND cleared_at IS NULL",
    )
    .bind(now_ms)
    .bind(name)
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Records the cause unless the fault is cleared (false then).
pub async fn set_cause(tx: &mut Tx, id: i64, cause: &str) -> StoreResult<bool> {
    let r = query("UPDATE faults SET cause = $1 WHERE id = $2 AND cleared_at IS NULL")
        .bind(cause)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Clears the fault unless it is cleared already (false then: nothing changed).
pub async fn clear(tx: &mut Tx, id: i64, name: &str, now_ms: i64) -> StoreResult<bool> {
    let r = query("UPDATE faults SET cleared_at = $1, cleared_name = $2 WHERE id = $3 AND cleared_at IS NULL")
        .bind(now_ms)
        .bind(name)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Notes the first printing of the paper notice.
pub async fn mark_printed(tx: &mut Tx, id: i64, now_ms: i64) -> StoreResult<()> {
    query("UPDATE faults SET printed_at = $1 WHERE id = $2 AND printed_at IS NULL")
        .bind(now_ms)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The faults that cover `department_id` (of the whole platform, of a
/// function, or of that department), newest first, at most `limit`.
pub async fn covering(store: &Store, department_id: i64, limit: i64) -> StoreResult<Vec<FaultRow>> {
    query(format!(
        "SELECT * FROM faults WHERE scope <> 'department' OR department_id = $1 ORDER BY id DESC LIMIT {}",
        limit.clamp(1, 500)
    ))
    .bind(department_id)
    .all(store.pool(), row)
    .await
}
