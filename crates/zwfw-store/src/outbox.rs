//! The outbox's messages for an outside channel (SMS, e-mail): the ones due
//! to be tried, the claim of one try, its outcome, and the administrators'
//! view; and the notices a step of a case writes to every channel of their
//! reader, in one INSERT. In-app messages are read in place
//! (`interaction::notifications`).

use crate::db::{query, Row};
use crate::{RowExt, Store, StoreResult, Tx};
use serde::Serialize;
use zwfw_domain::outbox::{Channel, Delivery};
use zwfw_domain::{const_concat, sql_code};

/// The messages of an outside channel (every one but in-app): also the
/// condition of the senders' index (migration 0027), which a query states
/// to use it.
pub(crate) const OUTSIDE: &str = const_concat!("channel <> ", sql_code!(Channel::InApp));

/// A message of an outside channel with its delivery state.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutMessage {
    pub id: i64,
    pub channel: String,
    /// The full number: for the sender only; pages show it masked.
    #[serde(skip)]
    pub mobile: String,
    /// The full address: for the sender only; pages show it masked.
    #[serde(skip)]
    pub email: String,
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
        email: r.opt_str("email").unwrap_or_default(),
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
        "SELECT * FROM notifications WHERE {OUTSIDE} AND channel = $1 AND sent_at IS NULL AND failed_at IS NULL \
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

/// Settles the outside messages still waiting as given up with `why`
/// (the demo's played cases: their applicants are invented, nothing of
/// theirs goes out by SMS or e-mail). Returns how many.
pub async fn give_up_waiting(tx: &mut Tx, why: &str, now_ms: i64) -> StoreResult<u64> {
    const SQL: &str = const_concat!(
        "UPDATE notifications SET failed_at = $1, last_error = $2 WHERE ",
        OUTSIDE,
        " AND sent_at IS NULL AND failed_at IS NULL"
    );
    Ok(query(SQL).bind(now_ms).bind(why).execute(tx.conn()).await?.rows_affected())
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

/// A notice to one reader, written to each of their channels: in-app when
/// they have an account, SMS when a mobile is known, e-mail when their
/// account has an address (read from the account by the INSERT itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The reader's account (in-app, and the e-mail address it holds).
    pub user_id: Option<i64>,
    /// Also by SMS to this number.
    pub mobile: Option<String>,
    /// By e-mail to this address; when None (or empty), to the address the
    /// account `user_id` gives, if any (read by the INSERT itself).
    pub email: Option<String>,
    /// Also by SMS to the mobile the account `user_id` gives, if any (read
    /// by the INSERT itself), when `mobile` is not given.
    pub sms_to_account: bool,
    pub title: String,
    pub body: String,
    pub link: String,
}

impl Notice {
    /// A notice to the account `user_id`: in-app, and by SMS and e-mail to
    /// the mobile and the address the account gives.
    pub fn to_account(user_id: i64, title: String, body: String, link: String) -> Notice {
        Notice { user_id: Some(user_id), mobile: None, email: None, sms_to_account: true, title, body, link }
    }
}

/// The INSERT of `notices` at `at_ms` as one statement (its parameters
/// appended to `args`), or None when there is nothing to write. With
/// `only_if`, a condition (an `EXISTS` over a part of a larger statement),
/// the rows are written only when it holds.
pub fn notices_insert(
    notices: &[Notice],
    at_ms: i64,
    args: &mut Vec<crate::db::Value>,
    only_if: Option<&str>,
) -> Option<String> {
    let timed: Vec<(i64, &Notice)> = notices.iter().map(|n| (at_ms, n)).collect();
    timed_insert(&timed, args, only_if)
}

/// [`notices_insert`] of notices each of its own time.
fn timed_insert(notices: &[(i64, &Notice)], args: &mut Vec<crate::db::Value>, only_if: Option<&str>) -> Option<String> {
    use crate::db::{param as arg, IntoValue, Value};
    let mut rows = vec![];
    for &(at_ms, n) in notices {
        let mut p = |v: Value| arg(args, v);
        let (title, body, link, at) = (
            p(n.title.as_str().into_value()),
            p(n.body.as_str().into_value()),
            p(n.link.as_str().into_value()),
            p(at_ms.into_value()),
        );
        let common = format!(
            "CAST({title} AS TEXT) AS title, CAST({body} AS TEXT) AS body, CAST({link} AS TEXT) AS link, \
             CAST({at} AS BIGINT) AS created_at"
        );
        if let Some(u) = n.user_id {
            let u = p(u.into_value());
            rows.push(format!(
                "SELECT CAST({u} AS BIGINT) AS user_id, CAST(NULL AS TEXT) AS mobile, CAST(NULL AS TEXT) AS email, \
                 {} AS channel, {common}",
                sql_code!(Channel::InApp)
            ));
            if n.email.as_deref().is_none_or(|e| e.trim().is_empty()) {
                rows.push(format!(
                    "SELECT id AS user_id, CAST(NULL AS TEXT) AS mobile, email, {} AS channel, {common} FROM users \
                     WHERE id = {u} AND email IS NOT NULL AND email <> ''",
                    sql_code!(Channel::Email)
                ));
            }
        }
        if let Some(e) = n.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            let (u, e) = (p(n.user_id.into_value()), p(e.into_value()));
            rows.push(format!(
                "SELECT CAST({u} AS BIGINT) AS user_id, CAST(NULL AS TEXT) AS mobile, CAST({e} AS TEXT) AS email, \
                 {} AS channel, {common}",
                sql_code!(Channel::Email)
            ));
        }
        if let (None, Some(u), true) = (&n.mobile, n.user_id, n.sms_to_account) {
            let u = p(u.into_value());
            rows.push(format!(
                "SELECT id AS user_id, mobile, CAST(NULL AS TEXT) AS email, {} AS channel, {common} FROM users \
                 WHERE id = {u} AND mobile IS NOT NULL AND mobile <> ''",
                sql_code!(Channel::Sms)
            ));
        }
        if let Some(m) = n.mobile.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            let (u, m) = (p(n.user_id.into_value()), p(m.into_value()));
            rows.push(format!(
                "SELECT CAST({u} AS BIGINT) AS user_id, CAST({m} AS TEXT) AS mobile, CAST(NULL AS TEXT) AS email, \
                 {} AS channel, {common}",
                sql_code!(Channel::Sms)
            ));
        }
    }
    if rows.is_empty() {
        return None;
    }
    let cond = only_if.map(|c| format!(" WHERE {c}")).unwrap_or_default();
    Some(format!(
        "INSERT INTO notifications (user_id, mobile, email, channel, title, body, link, created_at, next_try_at) \
         SELECT user_id, mobile, email, channel, title, body, link, created_at, created_at FROM ({}) AS n{cond}",
        rows.join(" UNION ALL ")
    ))
}

/// Writes `notices` inside `tx`: one statement.
pub async fn write_notices(tx: &mut Tx, notices: &[Notice], at_ms: i64) -> StoreResult<()> {
    let mut args = vec![];
    if let Some(sql) = notices_insert(notices, at_ms, &mut args, None) {
        crate::db::query_with(sql, args).execute(tx.conn()).await?;
    }
    Ok(())
}

/// The position of the notices derived from the case events of the audit
/// trail (migration 0031).
pub const CASE_NOTICES: &str = "case_notices";

/// A record of the audit trail as the derivation of notices reads it.
#[derive(Debug, Clone)]
pub struct TrailRecord {
    pub seq: i64,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// The detail of a record of a case or of a record pushed to a
    /// regulator; empty for other objects.
    pub detail: String,
}

/// Where the derivation `name` stands and the audit trail's records after
/// it, in the trail's order, at most `limit`; None when there are none.
/// One statement, so that both are read in the same snapshot (the records
/// are read by the trail's key alone: its other indexes would sort).
pub async fn trail_after_cursor(store: &Store, name: &str, limit: i64) -> StoreResult<Option<(i64, Vec<TrailRecord>)>> {
    let rows = query(format!(
        "SELECT (SELECT pos FROM outbox_cursors WHERE name = $1) AS pos, seq, action, object_type, object_id, \
         CASE WHEN object_type IN ('case', 'handover') THEN detail ELSE '' END AS detail \
         FROM audit_log WHERE seq > (SELECT pos FROM outbox_cursors WHERE name = $1) ORDER BY seq LIMIT {}",
        limit.clamp(1, 10_000)
    ))
    .bind(name)
    .fetch_all(store.pool())
    .await?;
    let Some(pos) = rows.first().map(|r| r.i64("pos")) else { return Ok(None) };
    let records = rows
        .iter()
        .map(|r| TrailRecord {
            seq: r.i64("seq"),
            action: r.str("action"),
            object_type: r.str("object_type"),
            object_id: r.str("object_id"),
            detail: r.str("detail"),
        })
        .collect();
    Ok(Some((pos, records)))
}

/// Notices written per statement.
const NOTICES_PER_INSERT: usize = 100;

/// Moves the derivation `name` from `from` to `to` inside `tx`; false when
/// the position was no longer `from` (another server moved it).
pub async fn move_cursor(tx: &mut Tx, name: &str, from: i64, to: i64) -> StoreResult<bool> {
    let moved = query("UPDATE outbox_cursors SET pos = $1 WHERE name = $2 AND pos = $3")
        .bind(to)
        .bind(name)
        .bind(from)
        .execute(tx.conn())
        .await?
        .rows_affected();
    Ok(moved == 1)
}

/// Moves the derivation `name` from `from` to `to` and writes `notices`
/// (each with its time) in one transaction; false, having written nothing,
/// when the position was no longer `from` (another server moved it).
pub async fn advance(store: &Store, name: &str, from: i64, to: i64, notices: &[(i64, Notice)]) -> StoreResult<bool> {
    let mut tx = store.begin().await?;
    if !move_cursor(&mut tx, name, from, to).await? {
        return Ok(false);
    }
    write_timed(&mut tx, notices).await?;
    tx.commit().await?;
    Ok(true)
}

/// Writes `notices`, each with its time, in `tx` (a derivation's
/// transaction, whose cursor [`move_cursor`] moved).
pub async fn write_timed(tx: &mut Tx, notices: &[(i64, Notice)]) -> StoreResult<()> {
    for part in notices.chunks(NOTICES_PER_INSERT) {
        let timed: Vec<(i64, &Notice)> = part.iter().map(|(at, n)| (*at, n)).collect();
        let mut args = vec![];
        if let Some(sql) = timed_insert(&timed, &mut args, None) {
            crate::db::query_with(sql, args).execute(tx.conn()).await?;
        }
    }
    Ok(())
}
