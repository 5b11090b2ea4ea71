//! The outbox's messages for an outside channel (SMS): the ones due to be
//! tried, the claim of one try, its outcome, and the administrators' view.
//! In-app messages are read in place (`interaction::notifications`).

use crate::db::{query, Row};
use crate::{RowExt, Store, StoreResult, Tx};
use serde::Serialize;
use zwfw_domain::outbox::{Channel, Delivery};
use zwfw_domain::{const_concat, sql_code};

/// The messages of an outside channel (every one but in-app).
const OUTSIDE: &str = const_concat!("channel <> ", sql_code!(Channel::InApp));

/// A message of an outside channel with its delivery state.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutMessage {
    pub id: i64,
    pub channel: String,
    /// The full number: for the sender only; pages show it masked.
    #[serde(skip)]
    pub mobile: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub attempts: i64,
    pub next_try_at: i64,
    pub sent_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub last_error: Option<String>,
}

fn out_message(r: &Row) -> OutMessage {
    OutMessage {
        id: r.i64("id"),
        channel: r.str("channel"),
        mobile: r.opt_str("mobile").unwrap_or_default(),
        title: r.str("title"),
        body: r.str("body"),
        link: r.str("link"),
        created_at: r.i64("created_at"),
        attempts: r.i64("attempts"),
        next_try_at: r.i64("next_try_at"),
        sent_at: r.opt_i64("sent_at"),
        failed_at: r.opt_i64("failed_at"),
        last_error: r.opt_str("last_error"),
    }
}

/// Messages of `channel` whose next try is due at `now_ms`, oldest first.
pub async fn due(store: &Store, channel: &str, now_ms: i64, limit: i64) -> StoreResult<Vec<OutMessage>> {
    let rows = query(format!(
        "SELECT * FROM notifications WHERE channel = $1 AND sent_at IS NULL AND failed_at IS NULL \
         AND next_try_at <= $2 ORDER BY next_try_at, id LIMIT {}",
        limit.clamp(1, 1000)
    ))
    .bind(channel)
    .bind(now_ms)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(out_message).collect())
}

/// Claims the next try of message `id`: counts the try and moves its next
/// try to `retry_at`, where it stays if this server dies while sending.
/// Exactly one of several servers claiming the same due message wins.
pub async fn claim(store: &Store, id: i64, now_ms: i64, retry_at: i64) -> StoreResult<bool> {
    let r = query(
        "UPDATE notifications SET attempts = attempts + 1, next_try_at = $1 \
         WHERE id = $2 AND sent_at IS NULL AND failed_at IS NULL AND next_try_at <= $3",
    )
    .bind(retry_at)
    .bind(id)
    .bind(now_ms)
    .execute(store.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The gateway took message `id`.
pub async fn mark_sent(store: &Store, id: i64, now_ms: i64) -> StoreResult<()> {
    query("UPDATE notifications SET sent_at = $1, last_error = NULL WHERE id = $2 AND sent_at IS NULL")
        .bind(now_ms)
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// A try of message `id` failed with `error`: the next try is at
/// `next_try_at`, or none when `give_up`.
pub async fn mark_failed(
    store: &Store,
    id: i64,
    error: &str,
    next_try_at: i64,
    give_up: bool,
    now_ms: i64,
) -> StoreResult<()> {
    query(
        "UPDATE notifications SET last_error = $1, failed_at = $2, next_try_at = $3 WHERE id = $4 AND sent_at IS NULL",
    )
    .bind(error)
    .bind(give_up.then_some(now_ms))
    .bind(next_try_at)
    .bind(id)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Sends a given-up message again: its tries start over now. False when it
/// is not a given-up message of an outside channel.
pub async fn retry(tx: &mut Tx, id: i64, now_ms: i64) -> StoreResult<bool> {
    const SQL: &str = const_concat!(
        "UPDATE notifications SET attempts = 0, next_try_at = $1, failed_at = NULL WHERE id = $2 AND ",
        OUTSIDE,
        " AND sent_at IS NULL AND failed_at IS NOT NULL"
    );
    let r = query(SQL).bind(now_ms).bind(id).execute(tx.conn()).await?;
    Ok(r.rows_affected() == 1)
}

pub async fn message(store: &Store, id: i64) -> StoreResult<Option<OutMessage>> {
    const SQL: &str = const_concat!("SELECT * FROM notifications WHERE id = $1 AND ", OUTSIDE);
    let r = query(SQL).bind(id).fetch_optional(store.pool()).await?;
    Ok(r.as_ref().map(out_message))
}

/// Messages of an outside channel in one state (`waiting`, `sent`,
/// `failed`, or anything else for all), newest first.
pub async fn list(store: &Store, state: &str, limit: i64) -> StoreResult<Vec<OutMessage>> {
    let cond = match Delivery::parse(state) {
        Some(Delivery::Waiting) => "AND sent_at IS NULL AND failed_at IS NULL",
        Some(Delivery::Sent) => "AND sent_at IS NOT NULL",
        Some(Delivery::Failed) => "AND failed_at IS NOT NULL AND sent_at IS NULL",
        None => "",
    };
    let rows = query(format!(
        "SELECT * FROM notifications WHERE {OUTSIDE} {cond} ORDER BY id DESC LIMIT {}",
        limit.clamp(1, 500)
    ))
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(out_message).collect())
}

/// How many messages of an outside channel wait, were sent, were given up.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OutboxCounts))]
pub struct Counts {
    pub waiting: i64,
    pub sent: i64,
    pub failed: i64,
}

pub async fn counts(store: &Store) -> StoreResult<Counts> {
    const SQL: &str = const_concat!(
        "SELECT \
           COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0) AS waiting, \
           COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS sent, \
           COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS failed \
         FROM notifications WHERE ",
        OUTSIDE
    );
    let r = query(SQL).fetch_one(store.pool()).await?;
    Ok(Counts { waiting: r.i64("waiting"), sent: r.i64("sent"), failed: r.i64("failed") })
}
