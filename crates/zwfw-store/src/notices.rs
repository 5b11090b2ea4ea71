//! 通知公告 and 政策文件: the rows the portal lists and the service centre
//! writes. The state changes are decided in `zwfw_domain::notices`.

use crate::db::{Ex, Row};
use crate::{RowExt, Store, StoreError, StoreResult, Tx};
use serde::{Deserialize, Serialize};
use zwfw_domain::notices::{NoticeKind, NoticeState};
use zwfw_domain::{const_concat, sql_code};

/// A file attached to a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// SM3 of the file in the file store.
    pub sm3: String,
    /// The file's name as uploaded.
    pub name: String,
    pub size: i64,
    /// pdf | docx | xlsx | ofd | doc …
    pub kind: String,
}

/// A notice as stored.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeRow {
    pub id: i64,
    /// announcement (通知公告) | policy (政策文件)
    pub kind: String,
    /// draft | published | withdrawn
    pub state: String,
    pub title: String,
    /// 文号
    pub doc_no: String,
    /// 发布机构
    pub issuer: String,
    pub body: String,
    pub attachments: Vec<Attachment>,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub published_at: Option<i64>,
    pub withdrawn_at: Option<i64>,
    pub withdraw_reason: String,
}

fn row(r: &Row) -> NoticeRow {
    NoticeRow {
        id: r.i64("id"),
        kind: r.str("kind"),
        state: r.str("state"),
        title: r.str("title"),
        doc_no: r.str("doc_no"),
        issuer: r.str("issuer"),
        body: r.str("body"),
        attachments: serde_json::from_str(&r.str("attachments")).unwrap_or_default(),
        created_by: r.opt_i64("created_by"),
        created_at: r.i64("created_at"),
        updated_at: r.i64("updated_at"),
        published_at: r.opt_i64("published_at"),
        withdrawn_at: r.opt_i64("withdrawn_at"),
        withdraw_reason: r.str("withdraw_reason"),
    }
}

/// The text of a new notice or of a change to one.
pub struct NoticeData<'a> {
    pub kind: NoticeKind,
    pub title: &'a str,
    pub doc_no: &'a str,
    pub issuer: &'a str,
    pub body: &'a str,
}

pub async fn insert(tx: &mut Tx, d: &NoticeData<'_>, by: Option<i64>, now_ms: i64) -> StoreResult<i64> {
    const SQL: &str = const_concat!(
        "INSERT INTO notices (kind, state, title, doc_no, issuer, body, attachments, created_by, created_at, updated_at, \
         withdraw_reason) VALUES ($1, ",
        sql_code!(NoticeState::Draft),
        ", $2, $3, $4, $5, '[]', $6, $7, $7, '') RETURNING id"
    );
    let r = crate::db::query(SQL)
        .bind(d.kind.code())
        .bind(d.title)
        .bind(d.doc_no)
        .bind(d.issuer)
        .bind(d.body)
        .bind(by)
        .bind(now_ms)
        .fetch_one(tx.conn())
        .await?;
    Ok(r.i64("id"))
}

pub async fn get(store: &Store, id: i64) -> StoreResult<NoticeRow> {
    get_via(store.pool(), id).await
}

async fn get_via(ex: Ex<'_>, id: i64) -> StoreResult<NoticeRow> {
    let r = crate::db::query("SELECT * FROM notices WHERE id = $1").bind(id).fetch_optional(ex).await?;
    r.as_ref().map(row).ok_or(StoreError::NotFound("notice"))
}

/// Reads a notice inside a write transaction, locked until it ends.
pub async fn lock(tx: &mut Tx, id: i64) -> StoreResult<NoticeRow> {
    crate::lock_row(tx, "notices", id).await?;
    get_via(tx.conn(), id).await
}

pub async fn update_text(tx: &mut Tx, id: i64, d: &NoticeData<'_>, now_ms: i64) -> StoreResult<()> {
    crate::db::query(
        "UPDATE notices SET kind = $1, title = $2, doc_no = $3, issuer = $4, body = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(d.kind.code())
    .bind(d.title)
    .bind(d.doc_no)
    .bind(d.issuer)
    .bind(d.body)
    .bind(now_ms)
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn set_attachments(tx: &mut Tx, id: i64, list: &[Attachment], now_ms: i64) -> StoreResult<()> {
    crate::db::query("UPDATE notices SET attachments = $1, updated_at = $2 WHERE id = $3")
        .bind(serde_json::to_string(list).expect("serializable"))
        .bind(now_ms)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Moves a notice to `to`: published stamps `published_at` (the first
/// publication's time is kept when it is published again), withdrawn
/// stamps `withdrawn_at` with the reason.
pub async fn set_state(tx: &mut Tx, id: i64, to: NoticeState, reason: &str, now_ms: i64) -> StoreResult<()> {
    let sql = match to {
        NoticeState::Published => {
            "UPDATE notices SET state = $1, published_at = COALESCE(published_at, $2), updated_at = $2, \
             withdrawn_at = NULL, withdraw_reason = $3 WHERE id = $4"
        }
        _ => "UPDATE notices SET state = $1, withdrawn_at = $2, updated_at = $2, withdraw_reason = $3 WHERE id = $4",
    };
    crate::db::query(sql).bind(to.code()).bind(now_ms).bind(reason).bind(id).execute(tx.conn()).await?;
    Ok(())
}

/// A page of notices, newest first: of one kind or both, in the given states.
pub async fn list(
    store: &Store,
    kind: Option<NoticeKind>,
    states: &[NoticeState],
    offset: i64,
    limit: i64,
) -> StoreResult<(Vec<NoticeRow>, i64)> {
    // The states are codes of the domain's list, never user text.
    let states = zwfw_domain::codes::sql_list(states);
    let kind_cond = if kind.is_some() { "AND kind = $1" } else { "AND $1 = $1" };
    let kind_code = kind.map(|k| k.code()).unwrap_or("");
    let total = crate::db::query(format!("SELECT COUNT(*) AS n FROM notices WHERE state IN ({states}) {kind_cond}"))
        .bind(kind_code)
        .fetch_one(store.pool())
        .await?
        .i64("n");
    let rows = crate::db::query(format!(
        "SELECT * FROM notices WHERE state IN ({states}) {kind_cond} \
         ORDER BY COALESCE(published_at, updated_at) DESC, id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(kind_code)
    .bind(limit.clamp(1, 200))
    .bind(offset.max(0))
    .fetch_all(store.pool())
    .await?;
    Ok((rows.iter().map(row).collect(), total))
}
