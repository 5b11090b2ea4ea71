//! The exchange outbox: the rows for the national tables written with the
//! change they report, the claim of a batch of them by one exporter, their
//! outcome (delivered, rejected with the reason), the exporter's shared
//! state (back-off after a failure) and the monitor's figures.

use crate::db::{query, Row};
use crate::{RowExt, Store, StoreError, StoreResult, Tx};
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
    /// The version sent again in this one's place after a correction.
    pub resent_as: Option<i64>,
    /// The corrections this version carries (JSON, `<sub>:<column>` → value).
    pub overrides: Option<String>,
    /// The 办件编号 of its case (rows read with their case).
    pub case_no: Option<String>,
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
        resent_as: r.opt_i64("resent_as"),
        overrides: r.opt_str("overrides"),
        case_no: r.opt_str("case_no"),
    }
}

/// Outbox rows (`o`) with the 办件编号 of their case.
const WITH_CASE: &str = "SELECT o.*, c.case_no FROM exchange_outbox o LEFT JOIN cases c ON c.id = o.case_id";

const WAITING: &str = "delivered_at IS NULL AND rejected_at IS NULL";

/// The position of the outbox rows derived from the case events of the
/// audit trail (migration 0044).
pub const CASE_EXCHANGE: &str = "case_exchange";

/// Records of the audit trail read per batch.
const DERIVE_BATCH: i64 = 1000;
/// Records without a reported step after which the position moves on
/// anyway, so that a reader does not look through them again.
const PASS_OVER: usize = 100;
/// Outbox rows written per statement.
const ROWS_PER_INSERT: usize = 200;

/// A row the derivation writes: the table, the case, the event, its time.
type Derived = (Table, i64, i64, i64);

/// Writes the outbox rows of every case step committed since the last
/// derivation (the tables `zwfw_domain::exchange::tables_of` its event),
/// in the order of the audit trail, and moves the derivation's position
/// with them in one transaction; returns how many rows were written.
///
/// A step writes no outbox row: its rows are derived after its commit, by
/// the program's own task soon after the step, and here before anything
/// reads the outbox (the exporter's claim, the monitor's figures, a case's
/// rows), so that a reader never misses the row of a step already
/// acknowledged. A row is written once: by the process that moved the
/// position from where it read it; another server doing the same finds it
/// moved and reads again. When this returns, every step committed before
/// the call has its rows (on PostgreSQL unless more than a batch of audit
/// records waited to be sealed; the store's sealer seals them soon).
pub async fn derive(store: &Store) -> StoreResult<usize> {
    crate::audit::seal_batch(store).await?;
    let mut written = 0;
    loop {
        let Some((pos, records)) = crate::outbox::trail_after_cursor(store, CASE_EXCHANGE, DERIVE_BATCH).await? else {
            return Ok(written);
        };
        let last = records.last().map_or(pos, |r| r.seq);
        let rows: Vec<Derived> = records.iter().filter_map(reported).flatten().collect();
        let full = records.len() as i64 == DERIVE_BATCH;
        if rows.is_empty() && records.len() < PASS_OVER {
            // Nothing to write: the position moves with the next row (or
            // once enough other records follow it to be worth a write).
            return Ok(written);
        }
        if advance(store, pos, last, &rows).await? {
            written += rows.len();
            if !full {
                return Ok(written);
            }
        }
    }
}

/// The outbox rows of the trail's record `r` when it records a case event
/// (`case_<kind>` with `{"seq", "event"}`) that is reported.
fn reported(r: &crate::outbox::TrailRecord) -> Option<impl Iterator<Item = Derived>> {
    if r.object_type != "case" || !r.action.starts_with("case_") {
        return None;
    }
    #[derive(serde::Deserialize)]
    struct Detail {
        seq: i64,
        event: zwfw_domain::cases::Event,
    }
    let case_id: i64 = r.object_id.parse().ok()?;
    let d: Detail = serde_json::from_str(&r.detail).ok()?;
    let tables = zwfw_domain::exchange::tables_of(&d.event.kind);
    Some(tables.iter().map(move |t| (*t, case_id, d.seq, d.event.at_ms)))
}

/// Moves the derivation from `from` to `to` and writes `rows` in one
/// transaction; false, having written nothing, when the position was no
/// longer `from` (another server moved it).
async fn advance(store: &Store, from: i64, to: i64, rows: &[Derived]) -> StoreResult<bool> {
    use crate::db::IntoValue;
    let mut tx = store.begin().await?;
    if !crate::outbox::move_cursor(&mut tx, CASE_EXCHANGE, from, to).await? {
        return Ok(false);
    }
    for part in rows.chunks(ROWS_PER_INSERT) {
        let mut args = Vec::with_capacity(part.len() * 3);
        let mut values = Vec::with_capacity(part.len());
        for (t, case_id, seq, at) in part {
            let n = args.len();
            values.push(format!("('{}', ${}, ${}, ${})", t.code(), n + 1, n + 2, n + 3));
            args.extend([(*case_id).into_value(), (*seq).into_value(), (*at).into_value()]);
        }
        let sql =
            format!("INSERT INTO exchange_outbox (tbl, case_id, event_seq, created_at) VALUES {}", values.join(", "));
        crate::db::query_with(sql, args).execute(tx.conn()).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The `up_lic_data` row of licence version `license_id`, issued on case
/// `case_id`, inside the transaction that wrote the licence.
pub async fn enqueue_license(tx: &mut Tx, case_id: i64, license_id: i64, at_ms: i64) -> StoreResult<()> {
    query(format!(
        "INSERT INTO exchange_outbox (tbl, case_id, event_seq, ref_id, created_at) VALUES ('{}', $1, 0, $2, $3)",
        Table::LicData.code()
    ))
    .bind(case_id)
    .bind(license_id)
    .bind(at_ms)
    .execute(tx.conn())
    .await?;
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

/// A new version of the case's acceptance row (`up_pro_accept`), its
/// applicant's data corrected (误操作更正): written only when the row was
/// derived already (a row derived later maps the corrected data anyway).
pub async fn enqueue_accept_version(tx: &mut Tx, case_id: i64, at_ms: i64) -> StoreResult<bool> {
    let r = query(format!(
        "INSERT INTO exchange_outbox (tbl, case_id, event_seq, ref_id, version, created_at) \
         SELECT tbl, case_id, event_seq, ref_id, version + 1, $1 FROM exchange_outbox \
         WHERE case_id = $2 AND tbl = '{}' AND payload IS NULL ORDER BY version DESC, id DESC LIMIT 1",
        Table::ProAccept.code()
    ))
    .bind(at_ms)
    .bind(case_id)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Claims a batch to deliver (the steps' rows derived first): a batch whose claim lapsed (its server died
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
    derive(store).await?;
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
    derive(store).await?;
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
        "{WITH_CASE} WHERE o.rejected_at IS NOT NULL ORDER BY o.rejected_at DESC, o.id DESC LIMIT {}",
        limit.clamp(1, 500)
    ))
    .all(store.pool(), out_row)
    .await
}

/// The outbox rows of a case, in order (its steps' rows derived first).
pub async fn of_case(store: &Store, case_id: i64) -> StoreResult<Vec<OutRow>> {
    derive(store).await?;
    query("SELECT * FROM exchange_outbox WHERE case_id = $1 ORDER BY id").bind(case_id).all(store.pool(), out_row).await
}

/// One outbox row.
pub async fn get(store: &Store, id: i64) -> StoreResult<Option<OutRow>> {
    query(format!("{WITH_CASE} WHERE o.id = $1")).bind(id).maybe(store.pool(), out_row).await
}

/// The outbox row delivered with `row_guid` as its sender's (a row an
/// offline package brought).
pub async fn by_row_guid(store: &Store, row_guid: &str) -> StoreResult<Option<OutRow>> {
    query(format!("{WITH_CASE} WHERE o.row_guid = $1")).bind(row_guid).maybe(store.pool(), out_row).await
}

/// The `up_lic_data` row delivered in batch `batch` for the licence version
/// `identifier` (the outbox row's `ref_id` is the licence).
pub async fn license_row(store: &Store, batch: &str, identifier: &str) -> StoreResult<Option<i64>> {
    let r = query(format!(
        "SELECT o.id FROM exchange_outbox o JOIN licenses l ON l.id = o.ref_id \
         WHERE o.tbl = '{}' AND o.batch = $1 AND l.identifier = $2 ORDER BY o.id DESC LIMIT 1",
        Table::LicData.code()
    ))
    .bind(batch)
    .bind(identifier)
    .fetch_optional(store.pool())
    .await?;
    Ok(r.map(|r| r.i64("id")))
}

/// Sends row `id` again as a new version carrying `overrides` (JSON): the
/// row must be rejected, by the exporter or by the province (`feedback`),
/// and not sent again before. A row an offline package brought has no case
/// here: its new version carries `payload`, its sender's columns corrected
/// (and its origin). The new version's id; None when the row cannot be sent
/// again (delivered without feedback, or sent again already).
pub async fn resend(
    tx: &mut Tx,
    id: i64,
    overrides: &str,
    payload: Option<&str>,
    at_ms: i64,
) -> StoreResult<Option<i64>> {
    let row = query(
        "SELECT * FROM exchange_outbox WHERE id = $1 AND resent_as IS NULL AND (rejected_at IS NOT NULL \
         OR (delivered_at IS NOT NULL AND EXISTS (SELECT 1 FROM exchange_feedback f WHERE f.outbox_id = $1)))",
    )
    .bind(id)
    .maybe(tx.conn(), out_row)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let version = if row.payload.is_some() {
        // The versions of an imported row follow one another (`resent_as`).
        row.version
    } else {
        query(
            "SELECT MAX(version) AS v FROM exchange_outbox WHERE tbl = $1 AND case_id = $2 AND event_seq = $3 AND ref_id = $4",
        )
        .bind(&row.tbl)
        .bind(row.case_id)
        .bind(row.event_seq)
        .bind(row.ref_id)
        .fetch_one(tx.conn())
        .await?
        .opt_i64("v")
        .unwrap_or(row.version)
    };
    let new_id = query(
        "INSERT INTO exchange_outbox (tbl, case_id, event_seq, ref_id, version, created_at, overrides, payload, origin) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(&row.tbl)
    .bind(row.case_id)
    .bind(row.event_seq)
    .bind(row.ref_id)
    .bind(version + 1)
    .bind(at_ms)
    .bind(overrides)
    .bind(payload.or(row.payload.as_deref()).filter(|_| row.payload.is_some()))
    .bind(row.origin.as_deref())
    .fetch_one(tx.conn())
    .await?
    .i64("id");
    let n = query("UPDATE exchange_outbox SET resent_as = $1 WHERE id = $2 AND resent_as IS NULL")
        .bind(new_id)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n != 1 {
        return Err(StoreError::Conflict("exchange_outbox"));
    }
    Ok(Some(new_id))
}

/// A feedback row read from the 前置库, ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeedback {
    /// `dn_audit_abnormal` | `dn_lic_data_error`
    pub source: String,
    /// What makes the feedback row recognisable when read again.
    pub fkey: String,
    /// The feedback row's local id in the 前置库 (the read position).
    pub front_id: i64,
    /// The outbox row it concerns; None when its row_guid is not ours.
    pub outbox_id: Option<i64>,
    /// The national table of the rejected row.
    pub tbl: String,
    pub row_guid: String,
    pub batch: String,
    pub err_type: String,
    pub remark: String,
    /// The column the feedback blames, if it names one.
    pub field: Option<String>,
    pub sub: i64,
    pub reported_at: Option<i64>,
}

/// Records a feedback row once: false when it was recorded before.
pub async fn record_feedback(store: &Store, f: &NewFeedback, now_ms: i64) -> StoreResult<bool> {
    let r = query(
        "INSERT INTO exchange_feedback (source, fkey, front_id, outbox_id, tbl, row_guid, batch, err_type, remark, \
         field, sub, reported_at, read_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (source, fkey) DO NOTHING",
    )
    .bind(&f.source)
    .bind(&f.fkey)
    .bind(f.front_id)
    .bind(f.outbox_id)
    .bind(&f.tbl)
    .bind(&f.row_guid)
    .bind(&f.batch)
    .bind(&f.err_type)
    .bind(&f.remark)
    .bind(f.field.as_deref())
    .bind(f.sub)
    .bind(f.reported_at)
    .bind(now_ms)
    .execute(store.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// How far feedback table `source` was read (its last local id).
pub async fn feedback_cursor(store: &Store, source: &str) -> StoreResult<i64> {
    let r = query("SELECT last_id FROM exchange_feedback_cursor WHERE source = $1")
        .bind(source)
        .fetch_optional(store.pool())
        .await?;
    Ok(r.map_or(0, |r| r.i64("last_id")))
}

/// Moves the read position of `source` to `last_id` (never back).
pub async fn advance_feedback_cursor(store: &Store, source: &str, last_id: i64, now_ms: i64) -> StoreResult<()> {
    query(
        "UPDATE exchange_feedback_cursor SET last_id = CASE WHEN last_id < $1 THEN $1 ELSE last_id END, read_at = $2 \
         WHERE source = $3",
    )
    .bind(last_id)
    .bind(now_ms)
    .bind(source)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// A recorded feedback row, with where its outbox row stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ExchangeFeedback))]
pub struct FeedbackRow {
    pub id: i64,
    /// `dn_audit_abnormal` | `dn_lic_data_error`
    pub source: String,
    /// The outbox row it concerns (None: its row_guid is not one of ours).
    pub outbox_id: Option<i64>,
    pub tbl: String,
    pub row_guid: String,
    pub batch: String,
    /// 异常类型
    pub err_type: String,
    /// 备注 / 异常说明
    pub remark: String,
    /// The column it blames.
    pub field: Option<String>,
    pub sub: i64,
    /// When the province recorded it (进入汇聚区日期 / 同步时间).
    pub reported_at: Option<i64>,
    /// When it was read here.
    pub read_at: i64,
    /// The case of the outbox row.
    pub case_id: Option<i64>,
    /// The version sent again in the row's place, once corrected.
    pub resent_as: Option<i64>,
    /// The 办件编号 of that case.
    pub case_no: Option<String>,
}

fn feedback_row(r: &Row) -> FeedbackRow {
    FeedbackRow {
        id: r.i64("id"),
        source: r.str("source"),
        outbox_id: r.opt_i64("outbox_id"),
        tbl: r.str("tbl"),
        row_guid: r.str("row_guid"),
        batch: r.str("batch"),
        err_type: r.str("err_type"),
        remark: r.str("remark"),
        field: r.opt_str("field"),
        sub: r.i64("sub"),
        reported_at: r.opt_i64("reported_at"),
        read_at: r.i64("read_at"),
        case_id: r.opt_i64("case_id"),
        resent_as: r.opt_i64("resent_as"),
        case_no: r.opt_str("case_no"),
    }
}

const FEEDBACK: &str = "SELECT f.*, o.case_id, o.resent_as, c.case_no FROM exchange_feedback f \
     LEFT JOIN exchange_outbox o ON o.id = f.outbox_id LEFT JOIN cases c ON c.id = o.case_id";

/// The feedback rows recorded, newest first: `open` only those whose row
/// was not corrected and sent again (those naming no row of ours included).
pub async fn feedback(store: &Store, open: bool, limit: i64) -> StoreResult<Vec<FeedbackRow>> {
    let filter = if open { "WHERE o.resent_as IS NULL" } else { "" };
    query(format!("{FEEDBACK} {filter} ORDER BY f.id DESC LIMIT {}", limit.clamp(1, 500)))
        .all(store.pool(), feedback_row)
        .await
}

/// The feedback rows about outbox row `outbox_id`.
pub async fn feedback_of(store: &Store, outbox_id: i64) -> StoreResult<Vec<FeedbackRow>> {
    query(format!("{FEEDBACK} WHERE f.outbox_id = $1 ORDER BY f.id"))
        .bind(outbox_id)
        .all(store.pool(), feedback_row)
        .await
}

/// The oldest waiting row of each table: (table, outbox id, written at).
pub async fn oldest_waiting(store: &Store) -> StoreResult<Vec<(String, i64, i64)>> {
    derive(store).await?;
    let rows = query(format!(
        "SELECT o.tbl, o.id, o.created_at FROM exchange_outbox o WHERE o.id IN \
         (SELECT MIN(id) FROM exchange_outbox WHERE {WAITING} GROUP BY tbl)"
    ))
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(|r| (r.str("tbl"), r.i64("id"), r.i64("created_at"))).collect())
}

/// A rejection not corrected: the outbox row, its case, its table, when it
/// was rejected, by the province (else by the exporter's checks), why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uncorrected {
    pub outbox_id: i64,
    pub case_id: i64,
    pub tbl: String,
    pub rejected_at: i64,
    pub by_province: bool,
    pub reason: String,
}

/// The rejections recorded up to `until_ms` whose row was not sent again:
/// rows the exporter rejected, and rows the province's feedback names
/// (each row once, at its first feedback).
pub async fn uncorrected(store: &Store, until_ms: i64) -> StoreResult<Vec<Uncorrected>> {
    let local = query(
        "SELECT id, case_id, tbl, rejected_at, reason FROM exchange_outbox \
         WHERE rejected_at IS NOT NULL AND rejected_at <= $1 AND resent_as IS NULL ORDER BY id",
    )
    .bind(until_ms)
    .fetch_all(store.pool())
    .await?;
    let mut out: Vec<Uncorrected> = local
        .iter()
        .map(|r| Uncorrected {
            outbox_id: r.i64("id"),
            case_id: r.i64("case_id"),
            tbl: r.str("tbl"),
            rejected_at: r.i64("rejected_at"),
            by_province: false,
            reason: r.opt_str("reason").unwrap_or_default(),
        })
        .collect();
    let fed = query(
        "SELECT o.id, o.case_id, o.tbl, f.read_at, f.err_type, f.remark FROM exchange_feedback f \
         JOIN exchange_outbox o ON o.id = f.outbox_id \
         WHERE o.resent_as IS NULL AND f.read_at <= $1 ORDER BY f.id",
    )
    .bind(until_ms)
    .fetch_all(store.pool())
    .await?;
    for r in &fed {
        let id = r.i64("id");
        if out.iter().any(|u| u.outbox_id == id) {
            continue;
        }
        let remark = r.str("remark");
        let err = r.str("err_type");
        out.push(Uncorrected {
            outbox_id: id,
            case_id: r.i64("case_id"),
            tbl: r.str("tbl"),
            rejected_at: r.i64("read_at"),
            by_province: true,
            reason: if remark.is_empty() { err } else { format!("{err}：{remark}") },
        });
    }
    Ok(out)
}
