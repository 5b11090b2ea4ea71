//! 补录 (migration 0053): the case events entered later with their real
//! time, listed per department and fault.

use crate::db::{query, Row};
use crate::{RowExt, Store, StoreResult, Tx};
use serde::Serialize;

/// A 补录 entry to record beside its case event (in the event's transaction).
pub struct NewBackfill<'a> {
    pub case_id: i64,
    pub seq: i64,
    pub event_kind: &'a str,
    pub fault_id: i64,
    pub department_id: i64,
    pub paper_no: &'a str,
    pub at: i64,
    pub entered_by: i64,
    pub entered_name: &'a str,
    pub entered_at: i64,
}

pub async fn insert(tx: &mut Tx, b: &NewBackfill<'_>) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO case_backfills (case_id, seq, event_kind, fault_id, department_id, paper_no, at, entered_by, \
         entered_name, entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(b.case_id)
    .bind(b.seq)
    .bind(b.event_kind)
    .bind(b.fault_id)
    .bind(b.department_id)
    .bind(b.paper_no)
    .bind(b.at)
    .bind(b.entered_by)
    .bind(b.entered_name)
    .bind(b.entered_at)
    .fetch_one(tx.conn())
    .await?;
    Ok(r.i64("id"))
}

/// One 补录 entry with its case's number and item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = BackfillEntry))]
pub struct BackfillRow {
    pub id: i64,
    pub case_id: i64,
    pub case_no: Option<String>,
    pub item_name: String,
    pub seq: i64,
    /// The case event's kind (submitted, accepted, step_passed, concluded …).
    pub event_kind: String,
    pub fault_id: i64,
    pub department_id: i64,
    pub department_name: String,
    /// 纸质文书编号
    pub paper_no: String,
    /// The real time on paper (ms).
    pub at: i64,
    pub entered_by: i64,
    pub entered_name: String,
    /// When it was entered on the platform (ms).
    pub entered_at: i64,
}

fn row(r: &Row) -> BackfillRow {
    BackfillRow {
        id: r.i64("id"),
        case_id: r.i64("case_id"),
        case_no: r.opt_str("case_no"),
        item_name: r.str("item_name"),
        seq: r.i64("seq"),
        event_kind: r.str("event_kind"),
        fault_id: r.i64("fault_id"),
        department_id: r.i64("department_id"),
        department_name: r.str("department_name"),
        paper_no: r.str("paper_no"),
        at: r.i64("at"),
        entered_by: r.i64("entered_by"),
        entered_name: r.str("entered_name"),
        entered_at: r.i64("entered_at"),
    }
}

/// The entries, newest entered first: of one department (`department`) or
/// all, of one fault (`fault`) or all; and how many there are.
pub async fn list(
    store: &Store,
    department: Option<i64>,
    fault: Option<i64>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<BackfillRow>, i64)> {
    use crate::db::{param, IntoValue};
    let mut cond = vec!["1 = 1".to_string()];
    let mut args = vec![];
    if let Some(d) = department {
        let p = param(&mut args, d.into_value());
        cond.push(format!("b.department_id = {p}"));
    }
    if let Some(f) = fault {
        let p = param(&mut args, f.into_value());
        cond.push(format!("b.fault_id = {p}"));
    }
    let wher = cond.join(" AND ");
    let total = crate::db::query_with(format!("SELECT COUNT(*) AS n FROM case_backfills b WHERE {wher}"), args.clone())
        .fetch_one(store.pool())
        .await?
        .i64("n");
    let sql = format!(
        "SELECT b.*, c.case_no, c.item_name, d.name AS department_name FROM case_backfills b \
         JOIN cases c ON c.id = b.case_id JOIN departments d ON d.id = b.department_id \
         WHERE {wher} ORDER BY b.id DESC LIMIT {} OFFSET {}",
        limit.clamp(1, 500),
        offset.max(0)
    );
    let rows = crate::db::query_with(sql, args).fetch_all(store.pool()).await?;
    Ok((rows.iter().map(row).collect(), total))
}

/// The entries of a case, in the order of its events.
pub async fn of_case(store: &Store, case_id: i64) -> StoreResult<Vec<BackfillRow>> {
    query(
        "SELECT b.*, c.case_no, c.item_name, d.name AS department_name FROM case_backfills b \
         JOIN cases c ON c.id = b.case_id JOIN departments d ON d.id = b.department_id \
         WHERE b.case_id = $1 ORDER BY b.seq",
    )
    .bind(case_id)
    .all(store.pool(), row)
    .await
}

/// Per department, the 补录 of a period (real time in `[from_ms, to_ms)`):
/// the cases with at least one entry and the entries; `(department, cases, entries)`.
pub async fn counts(store: &Store, from_ms: i64, to_ms: i64) -> StoreResult<Vec<(i64, i64, i64)>> {
    query(
        "SELECT department_id, COUNT(DISTINCT case_id) AS cases, COUNT(*) AS entries FROM case_backfills \
         WHERE at >= $1 AND at < $2 GROUP BY department_id ORDER BY department_id",
    )
    .bind(from_ms)
    .bind(to_ms)
    .all(store.pool(), |r| (r.i64("department_id"), r.i64("cases"), r.i64("entries")))
    .await
}

/// The cases concluded in a period (`[from_ms, until_ms)`, by the
/// conclusion's real time) that carry 补录 entries: `(department,
/// concluded_at, promised_due)`.
pub async fn concluded_between(
    store: &Store,
    from_ms: i64,
    until_ms: i64,
) -> StoreResult<Vec<(i64, i64, Option<String>)>> {
    query(
        "SELECT c.department_id, c.concluded_at, c.promised_due FROM cases c \
         WHERE c.concluded_at >= $1 AND c.concluded_at < $2 AND c.outcome IS NOT NULL \
         AND EXISTS (SELECT 1 FROM case_backfills b WHERE b.case_id = c.id)",
    )
    .bind(from_ms)
    .bind(until_ms)
    .all(store.pool(), |r| (r.i64("department_id"), r.i64("concluded_at"), r.opt_str("promised_due")))
    .await
}
