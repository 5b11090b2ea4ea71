//! Ratings (好差评), one per case and stage, with the follow-up of a bad
//! rating and a department's appeal; and the links printed as QR codes.

use crate::db::{Ex, Row};
use crate::{RowExt, Store, StoreError, StoreResult, Tx};
use serde::Serialize;
use zwfw_domain::rating::{Appeal, FollowUp};
use zwfw_domain::{const_concat, sql_code, sql_list};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingRow {
    pub id: i64,
    pub case_id: i64,
    pub case_no: String,
    pub item_name: String,
    pub stage: String,
    pub level: i64,
    pub channel: String,
    pub rater_user_id: Option<i64>,
    pub rater_name: String,
    pub recorded_by: Option<i64>,
    pub comment: String,
    pub at: i64,
    pub region_code: String,
    pub department_id: i64,
    pub department_name: String,
    pub follow_up: Option<String>,
    pub handler_id: Option<i64>,
    pub handler_name: Option<String>,
    pub follow_up_due: Option<String>,
    pub callback_at: Option<i64>,
    pub callback_note: Option<String>,
    pub verification: Option<String>,
    pub rectification: Option<String>,
    pub reply: Option<String>,
    pub replied_at: Option<i64>,
    pub appeal: Option<String>,
    pub appeal_reason: Option<String>,
    pub appeal_at: Option<i64>,
    pub appeal_decision: Option<String>,
    pub appeal_decided_at: Option<i64>,
}

const SELECT: &str = "SELECT r.*, c.case_no, c.item_name, d.name AS department_name, u.display_name AS handler_name \
     FROM ratings r JOIN cases c ON c.id = r.case_id JOIN departments d ON d.id = r.department_id \
     LEFT JOIN users u ON u.id = r.handler_id";

fn row(r: &Row) -> RatingRow {
    RatingRow {
        id: r.i64("id"),
        case_id: r.i64("case_id"),
        case_no: r.str("case_no"),
        item_name: r.str("item_name"),
        stage: r.str("stage"),
        level: r.i64("level"),
        channel: r.str("channel"),
        rater_user_id: r.opt_i64("rater_user_id"),
        rater_name: r.str("rater_name"),
        recorded_by: r.opt_i64("recorded_by"),
        comment: r.str("comment"),
        at: r.i64("at"),
        region_code: r.str("region_code"),
        department_id: r.i64("department_id"),
        department_name: r.str("department_name"),
        follow_up: r.opt_str("follow_up"),
        handler_id: r.opt_i64("handler_id"),
        handler_name: r.opt_str("handler_name"),
        follow_up_due: r.opt_str("follow_up_due"),
        callback_at: r.opt_i64("callback_at"),
        callback_note: r.opt_str("callback_note"),
        verification: r.opt_str("verification"),
        rectification: r.opt_str("rectification"),
        reply: r.opt_str("reply"),
        replied_at: r.opt_i64("replied_at"),
        appeal: r.opt_str("appeal"),
        appeal_reason: r.opt_str("appeal_reason"),
        appeal_at: r.opt_i64("appeal_at"),
        appeal_decision: r.opt_str("appeal_decision"),
        appeal_decided_at: r.opt_i64("appeal_decided_at"),
    }
}

pub struct NewRating<'a> {
    pub case_id: i64,
    pub stage: &'a str,
    pub level: i64,
    pub channel: &'a str,
    pub rater_user_id: Option<i64>,
    pub rater_name: &'a str,
    pub recorded_by: Option<i64>,
    pub comment: &'a str,
    pub region_code: &'a str,
    pub department_id: i64,
    /// For a bad rating: the follow-up's handler and due day.
    pub follow_up: Option<(Option<i64>, &'a str)>,
}

/// Stores a rating; a second one for the same case and stage is refused
/// (`StoreError::Duplicate("rating")`) by the unique key, also when two
/// arrive at once.
pub async fn insert(tx: &mut Tx, n: &NewRating<'_>, now_ms: i64) -> StoreResult<i64> {
    let (fu, handler, due) = match n.follow_up {
        Some((h, due)) => (Some(FollowUp::Open.code()), h, Some(due)),
        None => (None, None, None),
    };
    let r = crate::db::query(
        "INSERT INTO ratings (case_id, stage, level, channel, rater_user_id, rater_name, recorded_by, comment, at, \
         region_code, department_id, follow_up, handler_id, follow_up_due) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(n.case_id)
    .bind(n.stage)
    .bind(n.level)
    .bind(n.channel)
    .bind(n.rater_user_id)
    .bind(n.rater_name)
    .bind(n.recorded_by)
    .bind(n.comment)
    .bind(now_ms)
    .bind(n.region_code)
    .bind(n.department_id)
    .bind(fu)
    .bind(handler)
    .bind(due)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| StoreError::unique_as(e, "rating"))?;
    Ok(r.i64("id"))
}

pub async fn get(store: &Store, id: i64) -> StoreResult<RatingRow> {
    get_via(store.pool(), id).await
}

async fn get_via(ex: Ex<'_>, id: i64) -> StoreResult<RatingRow> {
    crate::db::query(format!("{SELECT} WHERE r.id = $1")).bind(id).one(ex, "rating", row).await
}

/// Reads a rating inside a write transaction, locked until it ends.
pub async fn lock(tx: &mut Tx, id: i64) -> StoreResult<RatingRow> {
    crate::lock_row(tx, "ratings", id).await?;
    get_via(tx.conn(), id).await
}

pub async fn of_case(store: &Store, case_id: i64) -> StoreResult<Vec<RatingRow>> {
    crate::db::query(format!("{SELECT} WHERE r.case_id = $1 ORDER BY r.id")).bind(case_id).all(store.pool(), row).await
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub department_id: Option<i64>,
    /// Bad ratings only (those with a follow-up).
    pub bad_only: bool,
    /// Pending appeals only (supervision's queue).
    pub appeal_pending: bool,
    /// Replied follow-ups only (the published list).
    pub replied_only: bool,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list(store: &Store, f: &Filter) -> StoreResult<Vec<RatingRow>> {
    let mut sql = format!("{SELECT} WHERE 1 = 1");
    if f.department_id.is_some() {
        sql += " AND r.department_id = $1";
    }
    if f.bad_only {
        sql += " AND r.follow_up IS NOT NULL";
    }
    if f.appeal_pending {
        sql += const_concat!(" AND r.appeal = ", sql_code!(Appeal::Pending));
    }
    if f.replied_only {
        sql += const_concat!(" AND r.follow_up = ", sql_code!(FollowUp::Replied));
    }
    sql += &format!(" ORDER BY r.id DESC LIMIT {} OFFSET {}", f.limit.clamp(1, 200), f.offset.max(0));
    let mut q = crate::db::query(sql);
    if let Some(d) = f.department_id {
        q = q.bind(d);
    }
    let rows = q.fetch_all(store.pool()).await?;
    Ok(rows.iter().map(row).collect())
}

pub async fn set_callback(tx: &mut Tx, id: i64, note: &str, now_ms: i64) -> StoreResult<()> {
    const SQL: &str = const_concat!(
        "UPDATE ratings SET follow_up = ",
        sql_code!(FollowUp::CalledBack),
        ", callback_at = $1, callback_note = $2 WHERE id = $3"
    );
    crate::db::query(SQL).bind(now_ms).bind(note).bind(id).execute(tx.conn()).await?;
    Ok(())
}

pub async fn set_reply(
    tx: &mut Tx,
    id: i64,
    verification: &str,
    rectification: &str,
    reply: &str,
    now_ms: i64,
) -> StoreResult<()> {
    const SQL: &str = const_concat!(
        "UPDATE ratings SET follow_up = ",
        sql_code!(FollowUp::Replied),
        ", verification = $1, rectification = $2, reply = $3, replied_at = $4 WHERE id = $5"
    );
    crate::db::query(SQL)
        .bind(verification)
        .bind(rectification)
        .bind(reply)
        .bind(now_ms)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Closes a follow-up still pending without a reply (an upheld appeal).
pub async fn close_follow_up(tx: &mut Tx, id: i64) -> StoreResult<()> {
    const SQL: &str = const_concat!(
        "UPDATE ratings SET follow_up = ",
        sql_code!(FollowUp::Closed),
        " WHERE id = $1 AND follow_up IN (",
        sql_list!(FollowUp, FollowUp::PENDING),
        ")"
    );
    crate::db::query(SQL).bind(id).execute(tx.conn()).await?;
    Ok(())
}

pub async fn set_handler(tx: &mut Tx, id: i64, handler: i64) -> StoreResult<()> {
    crate::db::query("UPDATE ratings SET handler_id = $1 WHERE id = $2")
        .bind(handler)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn set_appeal(tx: &mut Tx, id: i64, reason: &str, now_ms: i64) -> StoreResult<()> {
    const SQL: &str = const_concat!(
        "UPDATE ratings SET appeal = ",
        sql_code!(Appeal::Pending),
        ", appeal_reason = $1, appeal_at = $2 WHERE id = $3"
    );
    crate::db::query(SQL).bind(reason).bind(now_ms).bind(id).execute(tx.conn()).await?;
    Ok(())
}

pub async fn decide_appeal(
    tx: &mut Tx,
    id: i64,
    outcome: &str,
    decision: &str,
    by: i64,
    now_ms: i64,
) -> StoreResult<()> {
    const SQL: &str = const_concat!(
        "UPDATE ratings SET appeal = $1, appeal_decision = $2, appeal_decided_by = $3, appeal_decided_at = $4 \
         WHERE id = $5 AND appeal = ",
        sql_code!(Appeal::Pending)
    );
    crate::db::query(SQL).bind(outcome).bind(decision).bind(by).bind(now_ms).bind(id).execute(tx.conn()).await?;
    Ok(())
}

// ---------- QR links ----------

pub async fn add_link(
    tx: &mut Tx,
    token: &str,
    case_id: i64,
    by: Option<i64>,
    now_ms: i64,
    expires_ms: i64,
) -> StoreResult<()> {
    crate::db::query(
        "INSERT INTO rating_links (token, case_id, created_at, created_by, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token)
    .bind(case_id)
    .bind(now_ms)
    .bind(by)
    .bind(expires_ms)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The case of a link that has not expired.
pub async fn link_case(store: &Store, token: &str, now_ms: i64) -> StoreResult<Option<i64>> {
    let r = crate::db::query("SELECT case_id FROM rating_links WHERE token = $1 AND expires_at > $2")
        .bind(token)
        .bind(now_ms)
        .fetch_optional(store.pool())
        .await?;
    Ok(r.map(|r| r.i64("case_id")))
}

/// How many ratings each level (1 非常满意 … 5 非常不满意) has.
pub async fn level_counts(store: &Store) -> StoreResult<Vec<(i64, i64)>> {
    let rows = crate::db::query("SELECT level, COUNT(*) AS n FROM ratings GROUP BY level ORDER BY level")
        .fetch_all(store.pool())
        .await?;
    Ok(rows.iter().map(|r| (r.i64("level"), r.i64("n"))).collect())
}
