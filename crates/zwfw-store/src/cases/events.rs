//! The append-only events of a case.

use crate::db::Row;
use crate::{RowExt, Store, StoreError, StoreResult, Tx};
use serde::Serialize;

/// One stored event.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CaseEvent))]
pub struct EventRow {
    pub seq: i64,
    pub kind: String,
    /// The domain event as JSON.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub body: serde_json::Value,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub role: Option<String>,
    pub department_id: Option<i64>,
    pub step_name: String,
}

pub struct NewEvent<'a> {
    pub case_id: i64,
    pub seq: i64,
    pub kind: &'a str,
    pub body: &'a serde_json::Value,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub role: Option<&'a str>,
    pub department_id: Option<i64>,
    pub step_name: &'a str,
    pub idem_key: Option<&'a str>,
}

pub async fn append_event(tx: &mut Tx, e: &NewEvent<'_>) -> StoreResult<()> {
    crate::db::query(
        "INSERT INTO case_events (case_id, seq, kind, body, at, actor_id, actor_name, role, department_id, step_name, idem_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(e.case_id)
    .bind(e.seq)
    .bind(e.kind)
    .bind(e.body.to_string())
    .bind(e.at)
    .bind(e.actor_id)
    .bind(e.actor_name)
    .bind(e.role)
    .bind(e.department_id)
    .bind(e.step_name)
    .bind(e.idem_key)
    .execute(tx.conn())
    .await
    .map_err(|e| StoreError::unique_as(e, "case_event"))?;
    Ok(())
}

fn event_row(r: &Row) -> EventRow {
    EventRow {
        seq: r.i64("seq"),
        kind: r.str("kind"),
        body: serde_json::from_str(&r.str("body")).unwrap_or_default(),
        at: r.i64("at"),
        actor_id: r.opt_i64("actor_id"),
        actor_name: r.str("actor_name"),
        role: r.opt_str("role"),
        department_id: r.opt_i64("department_id"),
        step_name: r.str("step_name"),
    }
}

const EVENT_COLS: &str = "seq, kind, body, at, actor_id, actor_name, role, department_id, step_name";

pub async fn events(store: &Store, case_id: i64) -> StoreResult<Vec<EventRow>> {
    events_via(store.pool(), case_id).await
}

/// The events of the cases of `ids`, each with its case, by case and in
/// each case's order: one statement.
pub async fn events_of_cases(store: &Store, ids: &[i64]) -> StoreResult<Vec<(i64, EventRow)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut args = vec![];
    let list = crate::db::id_list(ids, &mut args);
    crate::db::query_with(
        format!("SELECT case_id, {EVENT_COLS} FROM case_events WHERE case_id IN ({list}) ORDER BY case_id, seq"),
        args,
    )
    .all(store.pool(), |r| (r.i64("case_id"), event_row(r)))
    .await
}

/// The events of a case inside a write transaction (the state the action decides on).
pub async fn events_in(tx: &mut Tx, case_id: i64) -> StoreResult<Vec<EventRow>> {
    events_via(tx.conn(), case_id).await
}

/// The events of a case, read from the store (`store.pool()`) or inside a transaction (`tx.conn()`).
pub async fn events_via(ex: crate::db::Ex<'_>, case_id: i64) -> StoreResult<Vec<EventRow>> {
    crate::db::query(format!("SELECT {EVENT_COLS} FROM case_events WHERE case_id = $1 ORDER BY seq"))
        .bind(case_id)
        .all(ex, event_row)
        .await
}

/// The event a repeated request already created, if any, read from the store
/// (`store.pool()`) or inside a transaction (`tx.conn()`).
pub async fn event_by_idem(ex: crate::db::Ex<'_>, case_id: i64, key: &str) -> StoreResult<Option<i64>> {
    let row = crate::db::query("SELECT seq FROM case_events WHERE case_id = $1 AND idem_key = $2")
        .bind(case_id)
        .bind(key)
        .fetch_optional(ex)
        .await?;
    Ok(row.map(|r| r.i64("seq")))
}
