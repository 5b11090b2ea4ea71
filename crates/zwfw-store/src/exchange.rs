//! The exchange outbox: the rows for the national tables written with the
//! change they report, the claim of a batch of them by one exporter, their
//! outcome (delivered, rejected with the reason), the exporter's shared
//! state (back-off after a failure) and the monitor's figures.

use crate::db::{query, Row};
use crate::{RowExt, Store, StoreResult, Tx};
use serde::Serialize;
use zwfw_domain::exchange::Table;

pub mod package;

/// One row of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ExchangeRow))]
pub struct OutRow {
    pub id: i64,
    /// The national table (`up_pro_accept` …).
    pub tbl: String,
    pub case_id: i64,
    /// The case event the row reports.
    pub event_seq: i64,
    /// What else the row version reports (the rating of a new `up_pro_result` version), else 0.
    pub ref_id: i64,
    pub version: i64,
    pub created_at: i64,
    /// The batch (cd_batch) the row was claimed for.
    pub batch: Option<String>,
    pub attempts: i64,
    pub delivered_at: Option<i64>,
    pub rejected_at: Option<i64>,
    /// Why the row was rejected (the column and what is wrong).
    pub reason: Option<String>,
    pub last_error: Option<String>,
    /// The row_guid it is delivered with when it came in an offline package
    /// (its sender's); else made from the row's id.
    pub row_guid: Option<String>,
    /// The installation whose offline package brought it.
    pub origin: Option<String>,
    /// Its national columns as its sender mapped them (JSON), when it came
    /// in an offline package.
    #[serde(skip)]
    pub payload: Option<String>,
}

fn out_row(r: &Row) -> OutRow {
    OutRow {
        id: r.i64("id"),
        tbl: r.str("tbl"),
        case_id: r.i64("case_id"),
        event_seq: r.i64("event_seq"),
        ref_id: r.i64("ref_id"),
        version: r.i64("version"),
        created_at: r.i64("created_at"),
        batch: r.opt_str("batch"),
        attempts: r.i64("attempts"),
        delivered_at: r.opt_i64("delivered_at"),
        rejected_at: r.opt_i64("rejected_at"),
        reason: r.opt_str("reason"),
        last_error: r.opt_str("last_error"),
        row_guid: r.opt_str("row_guid"),
        origin: r.opt_str("origin"),
        payload: r.opt_str("payload"),
    }
}

const WAITING: &str = "delivered_at IS NULL AND rejected_at IS NULL";

/// The INSERT of the outbox rows of `tables` for event `seq` of the case
/// each row of `from` names by `id` (a part of a larger statement), its
/// parameters appended to `args`; None when `tables` is empty.
pub fn enqueue_insert(
    tables: &[Table],
    seq: i64,
    at_ms: i64,
    args: &mut Vec<crate::db::Value>,
    from: &str,
) -> Option<String> {
    use crate::db::{param, IntoValue};
    if tables.is_empty() {
        return None;
    }
    let (seq, at) = (param(args, seq.into_value()), param(args, at_ms.into_value()));
    let selects: Vec<String> =
        tables.iter().map(|t| format!("SELECT id, CAST('{}' AS TEXT) AS tbl FROM {from}", t.code())).collect();
    Some(format!(
        "INSERT INTO exchange_outbox (tbl, case_id, event_seq, created_at) SELECT x.tbl, x.id, {seq}, {at} FROM ({}) AS x",
        selects.join(" UNION ALL ")
    ))
}

/// Writes the outbox rows of `tables` for event `seq` of case `case_id`
/// inside `tx`: one statement.
pub async fn enqueue(tx: &mut Tx, tables: &[Table], case_id: i64, seq: i64, at_ms: i64) -> StoreResult<()> {
    use crate::db::IntoValue;
    if tables.is_empty() {
        return Ok(());
    }
    let mut args = vec![case_id.into_value(), seq.into_value(), at_ms.into_value()];
    let values: Vec<String> = tables.iter().map(|t| format!("('{}', $1, $2, $3)", t.code())).collect();
    let sql = format!("INSERT INTO exchange_outbox (tbl, case_id, event_seq, created_at) VALUES {}", values.join(", "));
    crate::db::query_with(sql, std::mem::take(&mut args)).execute(tx.conn()).await?;
    Ok(())
}

/// A new version of the case's reported result (`up_pro_result`), for
/// rating `rating_id` (its 满意度): written only when a result was reported.
pub async fn enqueue_result_version(tx: &mut Tx, case_id: i64, rating_id: i64, at_ms: i64) -> StoreResult<bool> {
    let r = query(format!(
        "INSERT INTO exchange_outbox (tbl, case_id, event_seq, ref_id, version, created_at) \
         SELECT tbl, case_id, event_seq, $1, version + 1, $2 FROM exchange_outbox \
         WHERE case_id = $3 AND tbl = '{}' ORDER BY version DESC, id DESC LIMIT 1",
        Table::ProResult.code()
    ))
    .bind(rating_id)
    .bind(at_ms)
    .bind(case_id)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Claims a batch to deliver: a batch whose claim lapsed (its server died
/// or its try failed and the back-off passed), kept whole under its number;
/// else up to `limit` waiting rows under the new number `new_batch`. The
/// claim holds until `lease_until`. Exactly one of several exporters
/// claiming at once gets each row. Returns the batch number and its rows
/// (none when nothing waits).
pub async fn claim(
    store: &Store,
    now_ms: i64,
    lease_until: i64,
    limit: i64,
    new_batch: &str,
) -> StoreResult<(String, Vec<OutRow>)> {
    let lapsed = query(format!(
        "SELECT batch FROM exchange_outbox WHERE {WAITING} AND batch IS NOT NULL AND lease_until <= $1 ORDER BY id LIMIT 1"
    ))
    .bind(now_ms)
    .fetch_optional(store.pool())
    .await?;
    let batch = if let Some(b) = lapsed.map(|r| r.str("batch")) {
        let n = query(format!(
            "UPDATE exchange_outbox SET lease_until = $1, attempts = attempts + 1 \
             WHERE batch = $2 AND {WAITING} AND lease_until <= $3"
        ))
        .bind(lease_until)
        .bind(&b)
        .bind(now_ms)
        .execute(store.pool())
        .await?
        .rows_affected();
        if n == 0 {
            return Ok((b, vec![])); // another exporter took it first
        }
        b
    } else {
        let n = query(format!(
            "UPDATE exchange_outbox SET batch = $1, lease_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM exchange_outbox WHERE {WAITING} AND batch IS NULL ORDER BY id LIMIT {}) \
             AND batch IS NULL",
            limit.clamp(1, 10_000)
        ))
        .bind(new_batch)
        .bind(lease_until)
        .execute(store.pool())
        .await?
        .rows_affected();
        if n == 0 {
            return Ok((new_batch.to_string(), vec![]));
        }
        new_batch.to_string()
    };
    let rows = query(format!("SELECT * FROM exchange_outbox WHERE batch = $1 AND {WAITING} ORDER BY id"))
        .bind(&batch)
        .all(store.pool(), out_row)
        .await?;
    Ok((batch, rows))
}

/// Rows `ids` of `batch` were delivered at `now_ms`.
pub async fn mark_delivered(store: &Store, batch: &str, ids: &[i64], now_ms: i64) -> StoreResult<()> {
    for chunk in ids.chunks(500) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        query(format!(
            "UPDATE exchange_outbox SET delivered_at = $1, last_error = NULL WHERE batch = $2 AND {WAITING} AND id IN ({})",
            list.join(", ")
        ))
        .bind(now_ms)
        .bind(batch)
        .execute(store.pool())
        .await?;
    }
    Ok(())
}

/// Row `id` cannot be delivered as it is: rejected with `reason` (the
/// column and what is wrong). It stays, shown on the monitor.
pub async fn mark_rejected(store: &Store, id: i64, reason: &str, now_ms: i64) -> StoreResult<()> {
    query(format!("UPDATE exchange_outbox SET rejected_at = $1, reason = $2 WHERE id = $3 AND {WAITING}"))
        .bind(now_ms)
        .bind(reason)
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// The try of `batch` failed with `error`: its rows wait, claimed, until `retry_at`.
pub async fn mark_failed(store: &Store, batch: &str, error: &str, retry_at: i64) -> StoreResult<()> {
    query(format!("UPDATE exchange_outbox SET lease_until = $1, last_error = $2 WHERE batch = $3 AND {WAITING}"))
        .bind(retry_at)
        .bind(error)
        .bind(batch)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// The exporter's shared state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ExchangeStatus))]
pub struct Status {
    /// Failed tries in a row.
    pub failures: i64,
    /// No try before this instant (back-off).
    pub next_try_at: i64,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
    pub last_delivery_at: Option<i64>,
}

pub async fn status(store: &Store) -> StoreResult<Status> {
    let r = query("SELECT * FROM exchange_status WHERE id = 1").fetch_optional(store.pool()).await?;
    Ok(r.map(|r| Status {
        failures: r.i64("failures"),
        next_try_at: r.i64("next_try_at"),
        last_error: r.opt_str("last_error"),
        last_error_at: r.opt_i64("last_error_at"),
        last_delivery_at: r.opt_i64("last_delivery_at"),
    })
    .unwrap_or_default())
}

/// A try failed: `failures` in a row, the next at `next_try_at`.
pub async fn record_failure(
    store: &Store,
    failures: i64,
    next_try_at: i64,
    error: &str,
    now_ms: i64,
) -> StoreResult<()> {
    query(
        "UPDATE exchange_status SET failures = $1, next_try_at = $2, last_error = $3, last_error_at = $4 WHERE id = 1",
    )
    .bind(failures)
    .bind(next_try_at)
    .bind(error)
    .bind(now_ms)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// A batch was delivered: the back-off ends.
pub async fn record_delivery(store: &Store, now_ms: i64) -> StoreResult<()> {
    query("UPDATE exchange_status SET failures = 0, next_try_at = 0, last_delivery_at = $1 WHERE id = 1")
        .bind(now_ms)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// The figures of one table on the monitor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ExchangeTableFigures))]
pub struct TableFigures {
    pub tbl: String,
    /// Rows waiting to be delivered.
    pub backlog: i64,
    /// When the oldest waiting row was written.
    pub oldest_waiting_at: Option<i64>,
    /// Rows delivered since `since` (today's start).
    pub delivered_today: i64,
    /// Rows rejected (in all).
    pub rejected: i64,
}

/// The figures per table, every table listed (zeros where nothing was written).
pub async fn figures(store: &Store, since_ms: i64) -> StoreResult<Vec<TableFigures>> {
    let rows = query(format!(
        "SELECT tbl, \
           COALESCE(SUM(CASE WHEN {WAITING} THEN 1 ELSE 0 END), 0) AS backlog, \
           MIN(CASE WHEN {WAITING} THEN created_at END) AS oldest, \
           COALESCE(SUM(CASE WHEN delivered_at >= $1 THEN 1 ELSE 0 END), 0) AS delivered_today, \
           COALESCE(SUM(CASE WHEN rejected_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS rejected \
         FROM exchange_outbox GROUP BY tbl"
    ))
    .bind(since_ms)
    .fetch_all(store.pool())
    .await?;
    Ok(Table::ALL
        .iter()
        .map(|t| {
            let r = rows.iter().find(|r| r.str("tbl") == t.code());
            TableFigures {
                tbl: t.code().to_string(),
                backlog: r.map_or(0, |r| r.i64("backlog")),
                oldest_waiting_at: r.and_then(|r| r.opt_i64("oldest")),
                delivered_today: r.map_or(0, |r| r.i64("delivered_today")),
                rejected: r.map_or(0, |r| r.i64("rejected")),
            }
        })
        .collect())
}

/// The rejected rows, newest first.
pub async fn rejected(store: &Store, limit: i64) -> StoreResult<Vec<OutRow>> {
    query(format!(
        "SELECT * FROM exchange_outbox WHERE rejected_at IS NOT NULL ORDER BY rejected_at DESC, id DESC LIMIT {}",
        limit.clamp(1, 500)
    ))
    .all(store.pool(), out_row)
    .await
}

/// The outbox rows of a case, in order.
pub async fn of_case(store: &Store, case_id: i64) -> StoreResult<Vec<OutRow>> {
    query("SELECT * FROM exchange_outbox WHERE case_id = $1 ORDER BY id").bind(case_id).all(store.pool(), out_row).await
}
