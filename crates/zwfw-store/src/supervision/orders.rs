//! Oversight orders (督办).

use super::{by_id, json_of, set_reply};
use crate::db::{query, Row};
use crate::{RowExt, Store, StoreError, StoreResult, Tx};
use serde::Serialize;
use zwfw_domain::supervision::OrderState;
use zwfw_domain::{const_concat, sql_code};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderRow {
    pub id: i64,
    pub order_no: String,
    pub finding_id: Option<i64>,
    pub case_id: Option<i64>,
    pub department_id: i64,
    pub department_name: String,
    pub content: String,
    pub days: i64,
    pub due: String,
    pub state: String,
    pub level: i64,
    pub issued_by: i64,
    pub issued_by_name: String,
    pub issued_at: i64,
    pub reply: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<zwfw_domain::files::Attachment>))]
    pub reply_files: serde_json::Value,
    pub replied_at: Option<i64>,
    pub replied_by: Option<i64>,
    pub decision_note: Option<String>,
    pub closed_at: Option<i64>,
    pub updated_at: i64,
}

const ORDER_COLS: &str = "o.*, d.name AS department_name";
const ORDER_FROM: &str = "oversight_orders o JOIN departments d ON d.id = o.department_id";

fn order_row(r: &Row) -> OrderRow {
    OrderRow {
        id: r.i64("id"),
        order_no: r.str("order_no"),
        finding_id: r.opt_i64("finding_id"),
        case_id: r.opt_i64("case_id"),
        department_id: r.i64("department_id"),
        department_name: r.str("department_name"),
        content: r.str("content"),
        days: r.i64("days"),
        due: r.str("due"),
        state: r.str("state"),
        level: r.i64("level"),
        issued_by: r.i64("issued_by"),
        issued_by_name: r.str("issued_by_name"),
        issued_at: r.i64("issued_at"),
        reply: r.opt_str("reply"),
        reply_files: json_of(&r.str("reply_files")),
        replied_at: r.opt_i64("replied_at"),
        replied_by: r.opt_i64("replied_by"),
        decision_note: r.opt_str("decision_note"),
        closed_at: r.opt_i64("closed_at"),
        updated_at: r.i64("updated_at"),
    }
}

pub struct NewOrder<'a> {
    pub order_no: &'a str,
    pub finding_id: Option<i64>,
    pub case_id: Option<i64>,
    pub department_id: i64,
    pub content: &'a str,
    pub days: i64,
    pub due: &'a str,
    pub issued_by: i64,
    pub issued_by_name: &'a str,
    pub idem_key: Option<&'a str>,
}

pub async fn insert_order(tx: &mut Tx, o: &NewOrder<'_>, now_ms: i64) -> StoreResult<i64> {
    const SQL: &str = const_concat!(
        "INSERT INTO oversight_orders (order_no, finding_id, case_id, department_id, content, days, due, state, level, \
         issued_by, issued_by_name, issued_at, reply_files, idem_key, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, ",
        sql_code!(OrderState::Issued),
        ", 0, $8, $9, $10, '[]', $11, $10) RETURNING id"
    );
    let r = query(SQL)
        .bind(o.order_no)
        .bind(o.finding_id)
        .bind(o.case_id)
        .bind(o.department_id)
        .bind(o.content)
        .bind(o.days)
        .bind(o.due)
        .bind(o.issued_by)
        .bind(o.issued_by_name)
        .bind(now_ms)
        .bind(o.idem_key)
        .fetch_one(tx.conn())
        .await
        .map_err(|e| StoreError::unique_as(e, "idem_key"))?;
    Ok(r.i64("id"))
}

pub async fn order_by_idem(store: &Store, key: &str) -> StoreResult<Option<i64>> {
    Ok(query("SELECT id FROM oversight_orders WHERE idem_key = $1")
        .bind(key)
        .fetch_optional(store.pool())
        .await?
        .map(|r| r.i64("id")))
}

pub async fn get_order(store: &Store, id: i64) -> StoreResult<OrderRow> {
    by_id(store.pool(), ORDER_COLS, ORDER_FROM, "o", id, "order", order_row).await
}

pub async fn lock_order(tx: &mut Tx, id: i64) -> StoreResult<OrderRow> {
    crate::lock_row(tx, "oversight_orders", id).await?;
    by_id(tx.conn(), ORDER_COLS, ORDER_FROM, "o", id, "order", order_row).await
}

/// Orders, newest first: of one department, about one finding, or all.
pub async fn list_orders(
    store: &Store,
    department_id: Option<i64>,
    finding_id: Option<i64>,
    state: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<OrderRow>> {
    let rows = query(format!(
        "SELECT {ORDER_COLS} FROM {ORDER_FROM} WHERE ($1 IS NULL OR o.department_id = $1) \
         AND ($2 IS NULL OR o.finding_id = $2) AND ($3 IS NULL OR o.state = $3) ORDER BY o.id DESC LIMIT {}",
        limit.clamp(1, 500)
    ))
    .bind(department_id)
    .bind(finding_id)
    .bind(state)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(order_row).collect())
}

/// Records the department head's answer to an order.
pub async fn answer_order(tx: &mut Tx, id: i64, text: &str, files: &str, by: i64, now_ms: i64) -> StoreResult<()> {
    set_reply(tx, "oversight_orders", OrderState::Answered.code(), id, text, files, by, now_ms).await
}

pub async fn decide_order(
    tx: &mut Tx,
    id: i64,
    state: &str,
    note: &str,
    new_due: Option<&str>,
    now_ms: i64,
) -> StoreResult<()> {
    const SQL: &str = const_concat!(
        "UPDATE oversight_orders SET state = $1, decision_note = $2, due = COALESCE($3, due), closed_at = CASE WHEN $1 = ",
        sql_code!(OrderState::Closed),
        " THEN $4 ELSE NULL END, updated_at = $4 WHERE id = $5"
    );
    query(SQL).bind(state).bind(note).bind(new_due).bind(now_ms).bind(id).execute(tx.conn()).await?;
    Ok(())
}

/// Orders still waiting for the answer after their due day.
pub async fn overdue_orders(store: &Store, today: &str) -> StoreResult<Vec<i64>> {
    const SQL: &str =
        const_concat!("SELECT id FROM oversight_orders WHERE state = ", sql_code!(OrderState::Issued), " AND due < $1");
    let rows = query(SQL).bind(today).fetch_all(store.pool()).await?;
    Ok(rows.iter().map(|r| r.i64("id")).collect())
}

pub async fn escalate_order(tx: &mut Tx, id: i64, due: &str, now_ms: i64) -> StoreResult<()> {
    query("UPDATE oversight_orders SET level = level + 1, due = $1, updated_at = $2 WHERE id = $3")
        .bind(due)
        .bind(now_ms)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}
