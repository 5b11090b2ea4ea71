//! 配置/维护需求 (migration 0040): the requests, the centre's answers and
//! the changes made under an accepted request.

pub mod correction;
pub mod deletion;
pub mod qualification;
pub mod rights;

use crate::db::{query, Ex, Row};
use crate::{RowExt, Store, StoreResult, Tx};

/// One request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRow {
    pub id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub requester_id: i64,
    pub requester_name: String,
    pub requester_role: String,
    pub kind: String,
    pub content: String,
    /// JSON list of files.
    pub attachments: String,
    pub state: String,
    pub submitted_at: i64,
    pub necessity: String,
    pub feasibility: String,
    pub answer: String,
    pub answered_at: Option<i64>,
    pub answered_by: Option<i64>,
    pub answered_name: String,
    pub reply_sm3: String,
    pub done_at: Option<i64>,
    pub done_note: String,
}

fn row(r: &Row) -> RequestRow {
    RequestRow {
        id: r.i64("id"),
        department_id: r.i64("department_id"),
        department_name: r.opt_str("department_name").unwrap_or_default(),
        requester_id: r.i64("requester_id"),
        requester_name: r.str("requester_name"),
        requester_role: r.str("requester_role"),
        kind: r.str("kind"),
        content: r.str("content"),
        attachments: r.str("attachments"),
        state: r.str("state"),
        submitted_at: r.i64("submitted_at"),
        necessity: r.str("necessity"),
        feasibility: r.str("feasibility"),
        answer: r.str("answer"),
        answered_at: r.opt_i64("answered_at"),
        answered_by: r.opt_i64("answered_by"),
        answered_name: r.str("answered_name"),
        reply_sm3: r.str("reply_sm3"),
        done_at: r.opt_i64("done_at"),
        done_note: r.str("done_note"),
    }
}

const SELECT: &str = "SELECT m.*, d.name AS department_name FROM maintenance_requests m \
                      LEFT JOIN departments d ON d.id = m.department_id";

/// A request to store.
pub struct NewRequest<'a> {
    pub department_id: i64,
    pub requester_id: i64,
    pub requester_name: &'a str,
    pub requester_role: &'a str,
    pub kind: &'a str,
    pub content: &'a str,
    pub attachments: &'a str,
    pub state: &'a str,
    pub submitted_at: i64,
}

/// Stores a request; its id.
pub async fn insert(tx: &mut Tx, n: &NewRequest<'_>) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO maintenance_requests (department_id, requester_id, requester_name, requester_role, kind, \
         content, attachments, state, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(n.department_id)
    .bind(n.requester_id)
    .bind(n.requester_name)
    .bind(n.requester_role)
    .bind(n.kind)
    .bind(n.content)
    .bind(n.attachments)
    .bind(n.state)
    .bind(n.submitted_at)
    .fetch_one(tx.conn())
    .await?;
    Ok(r.i64("id"))
}

pub async fn get(ex: Ex<'_>, id: i64) -> StoreResult<Option<RequestRow>> {
    query(format!("{SELECT} WHERE m.id = $1")).bind(id).maybe(ex, row).await
}

/// The centre's answer, written unless the request left `from` meanwhile
/// (false then: nothing changed).
pub struct Answer<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub necessity: &'a str,
    pub feasibility: &'a str,
    pub answer: &'a str,
    pub by: i64,
    pub by_name: &'a str,
    pub reply_sm3: &'a str,
    pub at: i64,
}

pub async fn answer(tx: &mut Tx, id: i64, a: &Answer<'_>) -> StoreResult<bool> {
    let r = query(
        "UPDATE maintenance_requests SET state = $1, necessity = $2, feasibility = $3, answer = $4, \
         answered_at = $5, answered_by = $6, answered_name = $7, reply_sm3 = $8 WHERE id = $9 AND state = $10",
    )
    .bind(a.to)
    .bind(a.necessity)
    .bind(a.feasibility)
    .bind(a.answer)
    .bind(a.at)
    .bind(a.by)
    .bind(a.by_name)
    .bind(a.reply_sm3)
    .bind(id)
    .bind(a.from)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Closes a carried-out request unless it left `from` meanwhile.
pub async fn close(tx: &mut Tx, id: i64, from: &str, to: &str, note: &str, at: i64) -> StoreResult<bool> {
    let r =
        query("UPDATE maintenance_requests SET state = $1, done_at = $2, done_note = $3 WHERE id = $4 AND state = $5")
            .bind(to)
            .bind(at)
            .bind(note)
            .bind(id)
            .bind(from)
            .execute(tx.conn())
            .await?;
    Ok(r.rows_affected() == 1)
}

/// Which requests a list reads.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub department_id: Option<i64>,
    pub state: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// The requests the filter names, newest first, and how many there are.
pub async fn list(store: &Store, f: &Filter) -> StoreResult<(Vec<RequestRow>, i64)> {
    use crate::db::{param, IntoValue};
    let mut cond = vec!["1 = 1".to_string()];
    let mut args = vec![];
    if let Some(d) = f.department_id {
        let p = param(&mut args, d.into_value());
        cond.push(format!("m.department_id = {p}"));
    }
    if let Some(s) = &f.state {
        let p = param(&mut args, s.clone().into_value());
        cond.push(format!("m.state = {p}"));
    }
    let wher = cond.join(" AND ");
    let total =
        crate::db::query_with(format!("SELECT COUNT(*) AS n FROM maintenance_requests m WHERE {wher}"), args.clone())
            .fetch_one(store.pool())
            .await?
            .i64("n");
    let sql =
        format!("{SELECT} WHERE {wher} ORDER BY m.id DESC LIMIT {} OFFSET {}", f.limit.clamp(1, 500), f.offset.max(0));
    let rows = crate::db::query_with(sql, args).fetch_all(store.pool()).await?;
    Ok((rows.iter().map(row).collect(), total))
}

/// The unanswered requests (state `state`), oldest first, as rule A13 reads them.
pub async fn unanswered(store: &Store, state: &str) -> StoreResult<Vec<RequestRow>> {
    query(format!("{SELECT} WHERE m.state = $1 ORDER BY m.id")).bind(state).all(store.pool(), row).await
}

/// A change made under a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    pub id: i64,
    pub request_id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// The audit record's detail (JSON).
    pub detail: String,
}

/// Records a change under a request, in the change's transaction.
pub async fn add_change(tx: &mut Tx, c: &ChangeRow) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO maintenance_request_changes (request_id, at, actor_id, actor_name, action, object_type, \
         object_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(c.request_id)
    .bind(c.at)
    .bind(c.actor_id)
    .bind(c.actor_name.as_str())
    .bind(c.action.as_str())
    .bind(c.object_type.as_str())
    .bind(c.object_id.as_str())
    .bind(c.detail.as_str())
    .fetch_one(tx.conn())
    .await?;
    Ok(r.i64("id"))
}

/// The changes made under a request, in order.
pub async fn changes(store: &Store, request_id: i64) -> StoreResult<Vec<ChangeRow>> {
    query("SELECT * FROM maintenance_request_changes WHERE request_id = $1 ORDER BY id")
        .bind(request_id)
        .all(store.pool(), |r| ChangeRow {
            id: r.i64("id"),
            request_id: r.i64("request_id"),
            at: r.i64("at"),
            actor_id: r.opt_i64("actor_id"),
            actor_name: r.str("actor_name"),
            action: r.str("action"),
            object_type: r.str("object_type"),
            object_id: r.str("object_id"),
            detail: r.str("detail"),
        })
        .await
}
